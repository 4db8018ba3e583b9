import { describe, expect, it } from "vitest";
import { hysteresis } from "../../src/sync/hysteresis.js";
import { bipolarTriangle } from "../../src/sync/waveforms.js";

describe("bipolarTriangle", () => {
  it("goes 0 → +A → 0 → −A → 0 and hits the corners exactly", () => {
    expect(Array.from(bipolarTriangle(2, 8))).toEqual([0, 1, 2, 1, 0, -1, -2, -1, 0]);
  });

  it("repeats cycles without doubling the joints", () => {
    const levels = bipolarTriangle(1, 4, 3);
    expect(Array.from(levels)).toEqual([0, 1, 0, -1, 0, 1, 0, -1, 0, 1, 0, -1, 0]);
  });

  it.each([
    [0, 8, 1, /amplitude/],
    [1, 6, 1, /multiple of 4/],
    [1, 8, 0, /cycles/],
    [Number.NaN, 8, 1, /amplitude/],
  ])("refuses amplitude %s, %s points, %s cycles", (a, n, c, message) => {
    expect(() => bipolarTriangle(a, n, c)).toThrow(message);
  });
});

describe("hysteresis", () => {
  const v = bipolarTriangle(1, 40);

  it("finds none in a resistor: same current on both branches, zero loop area", () => {
    const i = v.map((x) => x / 1000);
    const h = hysteresis(v, i);
    expect(h.branchSeparation).toBe(0);
    expect(h.loopArea).toBeCloseTo(0, 15);
  });

  it("measures a known loop: a resistor that switches from 1 kΩ to 500 Ω at the positive peak", () => {
    // Rising 0 → +1 V at 1 kΩ (k ≤ 10), everything after at 500 Ω. Shared
    // positive levels differ by V/500 − V/1000 = V/1000, largest at 0.9 V
    // (0.9 mA); the negative lobe is all 500 Ω, so no gap there. max |I| is
    // 2 mA (−1 V at 500 Ω), so separation = 0.9 / 2.
    const peak = 10;
    const i = v.map((x, k) => (k <= peak ? x / 1000 : x / 500));
    const h = hysteresis(v, i);
    expect(h.branchSeparation).toBeCloseTo(0.45, 12);
    expect(h.atVoltage).toBeCloseTo(0.9, 12);
    // Trapezoids: rising 0→1 V at 1 kΩ is exact, +0.5 mW·(1 V); falling at
    // 500 Ω is −1 mW except its first segment, which straddles the switch:
    // ½(1 + 1.8) mA × −0.1 V instead of ½(2 + 1.8) mA × −0.1 V, +0.05 mW.
    // The negative lobe cancels. |0.5 − 1 + 0.05| mW = 0.45 mW.
    expect(h.loopArea).toBeCloseTo(0.45e-3, 12);
    expect(Array.from(h.currentAtZero)).toEqual([0, 0, 0]);
  });

  it("refuses columns of different length", () => {
    expect(() => hysteresis(v, new Float64Array(3))).toThrow(/41 voltages but 3 currents/);
  });
});
