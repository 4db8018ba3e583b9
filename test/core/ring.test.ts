/**
 * The ring kernels against their TypeScript reference (the model's own
 * spectrum functions) on random rings and wavelengths: every element within
 * 1e-12 of itself (relative, elementwise; a field element relative to its
 * modulus — `relativeError`), and on a critically coupled ring's dip. They differ only in sin and cos (the kernel's
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
  ringAllPassJacobian,
  ringAllPassSampler,
  ringAllPassSpectrum,
} from "../../src/core/kernels/ring.js";
import { loadCore } from "../../src/core/load-node.js";
import {
  ringAddDropSpectrumReference,
  ringAllPassJacobianReference,
  ringAllPassSpectrumReference,
} from "../../src/core/reference/ring.js";
import type { Core } from "../../src/core/wasm.js";
import { ParameterRangeError, UnknownParameterError } from "../../src/models/parameters.js";
import {
  type AddDropParams,
  type AllPassParams,
  ringAddDrop,
  ringAllPass,
} from "../../src/models/photonic/index.js";
import { phaseOf } from "../../src/models/photonic/waveguide.js";
import { seededRandom } from "../models/support/waveforms.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

type Shared = Omit<AllPassParams, "selfCoupling">;

/**
 * Random ring and wavelengths (some fixed by `fixed`, and the self-couplings
 * by `selfCoupling`: r of the all-pass ring, r1 = r2 of the add-drop ring);
 * an odd count, so the kernel's scalar tail runs too.
 */
function randomCase(
  seed: number,
  fixed: Partial<Shared> = {},
  selfCoupling?: { readonly allPass: number; readonly addDrop: number },
) {
  const random = seededRandom(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * random();
  const common = {
    roundTripAmplitude: between(0.95, 0.9995),
    circumference: between(10e-6, 2e-3),
    effectiveIndex: between(1.8, 3),
    groupIndex: between(3.2, 4.6),
    referenceWavelength: between(1.5e-6, 1.6e-6),
  };
  const allPass: AllPassParams = {
    ...common,
    selfCoupling: selfCoupling?.allPass ?? between(0.9, 0.999),
    ...fixed,
  };
  const addDrop: AddDropParams = {
    ...common,
    selfCoupling1: selfCoupling?.addDrop ?? between(0.9, 0.999),
    selfCoupling2: selfCoupling?.addDrop ?? between(0.9, 0.999),
    ...fixed,
  };
  const centre = between(1.52e-6, 1.58e-6);
  const wavelengths = Float64Array.from({ length: 1001 }, (_, k) =>
    k < 500 ? centre + (k - 250) * 2e-12 : between(1.26e-6, 1.65e-6),
  );
  return { allPass, addDrop, wavelengths };
}

/**
 * Largest elementwise relative error: |w − r| / |r| per element, where for
 * a field (`complex`) an element is the complex number and |r| its modulus.
 * No floor: the ring outputs are evaluated in half-angle forms with no
 * cancellation ((a − r)² + 4ar sin² h; a − r is exact), so even a dip of
 * 1e-20 carries full relative accuracy and must agree to 1e-12 of itself.
 * An element where the reference is exactly 0 must be exactly 0.
 */
function relativeError(wasm: ArrayLike<number>, reference: Float64Array, complex = false): number {
  expect(wasm.length).toBe(reference.length);
  const step = complex ? 2 : 1;
  let worst = 0;
  for (let k = 0; k < reference.length; k += step) {
    const dr = (wasm[k] as number) - (reference[k] as number);
    const di = complex ? (wasm[k + 1] as number) - (reference[k + 1] as number) : 0;
    const size = complex
      ? Math.hypot(reference[k] as number, reference[k + 1] as number)
      : Math.abs(reference[k] as number);
    const difference = Math.hypot(dr, di);
    const error = size === 0 ? (difference === 0 ? 0 : Number.POSITIVE_INFINITY) : difference / size;
    worst = Math.max(worst, error);
  }
  return worst;
}

/** `relativeError` on a power series. */
const scaledError = (wasm: ArrayLike<number>, reference: Float64Array) => relativeError(wasm, reference);
/** `relativeError` on an interleaved field. */
const fieldError = (wasm: ArrayLike<number>, reference: Float64Array) => relativeError(wasm, reference, true);

const cases = [
  ...[1, 2, 3, 4, 5, 6].map((seed) => [`random ring ${seed}`, randomCase(seed)] as const),
  ["a 0.3 m ring (phases past the fast reduction)", randomCase(7, { circumference: 0.3 })] as const,
  [
    "a ring of finesse ~2e5 (1 − ra = 1 − r1 r2 a = 3e-5)",
    randomCase(8, { roundTripAmplitude: 0.99999 }, { allPass: 0.99998, addDrop: 0.99999 }),
  ] as const,
];

describe.each(cases)("%s", (_name, c) => {
  it("all-pass Jacobian: power within 1e-12 of itself, each partial within 1e-12 of its column's scale", () => {
    const n = c.wavelengths.length;
    const wasm = ringAllPassJacobian(core, c.allPass, c.wavelengths, 7);
    const power = new Float64Array(n);
    const jacobian = new Float64Array(n * 7);
    ringAllPassJacobianReference(c.allPass, c.wavelengths, power, jacobian, 7);
    expect(scaledError(wasm.power, power)).toBeLessThan(1e-12);
    expect(
      scaledError(wasm.power, ringAllPassSpectrumReference(c.allPass, c.wavelengths).power),
    ).toBeLessThan(1e-12);
    for (let j = 0; j < 6; j++) {
      let scale = 0;
      let worst = 0;
      for (let k = 0; k < n; k++) scale = Math.max(scale, Math.abs(jacobian[k * 7 + j] as number));
      for (let k = 0; k < n; k++) {
        worst = Math.max(
          worst,
          Math.abs((wasm.jacobian[k * 7 + j] as number) - (jacobian[k * 7 + j] as number)),
        );
      }
      expect(worst / scale, `column ${j}`).toBeLessThan(1e-12);
    }
  });

  it("all-pass: power and field within 1e-12 of scale", () => {
    const wasm = ringAllPassSpectrum(core, c.allPass, c.wavelengths, { field: true });
    const reference = ringAllPassSpectrumReference(c.allPass, c.wavelengths, { field: true });
    expect(wasm.power.shape).toEqual([1001]);
    expect(wasm.field?.shape).toEqual([1001, 2]);
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
    expect(fieldError(wasm.field?.data as Float64Array, reference.field as Float64Array)).toBeLessThan(1e-12);
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
      fieldError(wasm.throughField?.data as Float64Array, reference.throughField as Float64Array),
    ).toBeLessThan(1e-12);
    expect(
      fieldError(wasm.dropField?.data as Float64Array, reference.dropField as Float64Array),
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
    expect(fieldError(sampled.field, a.field as Float64Array)).toBeLessThan(1e-12);
    expect(scaledError(sampled.through, d.through)).toBeLessThan(1e-12);
    expect(
      scaledError(
        Float64Array.from(sampled.samples, (s) => s.drop),
        d.drop,
      ),
    ).toBeLessThan(1e-12);
    const dropField = Float64Array.from(sampled.samples.flatMap((s) => [s.dropField.re, s.dropField.im]));
    expect(fieldError(dropField, d.dropField as Float64Array)).toBeLessThan(1e-12);
  });
});

/** ulps above x (k < 0: below). */
function ulpsFrom(x: number, k: number): number {
  const box = new Float64Array([x]);
  const bits = new BigInt64Array(box.buffer);
  bits[0] = (bits[0] as bigint) + BigInt(k);
  return box[0] as number;
}

/**
 * A critically coupled all-pass ring (a = r: the dip goes to 0) and the
 * wavelengths around its resonance near 1.55 µm: `grid`, the doubles
 * ±1000, ±3000, … ±199000 ulp from resonance (|h − mπ| from ~2e-11 rad:
 * powers from ~1e-18 up), and `exact`, the 20 doubles within
 * ±2000 ulp of resonance whose phase comes closest to mπ (dips of
 * 1e-25…1e-20, where h is within ~1e-12 rad of mπ).
 */
function criticalRing(circumference: number) {
  const p: AllPassParams = {
    selfCoupling: 0.99,
    roundTripAmplitude: 0.99,
    circumference,
    effectiveIndex: 2.4,
    groupIndex: 4.2,
    referenceWavelength: 1.55e-6,
  };
  const half = (λ: number) => phaseOf(circumference, p, λ) / 2;
  const m = Math.round(half(1.55e-6) / Math.PI);
  let λ = 1.55e-6;
  for (let i = 0; i < 50; i++) λ -= (half(λ) - m * Math.PI) / ((half(λ * (1 + 1e-9)) - half(λ)) / (λ * 1e-9));
  const near = Array.from({ length: 4001 }, (_, k) => ulpsFrom(λ, k - 2000));
  near.sort((x, y) => Math.abs(Math.sin(half(x))) - Math.abs(Math.sin(half(y))));
  return {
    p,
    grid: Float64Array.from({ length: 200 }, (_, k) => ulpsFrom(λ, 2000 * (k - 100) + 1000)),
    exact: Float64Array.from(near.slice(0, 20)),
  };
}

describe.each([20e-6, 200e-6, 2e-3])("critically coupled ring (a = r), L = %d m", (circumference) => {
  const ring = criticalRing(circumference);

  it("around the dip (powers from ~1e-18): power and field to 1e-12 relative", () => {
    const wasm = ringAllPassSpectrum(core, ring.p, ring.grid, { field: true });
    const reference = ringAllPassSpectrumReference(ring.p, ring.grid, { field: true });
    expect(Math.min(...reference.power)).toBeLessThan(1e-12);
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
    expect(fieldError(wasm.field?.data as Float64Array, reference.field as Float64Array)).toBeLessThan(1e-12);
  });

  /**
   * At the bottom of the dip h is within ~1e-12 of mπ: a two-part
   * Cody–Waite reduction of π/2 (~86 bits) left ~1e-22 absolute error in
   * the reduced angle there, 1e-10 relative in the power (measured before
   * the kernel took the third part). This pins the three-part reduction.
   */
  it("at the bottom of the dip (powers 1e-25…1e-20): power to 1e-12 relative", () => {
    const wasm = ringAllPassSpectrum(core, ring.p, ring.exact);
    const reference = ringAllPassSpectrumReference(ring.p, ring.exact);
    expect(Math.min(...reference.power)).toBeLessThan(1e-19);
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
  });
});

/*
 * A 0.19 m ring: h ≈ 9.2e5 rad, between 2^19·π/2 ≈ 8.2e5 (where the ring
 * kernel used to fall back to Math.sin/cos) and REDUCTION_LIMIT = 10⁶ (the
 * limit it now shares with the mesh and trig.ts), so its own three-part
 * reduction runs. An ulp of λ moves h by ~2e-10 rad here and h itself
 * rounds at ~1e-10, so the dip bottoms out near 1e-16 rather than 1e-25.
 */
it("agrees to 1e-12 around and at the bottom of a dip with h between 8.2e5 and 10⁶ rad", () => {
  const ring = criticalRing(0.19);
  const h = phaseOf(0.19, ring.p, 1.55e-6) / 2;
  expect(h).toBeGreaterThan(2 ** 19 * (Math.PI / 2));
  expect(h).toBeLessThan(1e6);
  for (const wavelengths of [ring.grid, ring.exact]) {
    const wasm = ringAllPassSpectrum(core, ring.p, wavelengths, { field: true });
    const reference = ringAllPassSpectrumReference(ring.p, wavelengths, { field: true });
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
    expect(fieldError(wasm.field?.data as Float64Array, reference.field as Float64Array)).toBeLessThan(1e-12);
  }
  expect(Math.min(...ringAllPassSpectrumReference(ring.p, ring.exact).power)).toBeLessThan(1e-15);
});

describe("sizes and validation, the same on both sides", () => {
  const p = ringAllPass.defaults;
  it.each([0, 1, 2, 3])("handles %i wavelengths", (n) => {
    const wavelengths = Float64Array.from({ length: n }, (_, k) => 1.55e-6 + k * 1e-10);
    const reference = ringAllPassSpectrumReference(p, wavelengths, { field: true });
    const wasm = ringAllPassSpectrum(core, p, wavelengths, { field: true });
    expect(wasm.power.shape).toEqual([n]);
    expect(wasm.field?.shape).toEqual([n, 2]);
    expect(scaledError(wasm.power.data, reference.power)).toBeLessThan(1e-12);
    expect(fieldError(wasm.field?.data as Float64Array, reference.field as Float64Array)).toBeLessThan(1e-12);
  });

  it.each([
    ["a parameter out of bounds", { ...p, selfCoupling: 1.1 }, [1.55e-6], ParameterRangeError],
    ["a zero wavelength", p, [1.55e-6, 0], RangeError],
    ["a NaN wavelength", p, [Number.NaN], RangeError],
    ["an infinite wavelength", p, [Number.POSITIVE_INFINITY], RangeError],
    [
      "an undeclared parameter (a misspelt name)",
      { ...p, selfcoupling: 0.5 },
      [1.55e-6],
      UnknownParameterError,
    ],
    // n_eff(λ) = 2.4 − 1.8 (λ − 1.55 µm)/1.55 µm is 0 at 3.617 µm.
    ["a wavelength where n_eff(λ) ≤ 0", p, [1.55e-6, 3.7e-6], /wavelength\[1\].*0.0000037 m.*n_eff/],
  ] as const)("refuses %s", (_what, params, wavelengths, error) => {
    const λ = Float64Array.from(wavelengths);
    expect(() => ringAllPassSpectrum(core, params, λ)).toThrow(error);
    expect(() => ringAllPassSpectrumReference(params, λ)).toThrow(error);
  });

  it.each([
    [
      "an undeclared parameter",
      { ...ringAddDrop.defaults, selfCoupling: 0.5 },
      [1.55e-6],
      UnknownParameterError,
    ],
    ["a wavelength where n_eff(λ) ≤ 0", ringAddDrop.defaults, [3.7e-6], /wavelength\[0\].*n_eff/],
  ] as const)("refuses %s in the add-drop ring", (_what, params, wavelengths, error) => {
    const λ = Float64Array.from(wavelengths);
    expect(() => ringAddDropSpectrum(core, params, λ)).toThrow(error);
    expect(() => ringAddDropSpectrumReference(params, λ)).toThrow(error);
  });

  it("samplers refuse bad parameters once and bad wavelengths per call", () => {
    expect(() => ringAllPassSampler(core, { ...p, roundTripAmplitude: -0.1 })).toThrow(ParameterRangeError);
    expect(() => ringAllPassSampler(core, { ...p, circumferance: 1e-4 } as typeof p)).toThrow(
      UnknownParameterError,
    );
    const allPass = ringAllPassSampler(core, p);
    const addDrop = ringAddDropSampler(core, ringAddDrop.defaults);
    for (const λ of [-1e-6, 3.7e-6]) {
      expect(() => allPass.power(λ)).toThrow(RangeError);
      expect(() => allPass.field(λ)).toThrow(RangeError);
      expect(() => addDrop.throughPower(λ)).toThrow(RangeError);
      expect(() => addDrop.sample(λ)).toThrow(RangeError);
    }
    expect(() => allPass.power(3.7e-6)).toThrow(/n_eff/);
  });

  it("keeps a view valid until the next call on the core, which overwrites it (copy what you keep)", () => {
    const λ = Float64Array.of(1.55e-6, 1.56e-6);
    const first = ringAllPassSpectrum(core, p, λ);
    const kept = first.power.data.slice();
    expect(scaledError(kept, ringAllPassSpectrumReference(p, λ).power)).toBeLessThan(1e-12);
    ringAllPassSpectrum(core, { ...p, selfCoupling: 0.5 }, λ);
    expect(Array.from(first.power.data)).not.toEqual(Array.from(kept));
  });
});
