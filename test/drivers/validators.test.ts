import { describe, expect, it } from "vitest";
import {
  booleanOnOff,
  strictDiscreteSet,
  strictIntegerRange,
  strictRange,
} from "../../src/drivers/instruments/validators.js";

describe("validators", () => {
  it.each([
    [-210, true],
    [210, true],
    [0, true],
    [210.0001, false],
    [-211, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
  ])("strictRange(-210, 210) on %d: accepted %s", (value, accepted) => {
    const validate = strictRange(-210, 210);
    if (accepted) expect(validate(value)).toBe(value);
    else expect(() => validate(value)).toThrow(/outside \[-210, 210\]/);
  });

  it.each([
    [1, true],
    [2500, true],
    [1.5, false],
    [0, false],
  ])("strictIntegerRange(1, 2500) on %d: accepted %s", (value, accepted) => {
    const validate = strictIntegerRange(1, 2500);
    if (accepted) expect(validate(value)).toBe(value);
    else expect(() => validate(value)).toThrow(RangeError);
  });

  it("strictDiscreteSet accepts members and names the allowed ones otherwise", () => {
    const validate = strictDiscreteSet(["voltage", "current"]);
    expect(validate("current")).toBe("current");
    expect(() => validate("power")).toThrow('"power" is not one of "voltage", "current"');
  });

  it("booleanOnOff maps to ON/OFF and refuses anything else", () => {
    expect(booleanOnOff(true)).toBe("ON");
    expect(booleanOnOff(false)).toBe("OFF");
    expect(() => booleanOnOff(1 as unknown as boolean)).toThrow(RangeError);
  });
});
