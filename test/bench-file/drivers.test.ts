/**
 * The default driver registry: every limit a bench file may set is
 * described, with a unit a person can write the number in.
 */
import { describe, expect, it } from "vitest";
import { KNOWN_BENCH_DRIVERS } from "../../src/bench/drivers.js";
import { DEFAULT_SAFETY_LIMITS } from "../../src/drivers/instruments/safety.js";

describe("KNOWN_BENCH_DRIVERS", () => {
  it("names each driver once", () => {
    const names = KNOWN_BENCH_DRIVERS.map((driver) => driver.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(
    KNOWN_BENCH_DRIVERS.flatMap((driver) =>
      Object.entries(driver.limits).map(([name, info]) => ({ driver: driver.name, name, ...info })),
    ),
  )("$driver $name has a unit and a doc", ({ unit, doc }) => {
    expect(unit).toMatch(/^(V|A|W|m|V\/s|A\/s)$/);
    expect(doc.length).toBeGreaterThan(10);
  });

  it.each(KNOWN_BENCH_DRIVERS.filter((driver) => driver.kind === "source-meter"))(
    "$name takes exactly the source-meter driver's safety limits",
    (driver) => {
      expect(Object.keys(driver.limits).sort()).toEqual(Object.keys(DEFAULT_SAFETY_LIMITS).sort());
    },
  );
});
