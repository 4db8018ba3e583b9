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
 * The physics and the substep rule are the model layer's own portable code
 * (the windows' power by ./power.ts, the same bits without the portable
 * range reductions' branches); `substep` is one pass of `holdVoltage`'s
 * loop (src/models/memristor/integrate.ts) line for line, and devices run
 * in pairs (see linearIonDriftBatch). Its TypeScript twin,
 * src/core/reference/linear-ion-drift.ts, runs the model layer itself;
 * test/core holds the two together, to the bit.
 */
import { memristance } from "../../models/memristor/portable/physics";
import { EDGE_RESOLUTION, PROBE_STEP, project, substepLength } from "../../models/memristor/portable/scheme";
import { WINDOW_BIOLEK, WINDOW_JOGLEKAR, WINDOW_PRODROMAKIS } from "../window-codes";
import { power } from "./power";

// The windows of portable/physics.ts, on the bit-level `power` (./power.ts:
// the same results, without the portable range reductions' branches).
function joglekarWindow(x: f64, exponent: f64): f64 {
  return 1 - power(Math.abs(2 * x - 1), 2 * exponent);
}

function biolekWindow(x: f64, current: f64, exponent: f64): f64 {
  return 1 - power(Math.abs(x - (current <= 0 ? 1.0 : 0.0)), 2 * exponent);
}

function prodromakisWindow(x: f64, exponent: f64, scale: f64): f64 {
  return scale * (1 - power((x - 0.5) * (x - 0.5) + 0.75, exponent));
}

/** dx/dt = (μ_v R_on/D²)·i·f(x), with drift = μ_v R_on/D² computed once per device. */
function rate(x: f64, v: f64, rOn: f64, rOff: f64, drift: f64, window: i32, exponent: f64, scale: f64): f64 {
  const i = v / memristance(x, rOn, rOff);
  let f: f64 = 1;
  if (window === WINDOW_JOGLEKAR) f = joglekarWindow(x, exponent);
  else if (window === WINDOW_BIOLEK) f = biolekWindow(x, i, exponent);
  else if (window === WINDOW_PRODROMAKIS) f = prodromakisWindow(x, exponent, scale);
  return drift * i * f;
}

// Substep length `substep` took, or −1 where the hold ends before a substep (see there).
let taken: f64 = 0;

/**
 * One substep of `holdVoltage`'s loop from state x with `remaining` of the
 * hold left: returns the next state and sets `taken` to its length h, or
 * returns x with taken = −1 where the loop breaks before stepping (an
 * equilibrium, or a bound reached and moved towards).
 */
function substep(
  x: f64,
  v: f64,
  remaining: f64,
  rOn: f64,
  rOff: f64,
  drift: f64,
  window: i32,
  exponent: f64,
  scale: f64,
): f64 {
  const lower: f64 = 0;
  const upper: f64 = 1;
  const range = upper - lower;
  const edge = EDGE_RESOLUTION * range;
  const probe = PROBE_STEP * range;
  const middle = lower + 0.5 * range;
  const k1 = rate(x, v, rOn, rOff, drift, window, exponent, scale);
  if (k1 === 0 || (k1 > 0 && x >= upper - edge) || (k1 < 0 && x <= lower + edge)) {
    taken = -1;
    return x;
  }
  const probed = x < middle ? x + probe : x - probe;
  const stiffness = Math.abs(rate(probed, v, rOn, rOff, drift, window, exponent, scale) - k1) / probe;
  const h = substepLength(remaining, Math.abs(k1), stiffness, range);
  const k2 = rate(project(x + 0.5 * h * k1, lower, upper), v, rOn, rOff, drift, window, exponent, scale);
  const k3 = rate(project(x + 0.5 * h * k2, lower, upper), v, rOn, rOff, drift, window, exponent, scale);
  const k4 = rate(project(x + h * k3, lower, upper), v, rOn, rOff, drift, window, exponent, scale);
  taken = h;
  return project(x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), lower, upper);
}

/**
 * Devices run two at a time, their holds in lockstep (a substep of one,
 * then a substep of the other, until both holds end): each device's
 * substeps are a chain of dependent RK4 stages, each stage a window power
 * (a log and an exp in series), so one device alone leaves the CPU waiting
 * on latency; two independent chains fill it. Each device does exactly the
 * arithmetic of `holdVoltage`, so the results are unchanged to the bit.
 */
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
  for (let d = 0; d < nDevices; d += 2) {
    // Lane B is device d + 1, or a second copy of device d (its results discarded) when d is the last.
    const e = d + 1 < nDevices ? d + 1 : d;
    const rowA = params + ((<usize>d * <usize>paramStride) << 3);
    const rowB = params + ((<usize>e * <usize>paramStride) << 3);
    const rOnA = load<f64>(rowA);
    const rOffA = load<f64>(rowA, 8);
    const exponentA = paramStride > 4 ? load<f64>(rowA, 32) : 0;
    const scaleA = paramStride > 5 ? load<f64>(rowA, 40) : 1;
    const driftA = (load<f64>(rowA, 24) * rOnA) / (load<f64>(rowA, 16) * load<f64>(rowA, 16));
    const rOnB = load<f64>(rowB);
    const rOffB = load<f64>(rowB, 8);
    const exponentB = paramStride > 4 ? load<f64>(rowB, 32) : 0;
    const scaleB = paramStride > 5 ? load<f64>(rowB, 40) : 1;
    const driftB = (load<f64>(rowB, 24) * rOnB) / (load<f64>(rowB, 16) * load<f64>(rowB, 16));
    const vRowA = voltages + ((<usize>d * <usize>voltageStride) << 3);
    const vRowB = voltages + ((<usize>e * <usize>voltageStride) << 3);
    const outA = (<usize>d * <usize>nSteps) << 3;
    const outB = (<usize>e * <usize>nSteps) << 3;
    let xA = load<f64>(x0 + ((<usize>d) << 3));
    let xB = load<f64>(x0 + ((<usize>e) << 3));
    for (let k = 0; k < nSteps; k++) {
      const vA = load<f64>(vRowA + ((<usize>k) << 3));
      const vB = load<f64>(vRowB + ((<usize>k) << 3));
      let elapsedA: f64 = 0;
      let elapsedB: f64 = 0;
      let runA = elapsedA < dt;
      let runB = e !== d && elapsedB < dt;
      while (runA || runB) {
        if (runA) {
          const remaining = dt - elapsedA;
          const next = substep(xA, vA, remaining, rOnA, rOffA, driftA, window, exponentA, scaleA);
          if (taken < 0 || next === xA) runA = false;
          else {
            xA = next;
            elapsedA = taken === remaining ? dt : elapsedA + taken;
            runA = elapsedA < dt;
          }
        }
        if (runB) {
          const remaining = dt - elapsedB;
          const next = substep(xB, vB, remaining, rOnB, rOffB, driftB, window, exponentB, scaleB);
          if (taken < 0 || next === xB) runB = false;
          else {
            xB = next;
            elapsedB = taken === remaining ? dt : elapsedB + taken;
            runB = elapsedB < dt;
          }
        }
      }
      const atA = outA + ((<usize>k) << 3);
      store<f64>(state + atA, xA);
      store<f64>(current + atA, vA / memristance(xA, rOnA, rOffA));
      if (e !== d) {
        const atB = outB + ((<usize>k) << 3);
        store<f64>(state + atB, xB);
        store<f64>(current + atB, vB / memristance(xB, rOnB, rOffB));
      }
    }
  }
}
