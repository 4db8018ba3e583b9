/**
 * The device under test of a virtual source-measure unit: what sits between
 * its terminals. The instrument only ever holds a voltage across it for a
 * while and reads the current, which is all a two-terminal device offers.
 */
export interface DeviceUnderTest {
  /** Hold `voltage` (V) across the device for `dt` (s), then return the current (A) flowing at the end. */
  applyVoltage(voltage: number, dt: number): number;
  /** Present resistance, Ω (used to source current: V = I·R and for compliance). */
  resistance(): number;
  /** Reset to the initial state. */
  reset(): void;
}

/** An ohmic resistor: memoryless, for tests whose expected readings are V/R. */
export class ResistorDut implements DeviceUnderTest {
  /** @param ohms resistance, Ω (positive and finite). */
  constructor(readonly ohms: number) {
    if (!(ohms > 0 && Number.isFinite(ohms)))
      throw new RangeError(`resistance must be positive and finite, got ${ohms} Ω`);
  }

  applyVoltage(voltage: number, _dt: number): number {
    return voltage / this.ohms;
  }

  resistance(): number {
    return this.ohms;
  }

  reset(): void {}
}
