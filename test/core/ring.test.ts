/**
 * The ring kernels against their TypeScript reference (the model's own
 * spectrum functions) on random rings and wavelengths: every output within
 * 1e-12 of its scale (the largest |value| of that output), the contract of
 * test/core/kernels.test.ts. They differ only in sin and cos (the kernel's
 * own joint reduction and fdlibm kernels vs V8's Math.sin and Math.cos,
 * 1–2 ulp apart), and the half-angle forms both evaluate do not amplify
 * that even at high finesse: on 10^5 random wavelengths the outputs agree
 * to ≤ 4.4e-16 of scale, most of them bit for bit. The cases span finesse
 * from ~30 to ~2e5 and include a ring long enough for the kernel's
 * large-argument fallback.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  ringAddDropSampler,
  ringAddDropSpectrum,
  ringAllPassSampler,
  ringAllPassSpectrum,
} from "../../src/core/kernels/ring.js";
import { loadCore } from "../../src/core/load-node.js";
import { ringAddDropSpectrumReference, ringAllPassSpectrumReference } from "../../src/core/reference/ring.js";
import type { Core } from "../../src/core/wasm.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import { type AddDropParams, type AllPassParams, ringAllPass } from "../../src/models/photonic/index.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/** Random ring and wavelengths (some fixed by `fixed`); an odd count, so the kernel's scalar tail runs too. */
function randomCase(seed: number, fixed: Partial<AllPassParams> = {}) {
  const random = seededRandom(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const common = {
    roundTripAmplitude: between(0.95, 0.9995),
    circumference: between(10e-6, 2e-3),
    effectiveIndex: between(1.8, 3),
    groupIndex: between(3.2, 4.6),
    referenceWavelength: between(1.5e-6, 1.6e-6),
  };
  const allPass: AllPassParams = { ...common, selfCoupling: between(0.9, 0.999), ...fixed };
  const addDrop: AddDropParams = {
    ...common,
    selfCoupling1: between(0.9, 0.999),
    selfCoupling2: between(0.9, 0.999),
    ...fixed,
  };
  const centre = between(1.52e-6, 1.58e-6);
  const wavelengths = Float64Array.from({ length: 1001 }, (_, k) =>
    k < 500 ? centre + (k - 250) * 2e-12 : between(1.26e-6, 1.65e-6),
  );
  return { allPass, addDrop, wavelengths };
}

/** Largest |wasm − reference| over the output, relative to the output's largest |value|. */
function scaledError(wasm: ArrayLike<number>, reference: Float64Array): number {
  expect(wasm.length).toBe(reference.length);
  const scale = Math.max(...reference.map(Math.abs));
  let error = 0;
  for (let k = 0; k < reference.length; k++) {
    error = Math.max(error, Math.abs((wasm[k] as number) - (reference[k] as number)));
  }
  return error / scale;
}

const cases = [
  ...[1, 2, 3, 4, 5, 6].map((seed) => [`random ring ${seed}`, randomCase(seed)] as const),
  ["a 0.3 m ring (phases past the fast reduction)", randomCase(7, { circumference: 0.3 })] as const,
  [
    "a ring of finesse ~2e5 (1 − ra = 3e-5)",
    randomCase(8, { selfCoupling: 0.99998, roundTripAmplitude: 0.99999 }),
  ] as const,
];

describe.each(cases)("%s", (_name, c) => {
  it("all-pass: power and field within 1e-12 of scale", () => {
    const wasm = ringAllPassSpectrum(core, c.allPass, c.wavelengths, { field: true });
    const reference = ringAllPassSpectrumReference(c.allPass, c.wavelengths, { field: true });
    expect(wasm.power.shape).toEqual([1001]);
    expect(wasm.field?.shape).toEqual([1001, 2]);
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
    expect(scaledError(wasm.field?.data as Float64Array, reference.field as Float64Array)).toBeLessThan(
      1e-12,
    );
  });

  it("all-pass without the field: the same power", () => {
    const reference = ringAllPassSpectrumReference(c.allPass, c.wavelengths);
    expect(reference.field).toBeUndefined();
    const wasm = ringAllPassSpectrum(core, c.allPass, c.wavelengths);
    expect(wasm.field).toBeUndefined();
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
  });

  it("add-drop: through, drop and both fields within 1e-12 of scale", () => {
    const wasm = ringAddDropSpectrum(core, c.addDrop, c.wavelengths, { field: true });
    const reference = ringAddDropSpectrumReference(c.addDrop, c.wavelengths, { field: true });
    expect(scaledError(wasm.through.data, reference.through)).toBeLessThan(1e-12);
    expect(scaledError(wasm.drop.data, reference.drop)).toBeLessThan(1e-12);
    expect(
      scaledError(wasm.throughField?.data as Float64Array, reference.throughField as Float64Array),
    ).toBeLessThan(1e-12);
    expect(
      scaledError(wasm.dropField?.data as Float64Array, reference.dropField as Float64Array),
    ).toBeLessThan(1e-12);
  });

  it("samplers: one wavelength per call gives the spectrum's values", () => {
    const allPass = ringAllPassSampler(core, c.allPass);
    const addDrop = ringAddDropSampler(core, c.addDrop);
    const some = c.wavelengths.subarray(240, 260);
    const a = ringAllPassSpectrumReference(c.allPass, some, { field: true });
    const d = ringAddDropSpectrumReference(c.addDrop, some, { field: true });
    const sampled = {
      power: some.map((λ) => allPass.power(λ)),
      field: Float64Array.from([...some].flatMap((λ) => [allPass.field(λ).re, allPass.field(λ).im])),
      through: some.map((λ) => addDrop.throughPower(λ)),
      samples: [...some].map((λ) => addDrop.sample(λ)),
    };
    expect(scaledError(sampled.power, a.power)).toBeLessThan(1e-12);
    expect(scaledError(sampled.field, a.field as Float64Array)).toBeLessThan(1e-12);
    expect(scaledError(sampled.through, d.through)).toBeLessThan(1e-12);
    expect(
      scaledError(
        Float64Array.from(sampled.samples, (s) => s.drop),
        d.drop,
      ),
    ).toBeLessThan(1e-12);
    const dropField = Float64Array.from(sampled.samples.flatMap((s) => [s.dropField.re, s.dropField.im]));
    expect(scaledError(dropField, d.dropField as Float64Array)).toBeLessThan(1e-12);
  });
});

describe("sizes and validation, the same on both sides", () => {
  const p = ringAllPass.defaults;
  it.each([0, 1, 2, 3])("handles %i wavelengths", (n) => {
    const wavelengths = Float64Array.from({ length: n }, (_, k) => 1.55e-6 + k * 1e-10);
    const reference = ringAllPassSpectrumReference(p, wavelengths, { field: true });
    const wasm = ringAllPassSpectrum(core, p, wavelengths, { field: true });
    expect(wasm.power.shape).toEqual([n]);
    wasm.power.data.forEach((x, k) => {
      expect(Math.abs(x - (reference.power[k] as number))).toBeLessThan(1e-12);
    });
  });

  it.each([
    ["a parameter out of bounds", { ...p, selfCoupling: 1.1 }, [1.55e-6], ParameterRangeError],
    ["a zero wavelength", p, [1.55e-6, 0], RangeError],
    ["a NaN wavelength", p, [Number.NaN], RangeError],
    ["an infinite wavelength", p, [Number.POSITIVE_INFINITY], RangeError],
  ] as const)("refuses %s", (_what, params, wavelengths, error) => {
    const λ = Float64Array.from(wavelengths);
    expect(() => ringAllPassSpectrum(core, params, λ)).toThrow(error);
    expect(() => ringAllPassSpectrumReference(params, λ)).toThrow(error);
  });

  it("samplers refuse bad parameters once and bad wavelengths per call", () => {
    expect(() => ringAllPassSampler(core, { ...p, roundTripAmplitude: -0.1 })).toThrow(ParameterRangeError);
    expect(() => ringAllPassSampler(core, p).power(-1e-6)).toThrow(RangeError);
  });

  it("keeps views valid until the next call on the core", () => {
    const first = ringAllPassSpectrum(core, p, Float64Array.of(1.55e-6, 1.56e-6));
    const kept = first.power.data.slice();
    ringAllPassSpectrum(core, { ...p, selfCoupling: 0.5 }, Float64Array.of(1.55e-6, 1.56e-6));
    expect(Array.from(first.power.data)).not.toEqual(Array.from(kept));
  });
});
