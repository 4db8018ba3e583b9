/**
 * Model 2400 source and measure ranges, as full-scale values (the range
 * queries reply with these: the 20 V range is +2.100000E+01). Manual §18,
 * "Select range" (:SOURce:…:RANGe) and Table 18-6 (SENSe ranges); Appendix A
 * specifications.
 */

export const VOLTAGE_RANGES = [0.21, 2.1, 21, 210] as const;
export const CURRENT_RANGES = [1.05e-6, 1.05e-5, 1.05e-4, 1.05e-3, 1.05e-2, 1.05e-1, 1.05] as const;
export const RESISTANCE_RANGES = [21, 210, 2.1e3, 2.1e4, 2.1e5, 2.1e6, 2.1e7, 2.1e8] as const;

/** Largest source or compliance magnitude: 210 V, 1.05 A (2400, not -LV or 2401). */
export const MAX_VOLTAGE = 210;
export const MAX_CURRENT = 1.05;
export const MAX_RESISTANCE = 2.1e8;
