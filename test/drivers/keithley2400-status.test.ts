import { describe, expect, it } from "vitest";
import {
  inCompliance,
  KEITHLEY_2400_STATUS_BITS,
} from "../../src/drivers/instruments/keithley2400-status.js";
import { STATUS_WORD } from "../../src/virtual/keithley2400/measure.js";

describe("Keithley 2400 status word", () => {
  it.each([
    [8, true],
    [12828, true], // V and I measured, V sourced, in compliance
    [12820, false], // the same without bit 3
    [1 << 16, false], // range compliance only
    [0, false],
    [Number.NaN, false], // STAT not among the readout elements
  ])("inCompliance(%d) is %s", (status, expected) => {
    expect(inCompliance(status)).toBe(expected);
  });

  it("names each bit once", () => {
    const bits = Object.values(KEITHLEY_2400_STATUS_BITS);
    expect(new Set(bits).size).toBe(bits.length);
    for (const bit of bits) expect(Math.log2(bit) % 1).toBe(0);
  });

  it("reads the manual's table as the virtual 2400 writes it: every bit it sets, the driver names", () => {
    expect(Object.values(KEITHLEY_2400_STATUS_BITS)).toEqual(
      expect.arrayContaining(Object.values(STATUS_WORD)),
    );
    expect(KEITHLEY_2400_STATUS_BITS.compliance).toBe(STATUS_WORD.COMPLIANCE);
    expect(KEITHLEY_2400_STATUS_BITS.rangeCompliance).toBe(STATUS_WORD.RANGE_COMPLIANCE);
  });
});
