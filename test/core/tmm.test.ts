/**
 * The `tmmSpectrum` kernel against its TypeScript reference (the model's
 * `stackSpectrum`) on random stacks over angles × wavelengths: every element
 * of R, T, r, t (s and p) within 1e-12 of itself (`relativeError`: floor
 * only for rounding noise), including around an anti-reflection zero. The two do the same
 * arithmetic and differ only in sin, cos, expm1, hypot and exp (musl's in
 * the kernel, V8's in the reference, a unit in the last place apart on ~1 %
 * to ~40 % of arguments); the stacks here agree to a few 1e-15.
 *
 * The cases cover absorbing layers and substrates, zero-thickness layers,
 * angles beyond the critical angle, indices given per wavelength, the bare
 * interface and a stack opaque enough that T underflows.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { tmmSpectrum } from "../../src/core/kernels/tmm.js";
import { loadCore } from "../../src/core/load-node.js";
import { tmmSpectrumReference } from "../../src/core/reference/tmm.js";
import type { Core } from "../../src/core/wasm.js";
import { ParameterRangeError } from "../../src/models/parameters.js";
import { type SpectrumInput, spectrumInput } from "../../src/models/thin-film/index.js";
import { seededRandom } from "../models/support/waveforms.js";
import { randomStack } from "../models/thin-film/support/stacks.js";

let core: Core;
beforeAll(async () => {
  core = await loadCore();
});

/**
 * A random stack (up to 12 layers, absorbing; one layer of zero thickness)
 * over 150 random wavelengths in 0.4–2 µm and 4 angles, the last beyond
 * the critical angle towards the substrate when there is one. With
 * `dispersive`, every index gets its own random value at every wavelength.
 */
function randomInput(seed: number, dispersive: boolean): SpectrumInput {
  const random = seededRandom(seed);
  const stack = randomStack(seed, { maxLayers: 12, layerK: 0.8, substrateK: 0.3 });
  const zeroed = {
    ...stack,
    layers: stack.layers.map((layer, j) => (j === 1 ? { ...layer, thickness: 0 } : layer)),
  };
  const wavelengths = Array.from({ length: 150 }, () => 0.4e-6 + 1.6e-6 * random());
  const input = spectrumInput(zeroed, wavelengths, [0, 0.4 * random(), 0.4 + 0.6 * random(), 1.5]);
  if (!dispersive) return input;
  const nMedia = input.indices.length / 2;
  const indices = new Float64Array(2 * nMedia * wavelengths.length);
  for (let m = 0; m < nMedia; m++) {
    for (let l = 0; l < wavelengths.length; l++) {
      indices[2 * (m * wavelengths.length + l)] = (input.indices[2 * m] as number) * (0.9 + 0.2 * random());
      indices[2 * (m * wavelengths.length + l) + 1] =
        m === 0 ? 0 : (input.indices[2 * m + 1] as number) * random();
    }
  }
  return { ...input, indices };
}

/**
 * Largest elementwise relative error |w − r| / max(|r|, floor) (for r and
 * t an element is the complex number, |r| its modulus). The floor is
 * 1e-12 of the output's largest |value|: r = (η₀B − C)/D is a difference
 * of O(scale) terms, so an element below ~1e-12 of scale (e.g. r at an
 * exact anti-reflection zero, R ~ 1e-34) is rounding noise in both
 * computations and only needs to agree to 1e-24 of scale; everything
 * above is held to 1e-12 of itself.
 */
function relativeError(wasm: ArrayLike<number>, reference: Float64Array, complex: boolean): number {
  expect(wasm.length).toBe(reference.length);
  const step = complex ? 2 : 1;
  const size = (k: number) =>
    complex
      ? Math.hypot(reference[k] as number, reference[k + 1] as number)
      : Math.abs(reference[k] as number);
  let scale = 0;
  for (let k = 0; k < reference.length; k += step) scale = Math.max(scale, size(k));
  const floor = 1e-12 * scale;
  let worst = 0;
  for (let k = 0; k < reference.length; k += step) {
    const dr = (wasm[k] as number) - (reference[k] as number);
    const di = complex ? (wasm[k + 1] as number) - (reference[k + 1] as number) : 0;
    const difference = Math.hypot(dr, di);
    const bound = Math.max(size(k), floor);
    worst = Math.max(
      worst,
      bound === 0 ? (difference === 0 ? 0 : Number.POSITIVE_INFINITY) : difference / bound,
    );
  }
  return worst;
}

function expectAgreement(input: SpectrumInput) {
  const views = tmmSpectrum(core, input);
  const reference = tmmSpectrumReference(input);
  const [nAngles, nWavelengths] = [input.angles.length, input.wavelengths.length];
  for (const pol of ["s", "p"] as const) {
    expect(views[pol].R.shape).toEqual([nAngles, nWavelengths]);
    expect(views[pol].r.shape).toEqual([nAngles, nWavelengths, 2]);
    for (const output of ["R", "T", "r", "t"] as const) {
      expect(
        relativeError(views[pol][output].data, reference[pol][output], output === "r" || output === "t"),
      ).toBeLessThan(1e-12);
    }
  }
}

const seeds = [1, 2, 3, 4, 5];

describe("tmmSpectrum", () => {
  it.each(seeds)("matches the reference on random stack %i, indices the same at every wavelength", (seed) => {
    expectAgreement(randomInput(seed, false));
  });

  it.each(seeds)("matches the reference on random stack %i, indices given per wavelength", (seed) => {
    expectAgreement(randomInput(seed, true));
  });

  it.each([
    ["a bare interface", { ambient: { n: 1 }, layers: [], substrate: { n: 1.5, k: 0 } }],
    [
      "an opaque layer (Σ Im δ in the thousands: T underflows to 0)",
      { ambient: { n: 1 }, layers: [{ n: 2, k: 0.5, thickness: 1e-3 }], substrate: { n: 1.5, k: 0 } },
    ],
    [
      "a quarter-wave anti-reflection coating (n = √(n₀n_s)): R → 0 at 1.55 µm",
      {
        ambient: { n: 1 },
        layers: [{ n: Math.sqrt(1.52), k: 0, thickness: 1.55e-6 / (4 * Math.sqrt(1.52)) }],
        substrate: { n: 1.52, k: 0 },
      },
    ],
  ])("matches the reference on %s", (_name, stack) => {
    // Around 1.55 µm in 10 pm steps: R of the coating from 1e-34 (at 1.55 µm) through 5e-12 up.
    const around = Array.from({ length: 101 }, (_, k) => 1.55e-6 + (k - 50) * 1e-11);
    expectAgreement(spectrumInput(stack, [0.5e-6, 1e-6, ...around], [0, 0.7]));
  });
});

describe("the views", () => {
  const input = randomInput(7, false);

  it("are over the core's memory (zero-copy), and the next call of the same shape reuses them", () => {
    const first = tmmSpectrum(core, input);
    expect(first.s.R.data.buffer).toBe(core.exports.memory.buffer);
    const value = first.p.T.get(2, 17);
    const moved = { ...input, angles: input.angles.map((angle) => angle * 0.5) };
    const second = tmmSpectrum(core, moved);
    expect(second.p.T).toBe(first.p.T);
    expect(second.p.T.get(2, 17)).toBeCloseTo(
      tmmSpectrumReference(moved).p.T[2 * input.wavelengths.length + 17] as number,
      14,
    );
    expect(second.p.T.get(2, 17)).not.toBe(value);
  });

  it("of a call of another shape are new", () => {
    const first = tmmSpectrum(core, input);
    const other = tmmSpectrum(core, { ...input, angles: input.angles.subarray(1) });
    expect(other.s.R).not.toBe(first.s.R);
    expect(other.s.R.shape).toEqual([input.angles.length - 1, input.wavelengths.length]);
  });

  it("run an empty grid", () => {
    expect(tmmSpectrum(core, { ...input, wavelengths: new Float64Array(0) }).s.R.shape).toEqual([
      input.angles.length,
      0,
    ]);
  });
});

describe("validation, the same on both sides", () => {
  const good = () => randomInput(8, false);
  it.each([
    ["a negative thickness", (i: SpectrumInput) => i.thicknesses.set([-1e-9], 0), ParameterRangeError],
    ["an index below its bound", (i: SpectrumInput) => i.indices.set([0], 4), ParameterRangeError],
    ["gain (k < 0)", (i: SpectrumInput) => i.indices.set([-0.1], 5), ParameterRangeError],
    ["an absorbing ambient", (i: SpectrumInput) => i.indices.set([0.1], 1), ParameterRangeError],
    ["a zero wavelength", (i: SpectrumInput) => i.wavelengths.set([0], 3), RangeError],
    ["grazing incidence", (i: SpectrumInput) => i.angles.set([Math.PI / 2], 1), RangeError],
    [
      "indices that fit neither one row nor one per wavelength",
      (i: SpectrumInput) => ({ ...i, indices: new Float64Array(i.indices.length * 2) }),
      RangeError,
    ],
  ] as const)("refuses %s", (_what, spoil, error) => {
    const input = good();
    const spoilt = (spoil(input) as SpectrumInput | undefined) ?? input;
    expect(() => tmmSpectrum(core, spoilt)).toThrow(error);
    expect(() => tmmSpectrumReference(spoilt)).toThrow(error);
  });
});
