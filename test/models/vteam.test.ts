/** VTEAM's defining property (Kvatinsky et al. 2015, state equation): no state change between the thresholds, ever. */
import { describe, expect, it } from "vitest";
import {
  advance,
  simulate,
  type VteamParams,
  vteam,
  vteamPublished,
} from "../../src/models/memristor/index.js";
import { seededRandom } from "./support/waveforms.js";

const parameterSets: readonly (readonly [string, VteamParams])[] = [
  ["defaults", vteam.defaults],
  ["published", vteamPublished],
];

describe.each(parameterSets)("VTEAM, %s parameters", (_name, p) => {
  const mid = 0.5 * (p.wOn + p.wOff);

  it("leaves the state exactly where it is for any voltage in [v_on, v_off], held for any time", () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 200; trial++) {
      const v = p.vOn + (p.vOff - p.vOn) * random();
      const dt = 10 ** (12 * random() - 3); // 1 ms to 1e9 s
      for (const w of [p.wOn, mid, p.wOff]) expect(advance(vteam, p, w, v, dt)).toBe(w);
    }
    for (const w of [p.wOn, mid, p.wOff]) {
      expect(advance(vteam, p, w, p.vOff, 1e9)).toBe(w);
      expect(advance(vteam, p, w, p.vOn, 1e9)).toBe(w);
    }
  });

  it("ignores a whole sweep that stays between the thresholds", () => {
    const n = 500;
    const times = Float64Array.from({ length: n }, (_, k) => 0.02 * (k + 1));
    const voltages = times.map(
      (t) => 0.99 * p.vOff * Math.sin(2 * Math.PI * t) ** 2 + 0.99 * p.vOn * Math.cos(t) ** 2,
    );
    const { state } = simulate(vteam, p, { times, voltages, t0: 0, x0: mid });
    expect(state.every((w) => w === mid)).toBe(true);
  });

  it("moves towards w_off just above v_off and towards w_on just below v_on", () => {
    expect(advance(vteam, p, mid, 1.01 * p.vOff, 1e-3)).toBeGreaterThan(mid);
    expect(advance(vteam, p, mid, 1.01 * p.vOn, 1e-3)).toBeLessThan(mid);
  });

  it("is ohmic at fixed state, with R(w_on) = R_on and R(w_off) = R_off (linear I-V)", () => {
    expect(vteam.resistance(p.wOn, p)).toBeCloseTo(p.rOn, 9);
    expect(vteam.resistance(p.wOff, p)).toBeCloseTo(p.rOff, 6);
    expect(vteam.current(mid, 0.01, p) / 0.01).toBeCloseTo(1 / vteam.resistance(mid, p), 15);
  });
});

it("integrates a held voltage exactly: w + dt·k_off(v/v_off − 1)^α_off, until the clamp", () => {
  const p = vteam.defaults;
  const v = 0.9;
  const speed = p.kOff * (v / p.vOff - 1) ** p.alphaOff;
  for (const dt of [1e-3, 0.02, 0.1]) {
    expect(advance(vteam, p, p.wOn, v, dt)).toBeCloseTo(p.wOn + speed * dt, 22);
  }
  expect(advance(vteam, p, p.wOn, v, 1e3)).toBe(p.wOff);
});
