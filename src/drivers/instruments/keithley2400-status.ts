/**
 * The 2400's status word: the STATus element of each reading
 * (`:FORM:ELEM STAT`), a 24-bit field sent as a number (2400 manual §18,
 * `:FORMat:ELEMents`, "Status word"). The single-bit flags are named here;
 * the limit-test result fields (bits 8–9, 19–21) are not decoded.
 */

/** Single-bit flags of the status word, by the manual's bit number. */
export const KEITHLEY_2400_STATUS_BITS = {
  /** Bit 0 (OFLO): the measurement was made over range. */
  overflow: 1 << 0,
  /** Bit 1: the measurement was made with the filter enabled. */
  filter: 1 << 1,
  /** Bit 2: the front terminals are selected. */
  frontTerminals: 1 << 2,
  /** Bit 3: in real compliance: the source was limited by its compliance. */
  compliance: 1 << 3,
  /** Bit 4 (OVP): the over-voltage protection limit was reached. */
  overVoltageProtection: 1 << 4,
  /** Bit 10: auto ohms enabled. */
  autoOhms: 1 << 10,
  /** Bit 11: voltage measurement enabled. */
  measureVoltage: 1 << 11,
  /** Bit 12: current measurement enabled. */
  measureCurrent: 1 << 12,
  /** Bit 13: resistance measurement enabled. */
  measureResistance: 1 << 13,
  /** Bit 14: the voltage source was used. */
  sourceVoltage: 1 << 14,
  /** Bit 15: the current source was used. */
  sourceCurrent: 1 << 15,
  /** Bit 16: in range compliance: a fixed measure range below the compliance limited the source. */
  rangeCompliance: 1 << 16,
  /** Bit 17: offset-compensated ohms enabled. */
  offsetCompensation: 1 << 17,
  /** Bit 22: remote (four-wire) sense enabled. */
  remoteSense: 1 << 22,
} as const;

/**
 * True when the reading was taken in (real) compliance, status bit 3. Not
 * range compliance (bit 16), which {@link KEITHLEY_2400_STATUS_BITS} names
 * separately. A status of NaN (not requested) is false.
 */
export function inCompliance(status: number): boolean {
  return (status & KEITHLEY_2400_STATUS_BITS.compliance) !== 0;
}
