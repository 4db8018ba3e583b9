/**
 * Meta-test (STYLE.md 3): walks every property of the driver and checks
 * that its doc is one line that says what the value is, with its unit and
 * range where it is a quantity.
 */
import { describe, expect, it } from "vitest";
import { KEITHLEY_2400_PROPERTIES } from "../../src/drivers/instruments/keithley2400.js";
import type { Property } from "../../src/drivers/instruments/properties.js";
import { replayKeithley } from "./support/keithley-protocol.js";

/**
 * SI units as the model parameter tables write them ("Ohm", not "Ω"), and
 * the named non-SI units the code allows (their names say so: `nplc`).
 */
const UNITS = ["V", "A", "Ohm", "s", "W", "m", "K", "Hz", "PLC"];

const isProperty = (value: unknown): value is Property<unknown> =>
  typeof value === "object" && value !== null && "doc" in value && "get" in value && "set" in value;

describe("Keithley 2400 property docs", async () => {
  const { driver } = await replayKeithley([]);
  const properties = Object.values(driver).filter(isProperty);

  it("binds every property of the table onto the driver", () => {
    expect(properties.map((p) => p.name).sort()).toEqual(Object.keys(KEITHLEY_2400_PROPERTIES).sort());
  });

  it.each(properties.map((p) => [p.name, p] as const))("%s has a one-line doc", (_, property) => {
    expect(property.doc).toMatch(/^[A-Z].{10,}\.$/);
    expect(property.doc).not.toMatch(/\n/);
  });

  it.each(properties.map((p) => [p.name, p] as const))(
    "%s: a quantity states its unit and range",
    (name, property) => {
      const spec = KEITHLEY_2400_PROPERTIES[name as keyof typeof KEITHLEY_2400_PROPERTIES];
      if (!spec.expected.startsWith("a number")) {
        expect(property.unit).toBeNull();
        return;
      }
      expect(UNITS).toContain(property.unit);
      expect(property.doc).toContain(`, ${property.unit} (`);
      expect(property.doc).toMatch(/\([−-]?[\d.e−-]+ to [\d.e]+/);
    },
  );
});
