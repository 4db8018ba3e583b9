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
import {
  linearIonDriftIdeal,
  linearIonDriftJoglekar,
  type MemristorModel,
  simulate,
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
    const { state } = simulate(model, p, { ...sweep, x0 });
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
