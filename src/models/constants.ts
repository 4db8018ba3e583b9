/**
 * Physical constants and unit conversions shared by the models: one
 * definition each, so a detector's shot noise and a phase-change cell's
 * Arrhenius rate use the same k_B.
 *
 * Values: CODATA 2018 (Tiesinga, Mohr, Newell & Taylor, "CODATA
 * recommended values of the fundamental physical constants: 2018",
 * Rev. Mod. Phys. 93, 025010 (2021)). Both constants here are exact: the
 * 2019 revision of the SI fixes their numerical values (BIPM, "The
 * International System of Units", 9th edition, 2019, Table 1).
 */

/** Elementary charge e, C (exact, SI 2019). */
export const ELEMENTARY_CHARGE = 1.602176634e-19;

/** Boltzmann constant k_B, J/K (exact, SI 2019). */
export const BOLTZMANN = 1.380649e-23;

/** One electronvolt, J: the energy e·(1 V), so exact as well. */
export const ELECTRONVOLT = ELEMENTARY_CHARGE;

/**
 * ln(10)/20, per dB: d(ln amplitude)/d(loss in dB). A power loss of L dB
 * multiplies a field amplitude by 10^(−L/20) = e^{−AMPLITUDE_PER_DB·L}, and
 * d(amplitude)/dL = −AMPLITUDE_PER_DB · amplitude.
 */
export const AMPLITUDE_PER_DB = Math.LN10 / 20;
