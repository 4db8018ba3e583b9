/**
 * Batch kernel of the linear ion drift model (src/models/memristor/
 * linear-ion-drift.ts: Strukov et al. 2008, windows of windows.ts), for
 * nDevices devices × nSteps time steps of length dt.
 *
 * Memory layout (all f64, device-major):
 *   params   [nDevices × paramStride]: rOn, rOff, thickness, mobility,
 *            then windowExponent (Joglekar, Biolek, Prodromakis) and
 *            windowScale (Prodromakis) — the model's parameter order;
 *   x0       [nDevices];
 *   voltages [nDevices × nSteps], or [nSteps] shared when voltageStride = 0;
 *   state, current [nDevices × nSteps]: after step k (voltage k held for dt).
 *
 * The physics and the substep rule are the model layer's own portable code;
 * the hold loop mirrors `holdVoltage` (src/models/memristor/integrate.ts)
 * line for line. Its TypeScript twin, src/core/reference/linear-ion-drift.ts,
 * runs the model layer itself; test/core holds the two together.
 */
import {
  biolekWindow,
  joglekarWindow,
  memristance,
  prodromakisWindow,
} from "../../models/memristor/portable/physics";
import { EDGE_RESOLUTION, PROBE_STEP, project, substepLength } from "../../models/memristor/portable/scheme";
import { WINDOW_BIOLEK, WINDOW_JOGLEKAR, WINDOW_PRODROMAKIS } from "../window-codes";

/** dx/dt = (μ_v R_on/D²)·i·f(x), with drift = μ_v R_on/D² computed once per device. */
function rate(x: f64, v: f64, rOn: f64, rOff: f64, drift: f64, window: i32, exponent: f64, scale: f64): f64 {
  const i = v / memristance(x, rOn, rOff);
  let f: f64 = 1;
  if (window === WINDOW_JOGLEKAR) f = joglekarWindow(x, exponent);
  else if (window === WINDOW_BIOLEK) f = biolekWindow(x, i, exponent);
  else if (window === WINDOW_PRODROMAKIS) f = prodromakisWindow(x, exponent, scale);
  return drift * i * f;
}

export function linearIonDriftBatch(
  window: i32,
  nDevices: i32,
  nSteps: i32,
  params: usize,
  paramStride: i32,
  x0: usize,
  voltages: usize,
  voltageStride: i32,
  dt: f64,
  state: usize,
  current: usize,
): void {
  const lower: f64 = 0;
  const upper: f64 = 1;
  const range = upper - lower;
  const edge = EDGE_RESOLUTION * range;
  const probe = PROBE_STEP * range;
  const middle = lower + 0.5 * range;
  for (let d = 0; d < nDevices; d++) {
    const row = params + ((<usize>d * <usize>paramStride) << 3);
    const rOn = load<f64>(row);
    const rOff = load<f64>(row, 8);
    const thickness = load<f64>(row, 16);
    const mobility = load<f64>(row, 24);
    const exponent = paramStride > 4 ? load<f64>(row, 32) : 0;
    const scale = paramStride > 5 ? load<f64>(row, 40) : 1;
    const drift = (mobility * rOn) / (thickness * thickness);
    const vRow = voltages + ((<usize>d * <usize>voltageStride) << 3);
    const out = (<usize>d * <usize>nSteps) << 3;
    let x = load<f64>(x0 + ((<usize>d) << 3));
    for (let k = 0; k < nSteps; k++) {
      const v = load<f64>(vRow + ((<usize>k) << 3));
      let elapsed: f64 = 0;
      while (elapsed < dt) {
        const k1 = rate(x, v, rOn, rOff, drift, window, exponent, scale);
        if (k1 === 0 || (k1 > 0 && x >= upper - edge) || (k1 < 0 && x <= lower + edge)) break;
        const probed = x < middle ? x + probe : x - probe;
        const stiffness = Math.abs(rate(probed, v, rOn, rOff, drift, window, exponent, scale) - k1) / probe;
        const remaining = dt - elapsed;
        const h = substepLength(remaining, Math.abs(k1), stiffness, range);
        const k2 = rate(
          project(x + 0.5 * h * k1, lower, upper),
          v,
          rOn,
          rOff,
          drift,
          window,
          exponent,
          scale,
        );
        const k3 = rate(
          project(x + 0.5 * h * k2, lower, upper),
          v,
          rOn,
          rOff,
          drift,
          window,
          exponent,
          scale,
        );
        const k4 = rate(project(x + h * k3, lower, upper), v, rOn, rOff, drift, window, exponent, scale);
        const next = project(x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), lower, upper);
        if (next === x) break;
        x = next;
        elapsed = h === remaining ? dt : elapsed + h;
      }
      const at = out + ((<usize>k) << 3);
      store<f64>(state + at, x);
      store<f64>(current + at, v / memristance(x, rOn, rOff));
    }
  }
}
