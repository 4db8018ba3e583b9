/**
 * Unit conversion at the driver edge (DESIGN.md: instrument units exist
 * only in the property table): a property holds SI values and sends the
 * instrument's own unit, both ways, validated in SI.
 */
import { describe, expect, it } from "vitest";
import { DBM, numberProperty, scaledUnit } from "../../src/drivers/instruments/properties.js";
import { strictRange } from "../../src/drivers/instruments/validators.js";

const wavelength = numberProperty({
  doc: "Wavelength, m (1.5e-6 to 1.63e-6), sent in nm.",
  unit: "m",
  query: ":WAV?",
  command: ":WAV %s",
  validate: strictRange(1.5e-6, 1.63e-6),
  wire: scaledUnit("nm", 1e9),
});

const power = numberProperty({
  doc: "Optical power, W (1e-6 to 0.02), sent in dBm.",
  unit: "W",
  query: ":POW?",
  command: ":POW %s",
  validate: strictRange(1e-6, 0.02),
  wire: DBM,
});

describe("a property's wire unit", () => {
  it("sends metres as nanometres and reads nanometres back as metres", () => {
    expect(wavelength.encode(1.55e-6)).toBe("1550");
    expect(wavelength.decode("1550.000")).toBeCloseTo(1.55e-6, 18);
  });

  it("validates in SI: a wavelength given in nm by mistake is refused, not sent", () => {
    expect(() => wavelength.encode(1550)).toThrow(RangeError);
    // A reply outside the range, once converted, is not believed.
    expect(wavelength.decode("1700")).toBeUndefined();
  });

  it("sends watts as dBm (1 mW is 0 dBm, 10 mW is 10 dBm) and reads dBm back as watts", () => {
    expect(power.encode(1e-3)).toBe("0");
    expect(Number(power.encode(0.01))).toBeCloseTo(10, 12);
    expect(power.decode("-3.0103")).toBeCloseTo(5e-4, 8);
  });

  it("says the wire unit in what a valid reply looks like", () => {
    expect(power.expected).toMatch(/sent in dBm/);
    expect(wavelength.expected).toMatch(/sent in nm/);
  });
});
