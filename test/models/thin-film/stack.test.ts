/**
 * The stack as data: its parameter table, the flat vector in that order,
 * refusals (never clipping) that name the parameter, and the spectrum
 * layout the WASM kernel shares — `stackSpectrum` is `stackResponse` at
 * every point of the grid, with indices shared or given per wavelength.
 */
import { describe, expect, it } from "vitest";
import { ParameterRangeError } from "../../../src/models/parameters.js";
import {
  ambientParameters,
  layerParameters,
  type SpectrumInput,
  type Stack,
  spectrumInput,
  stackFromValues,
  stackParameters,
  stackResponse,
  stackResponseGradient,
  stackSpectrum,
  stackValues,
  substrateParameters,
} from "../../../src/models/thin-film/index.js";

const stack: Stack = {
  ambient: { n: 1.1 },
  layers: [
    { n: 2.1, k: 0.3, thickness: 120e-9 },
    { n: 1.45, k: 0, thickness: 260e-9 },
  ],
  substrate: { n: 3.5, k: 0.02 },
};

describe("the parameter table", () => {
  it.each([
    ["layer", layerParameters],
    ["substrate", substrateParameters],
    ["ambient", ambientParameters],
  ] as const)("%s: each entry has a unit, a meaning and a default inside its bounds", (_name, table) => {
    for (const spec of table) {
      expect(spec.unit).not.toBe("");
      expect(spec.meaning.length).toBeGreaterThan(10);
      expect(spec.min).toBeLessThan(spec.max);
      expect(spec.default).toBeGreaterThanOrEqual(spec.min);
      expect(spec.default).toBeLessThanOrEqual(spec.max);
    }
  });

  it("orders a stack's parameters ambient, layers (thickness, n, k), substrate, as its value vector", () => {
    expect(stackParameters(2).map((spec) => spec.name)).toEqual([
      "ambient.n",
      "layer0.thickness",
      "layer0.n",
      "layer0.k",
      "layer1.thickness",
      "layer1.n",
      "layer1.k",
      "substrate.n",
      "substrate.k",
    ]);
    expect(Array.from(stackValues(stack))).toEqual([1.1, 120e-9, 2.1, 0.3, 260e-9, 1.45, 0, 3.5, 0.02]);
    expect(stackFromValues(stackValues(stack))).toEqual(stack);
    expect(() => stackFromValues([1, 2, 3, 4])).toThrow(RangeError);
  });
});

describe("refusals", () => {
  const table = stackParameters(stack.layers.length);
  const rows = table.flatMap((spec, i) =>
    (["below", "above", "NaN"] as const).map((where) => [spec.name, where, i] as const),
  );

  it.each(rows)("refuses %s %s its bounds, naming it, in every entry point", (name, where, i) => {
    const spec = table[i] as (typeof table)[number];
    const value =
      where === "below"
        ? spec.min - Math.abs(spec.min) - 1
        : where === "above"
          ? spec.max * 2 + 1
          : Number.NaN;
    const values = stackValues(stack);
    values[i] = value;
    const bad = stackFromValues(values);
    for (const run of [
      () => stackResponse(bad, 1.55e-6, 0.3),
      () => stackResponseGradient(bad, 1.55e-6, 0.3),
      () => stackSpectrum(spectrumInput(bad, [1.55e-6], [0.3])),
    ]) {
      expect(run).toThrow(ParameterRangeError);
      expect(run).toThrow(name);
    }
  });

  it.each([
    ["a wavelength of 0", 0, 0.3],
    ["a negative wavelength", -1e-6, 0.3],
    ["a NaN wavelength", Number.NaN, 0.3],
    ["a negative angle", 1.55e-6, -0.1],
    ["grazing incidence", 1.55e-6, Math.PI / 2],
    ["a NaN angle", 1.55e-6, Number.NaN],
  ])("refuses %s", (_what, wavelength, angle) => {
    expect(() => stackResponse(stack, wavelength, angle)).toThrow(RangeError);
    expect(() => stackResponseGradient(stack, wavelength, angle)).toThrow(RangeError);
    expect(() => stackSpectrum(spectrumInput(stack, [wavelength], [angle]))).toThrow(RangeError);
  });

  it("refuses an absorbing ambient and indices that fit neither one row nor one per wavelength", () => {
    const input = spectrumInput(stack, [1.3e-6, 1.55e-6]);
    const absorbingAmbient = { ...input, indices: input.indices.slice() };
    absorbingAmbient.indices[1] = 0.01;
    expect(() => stackSpectrum(absorbingAmbient)).toThrow(/ambient\.k/);
    expect(() => stackSpectrum({ ...input, indices: input.indices.subarray(2) })).toThrow(RangeError);
  });
});

/** The per-wavelength input for `stacks[l]` at wavelength l (same layer thicknesses). */
function dispersiveInput(stacks: readonly Stack[], wavelengths: number[], angles: number[]): SpectrumInput {
  const rows = stacks.length;
  const perRow = stacks.map((s) => spectrumInput(s, [wavelengths[0] as number]).indices);
  const nMedia = (perRow[0] as Float64Array).length / 2;
  const indices = new Float64Array(2 * nMedia * rows);
  for (let m = 0; m < nMedia; m++) {
    for (let l = 0; l < rows; l++) {
      indices.set((perRow[l] as Float64Array).subarray(2 * m, 2 * m + 2), 2 * (m * rows + l));
    }
  }
  return { ...spectrumInput(stacks[0] as Stack, wavelengths, angles), indices };
}

describe("stackSpectrum", () => {
  const wavelengths = [0.9e-6, 1.3e-6, 1.55e-6];
  const angles = [0, 0.5, 1.3];

  function expectPointwise(input: SpectrumInput, stackAt: (l: number) => Stack) {
    const out = stackSpectrum(input);
    for (const [a, angle] of angles.entries()) {
      for (const [l, wavelength] of wavelengths.entries()) {
        const point = a * wavelengths.length + l;
        const expected = stackResponse(stackAt(l), wavelength, angle);
        for (const pol of ["s", "p"] as const) {
          expect(out[pol].R[point]).toBe(expected[pol].R);
          expect(out[pol].T[point]).toBe(expected[pol].T);
          expect(out[pol].r.subarray(2 * point, 2 * point + 2)).toEqual(
            Float64Array.of(expected[pol].r.re, expected[pol].r.im),
          );
          expect(out[pol].t.subarray(2 * point, 2 * point + 2)).toEqual(
            Float64Array.of(expected[pol].t.re, expected[pol].t.im),
          );
        }
      }
    }
  }

  it("is stackResponse at every angle × wavelength (angle-major), indices shared", () => {
    expectPointwise(spectrumInput(stack, wavelengths, angles), () => stack);
  });

  it("is stackResponse of each wavelength's stack when the indices are given per wavelength", () => {
    // Every index moves with the wavelength, the ambient's too; thicknesses stay.
    const stacks: Stack[] = [0, 1, 2].map((l) => ({
      ambient: { n: 1 + 0.1 * l },
      layers: [
        { n: 2.1 - 0.1 * l, k: 0.3 + 0.1 * l, thickness: 120e-9 },
        { n: 1.45 + 0.01 * l, k: 0, thickness: 260e-9 },
      ],
      substrate: { n: 3.5 - 0.2 * l, k: 0.02 * l },
    }));
    expectPointwise(dispersiveInput(stacks, wavelengths, angles), (l) => stacks[l] as Stack);
  });

  it("handles an empty grid", () => {
    const out = stackSpectrum(spectrumInput(stack, [], angles));
    expect(out.s.R.length).toBe(0);
  });
});
