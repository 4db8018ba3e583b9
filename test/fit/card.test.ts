/**
 * Model cards: built from a fit, written, loaded back as they were;
 * refused, naming the file and the problem, when their schema version is
 * another or a field is missing; shown as a person reads them; and the
 * committed JSON Schema is the one the code checks with.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import {
  cardOf,
  formatCard,
  ModelCardError,
  modelCardJsonSchema,
  readCard,
  valueWithError,
} from "../../src/fit/card.js";
import { type FitModel, fitLeastSquares } from "../../src/fit/levenberg-marquardt.js";

const folder = mkdtempSync(join(tmpdir(), "pms-cards-"));
const x = Float64Array.from({ length: 12 }, (_, i) => i / 2);
const spec = (name: string, unit: string) => ({ name, unit, default: 1, min: -100, max: 100, meaning: name });
/** f = a + b·x, with c having no effect: a usable pair and a parameter the data cannot tell. */
const model: FitModel = {
  name: "line",
  parameters: [spec("a", "V"), spec("b", "V/s"), spec("c", "1")],
  evaluate(p, out, jacobian) {
    for (let i = 0; i < x.length; i++) {
      out[i] = (p[0] as number) + (p[1] as number) * (x[i] as number);
      jacobian?.set([1, x[i] as number, 0], 3 * i);
    }
  },
};
const y = Float64Array.from(x, (xi, i) => 0.5 + 2 * xi + 0.01 * Math.sin(7 * i));
const context = {
  chipId: "demo-chip-7",
  recipe: { name: "line", version: "1.0.0" },
  model: { name: "line", citation: "a + b·x" },
  instruments: [
    {
      name: "smu1",
      manufacturer: "KEITHLEY INSTRUMENTS INC.",
      model: "MODEL 2400",
      serial: "4242",
      firmware: "C30",
    },
  ],
  identifiability: ["a and b are determined; c has no effect on a straight line"],
  runs: ["0f8e5d7c-1111-4222-8333-444455556666"],
  createdAt: new Date("2026-12-07T17:00:00Z"),
  points: x.length,
};

describe("model cards", () => {
  const usable = cardOf(fitLeastSquares(model, { y, sigma: 0.01 }, { free: ["a", "b"] }), context);
  const blind = cardOf(fitLeastSquares(model, { y, sigma: 0.01 }, { free: ["a", "b", "c"] }), context);

  it("load back as they were written, an infinite error as null", () => {
    const file = join(folder, "usable.json");
    writeFileSync(file, JSON.stringify(usable, null, 2));
    expect(readCard(file)).toEqual(usable);
    expect(usable.parameters.map((p) => [p.name, p.free])).toEqual([
      ["a", true],
      ["b", true],
      ["c", false],
    ]);
    expect(usable.fit.usable).toBe(true);
    expect(blind.parameters[2]?.standardError).toBeNull();
    expect(blind.diagnostics.map((d) => d.kind)).toEqual(["no-effect"]);
    const blindFile = join(folder, "blind.json");
    writeFileSync(blindFile, JSON.stringify(blind));
    expect(readCard(blindFile).covariance[2]?.[2]).toBeNull();
  });

  it.each([
    [
      "another schema version",
      (card: Record<string, unknown>) => ({ ...card, schemaVersion: 2 }),
      /schemaVersion is 2; this version of pms reads version 1/,
    ],
    [
      "a missing field",
      (card: Record<string, unknown>) => ({
        ...card,
        fit: { ...(card.fit as object), chiSquare: undefined },
      }),
      /fit\.chiSquare: /,
    ],
    [
      "a field it does not know",
      (card: Record<string, unknown>) => ({ ...card, extra: 1 }),
      /the top level: .*extra/,
    ],
    [
      "a field it does not know, nested",
      (card: Record<string, unknown>) => ({ ...card, fit: { ...(card.fit as object), sigmaUnit: "V" } }),
      /fit: .*sigmaUnit/,
    ],
    [
      "a free list that is not the free parameters",
      (card: Record<string, unknown>) => ({ ...card, free: ["a", "nonexistent"] }),
      /free: lists \["a","nonexistent"\], but the parameters marked free are \["a","b"\]/,
    ],
    [
      "a covariance of the wrong size",
      (card: Record<string, unknown>) => ({ ...card, covariance: [[1, 2, 3]] }),
      /covariance: must be 2 × 2/,
    ],
    [
      "a stop reason it does not know",
      (card: Record<string, unknown>) => ({ ...card, fit: { ...(card.fit as object), reason: "whatever" } }),
      /fit\.reason: /,
    ],
  ])("with %s are refused, naming the file and the problem", (_, change, message) => {
    const file = join(folder, "bad.json");
    writeFileSync(file, JSON.stringify(change(usable as unknown as Record<string, unknown>)));
    const error = (() => {
      try {
        readCard(file);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ModelCardError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(message);
  });

  it("that are not JSON are refused the same way", () => {
    const file = join(folder, "garbage.json");
    writeFileSync(file, "{ not json");
    expect(() => readCard(file)).toThrow(/garbage\.json: not a model card this version reads: not JSON/);
  });

  it("show as a person reads them: values with errors and units, the fit, what the data determine, warnings", () => {
    const text = formatCard(usable);
    const b = usable.parameters[1];
    expect(text).toMatch(
      /^Model card: line of chip demo-chip-7\n {2}recipe line 1\.0\.0, 2026-12-07T17:00:00\.000Z/,
    );
    expect(text).toMatch(/instrument smu1: KEITHLEY INSTRUMENTS INC\. MODEL 2400, serial 4242, firmware C30/);
    expect(text).toContain(`b  ${Number(b?.value).toFixed(4)} ± ${Number(b?.standardError).toFixed(4)} V/s`);
    expect(text).toMatch(/c {2}1\.00000 \(fixed\)/);
    expect(text).toMatch(/converged \(.*\) after \d+ iterations; usable/);
    expect(text).toMatch(/What the data determine\n {2}- a and b are determined/);
    expect(text).toMatch(/Raw data: run 0f8e5d7c-1111-4222-8333-444455556666/);
    expect(formatCard(blind)).toMatch(/c {2}1\.00000 ± ∞ \(not determined\)/);
    expect(formatCard(blind)).toMatch(/Warnings\n {2}- no-effect: c has no effect/);
  });

  it.each([
    [2.04567, 0.0123, "2.046 ± 0.012"],
    [2.04567, 0.0996, "2.05 ± 0.10"],
    [-1.5e-4, 3, "0.0 ± 3.0"],
    [12, 2.3e6, "1e+1 ± 2.3e+6"],
    [0.985123456, 1.5e-7, "0.98512346 ± 0.00000015"],
    [6.2e-5, 4e-7, "6.200e-5 ± 4.0e-7"],
  ])("writes %d ± %d as %s: the error to two digits, the value to its place", (value, error, text) => {
    expect(valueWithError(value, error, true)).toBe(text);
  });

  it("pms card show prints it; pms card schema prints the JSON Schema that calibration/ keeps", async () => {
    const file = join(folder, "show.json");
    writeFileSync(file, JSON.stringify(usable));
    let out = "";
    const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    try {
      await buildProgram().parseAsync(["node", "pms", "card", "show", file]);
      expect(out).toBe(formatCard(usable));
      out = "";
      await buildProgram().parseAsync(["node", "pms", "card", "schema"]);
    } finally {
      write.mockRestore();
    }
    expect(JSON.parse(out)).toEqual(modelCardJsonSchema());
    expect(JSON.parse(readFileSync("calibration/model-card.schema.json", "utf8"))).toEqual(
      modelCardJsonSchema(),
    );
  });
});
