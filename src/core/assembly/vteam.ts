/**
 * Batch kernel of the VTEAM model (src/models/memristor/vteam.ts:
 * Kvatinsky et al. 2015, clamp window, linear I-V), for nDevices devices ×
 * nSteps time steps of length dt.
 *
 * Memory layout (all f64, device-major):
 *   params   [nDevices × 10]: rOn, rOff, wOn, wOff, kOn, kOff, alphaOn,
 *            alphaOff, vOn, vOff — the model's parameter order;
 *   x0       [nDevices];
 *   voltages [nDevices × nSteps], or [nSteps] shared when voltageStride = 0;
 *   state, current [nDevices × nSteps]: after step k (voltage k held for dt).
 *
 * With the clamp window the state speed depends on the voltage only, so it
 * is computed once per step instead of five times per substep as the
 * generic `holdVoltage` does. Nothing else changes: there, the stiffness
 * probe measures exactly 0 and the four RK4 stages are exactly this speed,
 * so the arithmetic below is the same to the bit. Its TypeScript twin,
 * src/core/reference/vteam.ts, runs the generic scheme; test/core holds the
 * two together.
 */
import { vteamResistance, vteamSpeed } from "../../models/memristor/portable/physics";
import { EDGE_RESOLUTION, project, substepLength } from "../../models/memristor/portable/scheme";

export function vteamBatch(
  nDevices: i32,
  nSteps: i32,
  params: usize,
  x0: usize,
  voltages: usize,
  voltageStride: i32,
  dt: f64,
  state: usize,
  current: usize,
): void {
  for (let d = 0; d < nDevices; d++) {
    const row = params + ((<usize>d * 10) << 3);
    const rOn = load<f64>(row);
    const rOff = load<f64>(row, 8);
    const wOn = load<f64>(row, 16);
    const wOff = load<f64>(row, 24);
    const kOn = load<f64>(row, 32);
    const kOff = load<f64>(row, 40);
    const alphaOn = load<f64>(row, 48);
    const alphaOff = load<f64>(row, 56);
    const vOn = load<f64>(row, 64);
    const vOff = load<f64>(row, 72);
    const range = wOff - wOn;
    const edge = EDGE_RESOLUTION * range;
    const vRow = voltages + ((<usize>d * <usize>voltageStride) << 3);
    const out = (<usize>d * <usize>nSteps) << 3;
    let w = load<f64>(x0 + ((<usize>d) << 3));
    for (let k = 0; k < nSteps; k++) {
      const v = load<f64>(vRow + ((<usize>k) << 3));
      const g = vteamSpeed(v, kOn, kOff, alphaOn, alphaOff, vOn, vOff);
      let elapsed: f64 = 0;
      while (elapsed < dt) {
        if (g === 0 || (g > 0 && w >= wOff - edge) || (g < 0 && w <= wOn + edge)) break;
        const remaining = dt - elapsed;
        const h = substepLength(remaining, Math.abs(g), 0, range);
        const next = project(w + (h / 6) * (g + 2 * g + 2 * g + g), wOn, wOff);
        if (next === w) break;
        w = next;
        elapsed = h === remaining ? dt : elapsed + h;
      }
      const at = out + ((<usize>k) << 3);
      store<f64>(state + at, w);
      store<f64>(current + at, v / vteamResistance(w, rOn, rOff, wOn, wOff));
    }
  }
}
