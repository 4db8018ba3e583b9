/**
 * The mesh's sine and cosine (portable/trig.ts, shared with the WASM core):
 * within an ulp or so of V8's Math.sin/Math.cos everywhere phases live, and
 * V8's own beyond the reduction limit.
 */
import { expect, it } from "vitest";
import { cosine, sine } from "../../../../src/models/photonic/mesh/index.js";
import { seededRandom } from "../../support/waveforms.js";

it.each([
  ["[−π/4, π/4]", Math.PI / 4],
  ["[−2π, 2π]", 2 * Math.PI],
  ["[−1000, 1000]", 1000],
  ["[−10⁶, 10⁶]", 1e6],
])("agrees with Math.sin and Math.cos to 2.3e-16 on 20000 points of %s", (_range, half) => {
  const random = seededRandom(Math.round(half));
  let worst = 0;
  for (let k = 0; k < 20000; k++) {
    const x = half * (2 * random() - 1);
    worst = Math.max(worst, Math.abs(sine(x) - Math.sin(x)), Math.abs(cosine(x) - Math.cos(x)));
  }
  expect(worst).toBeLessThanOrEqual(2.3e-16);
});

it.each([
  [0, 0, 1],
  [Math.PI / 2, 1, 6.123233995736766e-17],
  [Math.PI, 1.2246467991473532e-16, -1],
  [-Math.PI / 6, -0.5, Math.sqrt(3) / 2],
])("sin, cos of %f are %f, %f (to an ulp)", (x, s, c) => {
  expect(Math.abs(sine(x) - s)).toBeLessThanOrEqual(1.2e-16);
  expect(Math.abs(cosine(x) - c)).toBeLessThanOrEqual(1.2e-16);
});

it("takes V8's Math.sin and Math.cos beyond 10⁶ rad", () => {
  for (const x of [1.0000001e6, -3e9, 1e300]) {
    expect(sine(x)).toBe(Math.sin(x));
    expect(cosine(x)).toBe(Math.cos(x));
  }
});
