/**
 * Strukov's linear drift has a closed form. With M = R_off − ΔR·x and
 * dx/dt = k·i, k = μ_v R_on/D², ΔR = R_off − R_on (Strukov et al. 2008,
 * eqs. (5)–(6)), M·dM/dt = −ΔR·k·v, hence
 *   M(t)² = M(0)² − 2·k·ΔR·φ(t),   φ(t) = ∫ v dt,
 * the flux form of their charge-controlled memristance M(q) = R_off − ΔR·k·q
 * (unnumbered in the paper: eq. (7) put into (5), with R_on ≪ R_off dropped). Under zero-order hold φ at the
 * samples is the exact sum of v·Δt.
 */
import { describe, expect, it } from "vitest";
import { loadCore } from "../../src/core/load-node.js";
import {
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  logitOf,
  type MemristorModel,
  simulate,
  stateFraction,
} from "../../src/models/memristor/index.js";
import { sineSweep } from "./support/waveforms.js";

type Drift = { rOn: number; rOff: number; thickness: number; mobility: number };

/** x(t) from the closed form, for a zero-order-hold waveform. */
function closedForm(
  p: Drift,
  x0: number,
  times: Float64Array,
  voltages: Float64Array,
  t0: number,
): Float64Array {
  const k = (p.mobility * p.rOn) / (p.thickness * p.thickness);
  const deltaR = p.rOff - p.rOn;
  const m0 = p.rOff - deltaR * x0;
  let flux = 0;
  let previous = t0;
  return times.map((t, n) => {
    flux += (voltages[n] as number) * (t - previous);
    previous = t;
    return (p.rOff - Math.sqrt(m0 * m0 - 2 * k * deltaR * flux)) / deltaR;
  });
}

describe("linear ion drift against Strukov's closed form", () => {
  it.each([
    [0.5, 1, 0.1],
    [1, 1, 0.1],
    [1, 0.5, 0.1],
    [0.3, 5, 0.6],
  ])(
    "without a window: ±%s V at %s Hz from x0 = %s follows M² = M0² − 2kΔRφ to 1e-8",
    (amplitude, frequency, x0) => {
      const p = linearIonDriftIdeal.defaults;
      const sweep = sineSweep(amplitude, frequency, 2, 150);
      const { state } = simulate(linearIonDriftIdeal, p, { ...sweep, x0 });
      const expected = closedForm(p, x0, sweep.times, sweep.voltages, 0);
      // The drive moves the state well inside (0, 1), so the edges never act.
      expect(Math.max(...state) - x0).toBeGreaterThan(0.01);
      expect(Math.max(...state)).toBeLessThan(0.99);
      for (let n = 0; n < state.length; n++)
        expect(Math.abs((state[n] as number) - (expected[n] as number))).toBeLessThan(1e-8);
    },
  );

  it("with Joglekar's window, small excursions about x = 0.5 follow it to within the window's deviation from 1", () => {
    const model: MemristorModel<typeof linearIonDriftJoglekar.defaults> = linearIonDriftJoglekar;
    const p = model.defaults;
    const x0 = 0.5;
    const sweep = sineSweep(0.2, 2, 2, 150);
    const state = simulate(model, p, { ...sweep, x0: logitOf(x0) }).state.map((u) =>
      stateFraction(model, p, u),
    );
    const expected = closedForm(p, x0, sweep.times, sweep.voltages, 0);
    const excursion = Math.max(...state.map((x) => Math.abs(x - x0)));
    // Here |2x − 1| ≤ 2·excursion, so 1 − f ≤ (2·excursion)^{2p}: the window slows the drift by at most
    // that fraction, so the state can lag the closed form by at most that fraction of the distance travelled.
    const windowDeviation = (2 * excursion) ** (2 * p.windowExponent);
    let travelled = Math.abs((state[0] as number) - x0);
    expect(excursion).toBeGreaterThan(0.01);
    expect(windowDeviation).toBeLessThan(1e-4);
    for (let n = 0; n < state.length; n++) {
      if (n > 0) travelled += Math.abs((state[n] as number) - (state[n - 1] as number));
      expect(Math.abs((state[n] as number) - (expected[n] as number))).toBeLessThan(
        windowDeviation * travelled + 1e-8,
      );
    }
    // And the window does act: the largest lag is a visible fraction of that bound, not rounding.
    const lag = Math.max(...state.map((x, n) => Math.abs(x - (expected[n] as number))));
    expect(lag).toBeGreaterThan(1e-2 * windowDeviation * travelled);
  });
});

/**
 * Joglekar's window with p = 1, f = 1 − (2x − 1)² = 4x(1 − x), makes the
 * logit u = ln(x/(1 − x)) move with the charge alone: du/dt = 4k·i, so
 * u = u₀ + 4k·q. With M = R_off − ΔR·x, the flux φ = ∫v dt = ∫M dq is
 *   F(q) = R_off·q − (ΔR/4k)·[s(u₀ + 4kq) − s(u₀)],   s(z) = ln(1 + e^z),
 * increasing in q (F′ = M > 0): the state at each sample is u₀ + 4k·F⁻¹(φ),
 * and after each whole period (φ = 0 again) it is back at x₀ exactly.
 * The case that found the defect (issue 18): ±1.5 V at 0.5 Hz from x₀ =
 * 0.3 drives the state to 1 − x ≈ e⁻¹⁹⁰ each positive half period. On x the
 * model came back from 2⁻⁵² instead, at 50 steps a period (x = 0.115 after
 * one period, the current off by up to 99 %), or stuck at x = 1 at 20,000.
 */
describe("linear ion drift with Joglekar's window (p = 1) against its charge-only closed form", () => {
  const p = { ...linearIonDriftJoglekar.defaults, windowExponent: 1 };
  const k = (p.mobility * p.rOn) / (p.thickness * p.thickness);
  const deltaR = p.rOff - p.rOn;
  const x0 = 0.3;
  const u0 = Math.log(x0 / (1 - x0));
  const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
  const flux = (q: number) => p.rOff * q - (deltaR / (4 * k)) * (softplus(u0 + 4 * k * q) - softplus(u0));

  /** u at each sample from the held waveform's flux, F⁻¹ by bisection between φ/R_off and φ/R_on. */
  function closedForm(times: Float64Array, voltages: Float64Array): Float64Array {
    let phi = 0;
    let previous = 0;
    return times.map((t, n) => {
      phi += (voltages[n] as number) * (t - previous);
      previous = t;
      let [low, high] = [phi / p.rOff, phi / p.rOn].sort((a, b) => a - b) as [number, number];
      for (let iteration = 0; iteration < 200 && high - low > 0; iteration++) {
        const middle = 0.5 * (low + high);
        if (middle === low || middle === high) break;
        if (flux(middle) < phi) low = middle;
        else high = middle;
      }
      return u0 + 4 * k * 0.5 * (low + high);
    });
  }

  const currentOf = (u: number, v: number) => {
    const x = 1 / (1 + Math.exp(-u));
    const y = 1 / (1 + Math.exp(u));
    return v / (p.rOn * x + p.rOff * y);
  };

  it.each([50, 500, 20_000])(
    "±1.5 V at 0.5 Hz from x0 = 0.3, %i steps a period: the state and current of the closed form throughout, and x0 after each period",
    async (perPeriod) => {
      const sweep = sineSweep(1.5, 0.5, 3, perPeriod);
      const expected = closedForm(sweep.times, sweep.voltages);
      const expectedCurrent = expected.map((u, n) => currentOf(u, sweep.voltages[n] as number));
      // The drive goes deep: 1 − x ≈ e^{−190} at the peak of each period.
      expect(Math.max(...expected)).toBeGreaterThan(185);
      const core = await loadCore();
      const wasm = core.linearIonDriftBatch({
        window: "joglekar",
        params: Float64Array.from(
          linearIonDriftJoglekar.parameters.map((spec) => p[spec.name as keyof typeof p]),
        ),
        x0: Float64Array.of(u0),
        voltages: sweep.voltages,
        nSteps: perPeriod * 3,
        dt: (sweep.times[0] as number) - 0,
      });
      const model = simulate(linearIonDriftJoglekar, p, { ...sweep, x0: u0 });
      for (const [backend, state, current] of [
        ["model", model.state, model.current],
        ["wasm", wasm.state.data, wasm.current.data],
      ] as const) {
        let worstState = 0;
        let worstCurrent = 0;
        for (let n = 0; n < expected.length; n++) {
          worstState = Math.max(worstState, Math.abs((state[n] as number) - (expected[n] as number)));
          const scale = Math.abs(expectedCurrent[n] as number);
          if (scale > 0) {
            worstCurrent = Math.max(
              worstCurrent,
              Math.abs((current[n] as number) - (expectedCurrent[n] as number)) / scale,
            );
          }
        }
        expect(worstState, `${backend}: worst |u − u_exact|`).toBeLessThan(1e-6);
        expect(worstCurrent, `${backend}: worst relative current error`).toBeLessThan(1e-6);
        for (let period = 1; period <= 3; period++) {
          const x = stateFraction(linearIonDriftJoglekar, p, state[period * perPeriod - 1] as number);
          expect(Math.abs(x - x0), `${backend}: x after period ${period}`).toBeLessThan(1e-9);
        }
      }
    },
  );
});
