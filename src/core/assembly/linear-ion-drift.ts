/**
 * Batch kernel of the linear ion drift model (src/models/memristor/
 * linear-ion-drift.ts: Strukov et al. 2008, windows of windows.ts), for
 * nDevices devices × nSteps time steps of length dt.
 *
 * Memory layout (all f64, device-major):
 *   params   [nDevices × paramStride]: rOn, rOff, thickness, mobility,
 *            then windowExponent (Joglekar, Biolek, Prodromakis) and
 *            windowScale (Prodromakis) — the model's parameter order;
 *   x0       [nDevices]: the model's state, x, or u = logit x under
 *            Joglekar's and Prodromakis' windows (linear-ion-drift.ts);
 *   voltages [nDevices × nSteps], or [nSteps] shared when voltageStride = 0;
 *   state, current [nDevices × nSteps]: after step k (voltage k held for dt).
 *
 * The physics and the substep rule are the model layer's own portable code
 * (Biolek's power by ./power.ts, the same bits without the portable range
 * reductions' branches); `substep` is one pass of `holdVoltage`'s loop
 * (src/models/memristor/integrate.ts) line for line, `substep2` the same
 * for two devices at once, their rates in f64x2 (see linearIonDriftBatch),
 * and `logitSubstep` the same on the logit state, one device at a time
 * (its rate, a logistic and a window in c = x(1 − x), is the portable
 * code's own). Its TypeScript twin,
 * src/core/reference/linear-ion-drift.ts, runs the model layer itself;
 * test/core holds the two together, to the bit.
 */
import {
  edgeDistance,
  logitDriftRate,
  logitMemristance,
  logitReach,
  memristance,
} from "../../models/memristor/portable/physics";
import {
  EDGE_RESOLUTION,
  LOGIT_BOUND,
  LOGIT_SCALE,
  MAX_STATE_STEP,
  PROBE_STEP,
  project,
  stiffnessLength,
  stretchedSubstepLength,
  substepLength,
} from "../../models/memristor/portable/scheme";
import { WINDOW_BIOLEK, WINDOW_JOGLEKAR, WINDOW_PRODROMAKIS } from "../window-codes";
import { Pair, power } from "./power";

// Biolek's window of portable/physics.ts, on the bit-level `power` (./power.ts:
// the same results, without the portable range reductions' branches).
function biolekWindow(x: f64, current: f64, exponent: f64): f64 {
  return 1 - power(Math.abs(x - (current <= 0 ? 1.0 : 0.0)), 2 * exponent);
}

/**
 * dx/dt = (μ_v R_on/D²)·i·f(x), with drift = μ_v R_on/D² computed once per
 * device, for the windows on the state x (none, Biolek's); Joglekar's and
 * Prodromakis' run on the logit state (`logitSubstep`).
 */
function rate(x: f64, v: f64, rOn: f64, rOff: f64, drift: f64, window: i32, exponent: f64): f64 {
  const i = v / memristance(x, rOn, rOff);
  let f: f64 = 1;
  if (window === WINDOW_BIOLEK) f = biolekWindow(x, i, exponent);
  return drift * i * f;
}

// The state range [lower, upper] of the linear drift model and what the scheme derives from it.
const lower: f64 = 0;
const upper: f64 = 1;
const range: f64 = upper - lower;
const edge: f64 = EDGE_RESOLUTION * range;
const probe: f64 = PROBE_STEP * range;
const middle: f64 = lower + 0.5 * range;

/** `holdVoltage`'s stop: an equilibrium, or a bound reached and moved towards. */
function stops(x: f64, k1: f64): bool {
  return k1 === 0 || (k1 > 0 && x >= upper - edge) || (k1 < 0 && x <= lower + edge);
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
): f64 {
  const k1 = rate(x, v, rOn, rOff, drift, window, exponent);
  if (stops(x, k1)) {
    taken = -1;
    return x;
  }
  const probed = x < middle ? x + probe : x - probe;
  const stiffness = Math.abs(rate(probed, v, rOn, rOff, drift, window, exponent) - k1) / probe;
  const h = substepLength(remaining, Math.abs(k1), stiffness, range);
  const k2 = rate(project(x + 0.5 * h * k1, lower, upper), v, rOn, rOff, drift, window, exponent);
  const k3 = rate(project(x + 0.5 * h * k2, lower, upper), v, rOn, rOff, drift, window, exponent);
  const k4 = rate(project(x + h * k3, lower, upper), v, rOn, rOff, drift, window, exponent);
  taken = h;
  return project(x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), lower, upper);
}

// ---------------------------------------------------------------- the logit state

// Joglekar's and Prodromakis' windows vanish at both edges: the model keeps
// u = logit x (src/models/memristor/linear-ion-drift.ts, `logitDrift`) in
// [−LOGIT_BOUND, LOGIT_BOUND], its rate and slope from portable/physics.ts.
const logitLower: f64 = -LOGIT_BOUND;
const logitUpper: f64 = LOGIT_BOUND;
const logitRange: f64 = logitUpper - logitLower;
const logitEdge: f64 = EDGE_RESOLUTION * logitRange;
const logitProbe: f64 = PROBE_STEP * logitRange;
const logitMiddle: f64 = logitLower + 0.5 * logitRange;

/** `substep` on the logit state: `holdVoltage`'s loop with the model's stateReach and stateScale (integrate.ts). */
function logitSubstep(
  u: f64,
  v: f64,
  remaining: f64,
  rOn: f64,
  rOff: f64,
  drift: f64,
  sharpness: f64,
  exponent: f64,
  scale: f64,
): f64 {
  const k1 = logitDriftRate(u, v, rOn, rOff, drift, sharpness, exponent, scale);
  if (k1 === 0 || (k1 > 0 && u >= logitUpper - logitEdge) || (k1 < 0 && u <= logitLower + logitEdge)) {
    taken = -1;
    return u;
  }
  const probed = u < logitMiddle ? u + logitProbe : u - logitProbe;
  const stiffness =
    Math.abs(logitDriftRate(probed, v, rOn, rOff, drift, sharpness, exponent, scale) - k1) / logitProbe;
  const first = stretchedSubstepLength(
    remaining,
    Math.abs(k1),
    logitReach(u, k1, MAX_STATE_STEP),
    stiffness,
    LOGIT_SCALE,
  );
  const end = project(u + first * k1, logitLower, logitUpper);
  const kEnd = logitDriftRate(end, v, rOn, rOff, drift, sharpness, exponent, scale);
  const endProbed = end < logitMiddle ? end + logitProbe : end - logitProbe;
  const endStiffness =
    Math.abs(logitDriftRate(endProbed, v, rOn, rOff, drift, sharpness, exponent, scale) - kEnd) / logitProbe;
  const h = Math.min(first, stiffnessLength(Math.abs(kEnd), endStiffness, LOGIT_SCALE));
  const k2 = logitDriftRate(
    project(u + 0.5 * h * k1, logitLower, logitUpper),
    v,
    rOn,
    rOff,
    drift,
    sharpness,
    exponent,
    scale,
  );
  const k3 = logitDriftRate(
    project(u + 0.5 * h * k2, logitLower, logitUpper),
    v,
    rOn,
    rOff,
    drift,
    sharpness,
    exponent,
    scale,
  );
  const k4 = logitDriftRate(
    project(u + h * k3, logitLower, logitUpper),
    v,
    rOn,
    rOff,
    drift,
    sharpness,
    exponent,
    scale,
  );
  taken = h;
  return project(u + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), logitLower, logitUpper);
}

/** One device on the logit state, as `holdAlone` (Joglekar: s = 4, j = 1; Prodromakis: s = 1, j its scale). */
function logitHold(
  window: i32,
  nSteps: i32,
  row: usize,
  x0: usize,
  voltages: usize,
  dt: f64,
  state: usize,
  current: usize,
): void {
  const rOn = load<f64>(row);
  const rOff = load<f64>(row, 8);
  const exponent = load<f64>(row, 32);
  const prodromakis = window === WINDOW_PRODROMAKIS;
  const sharpness: f64 = prodromakis ? 1 : 4;
  const scale: f64 = prodromakis ? load<f64>(row, 40) : 1;
  const drift = (load<f64>(row, 24) * rOn) / (load<f64>(row, 16) * load<f64>(row, 16));
  let u = load<f64>(x0);
  for (let k = 0; k < nSteps; k++) {
    const v = load<f64>(voltages + ((<usize>k) << 3));
    let elapsed: f64 = 0;
    while (elapsed < dt) {
      const remaining = dt - elapsed;
      const next = logitSubstep(u, v, remaining, rOn, rOff, drift, sharpness, exponent, scale);
      if (taken < 0 || next === u) break;
      u = next;
      elapsed = taken === remaining ? dt : elapsed + taken;
    }
    const at = (<usize>k) << 3;
    store<f64>(state + at, u);
    store<f64>(current + at, v / logitMemristance(u, edgeDistance(u), rOn, rOff));
  }
}

// ---------------------------------------------------------------- two devices at once

// The pair of devices being integrated: lane 0 is device A, lane 1 device B.
let pairROn: v128 = f64x2.splat(0);
let pairROff: v128 = f64x2.splat(0);
let pairDrift: v128 = f64x2.splat(0);
let pairExponent: v128 = f64x2.splat(0);
let pairVoltage: v128 = f64x2.splat(0);
let pairWindow: i32 = 0;
// What `substep2` did for each device: the next state and the substep taken (as `substep`'s).
let nextA: f64 = 0;
let nextB: f64 = 0;
let takenA: f64 = 0;
let takenB: f64 = 0;

function lane(pair: v128, k: i32): f64 {
  return k === 0 ? f64x2.extract_lane(pair, 0) : f64x2.extract_lane(pair, 1);
}

function pair(a: f64, b: f64): v128 {
  return f64x2.replace_lane(f64x2.splat(a), 1, b);
}

/** `rate` for both devices of the pair at states (xA, xB): each lane the same operations, so the same bits. */
function rate2(x: v128): v128 {
  const one = f64x2.splat(1);
  const m = f64x2.add(f64x2.mul(pairROn, x), f64x2.mul(pairROff, f64x2.sub(one, x)));
  const i = f64x2.div(pairVoltage, m);
  let f = one;
  if (pairWindow === WINDOW_BIOLEK) {
    const shift = v128.and(f64x2.le(i, f64x2.splat(0)), one); // stp(−i): 1.0 where i ≤ 0, else +0.0
    const base = f64x2.abs(f64x2.sub(x, shift));
    f = f64x2.sub(one, Pair.power(base, f64x2.mul(f64x2.splat(2), pairExponent)));
  }
  return f64x2.mul(f64x2.mul(pairDrift, i), f);
}

/** `substep` for device k of the pair alone (into nextA/takenA or nextB/takenB). */
function substepLane(k: i32, x: f64, remaining: f64): void {
  const next = substep(
    x,
    lane(pairVoltage, k),
    remaining,
    lane(pairROn, k),
    lane(pairROff, k),
    lane(pairDrift, k),
    pairWindow,
    lane(pairExponent, k),
  );
  if (k === 0) {
    nextA = next;
    takenA = taken;
  } else {
    nextB = next;
    takenB = taken;
  }
}

/**
 * One substep of each device of the pair, the five rate evaluations of both
 * in f64x2 (`rate2`: the window powers two at a time), the scalar steps in
 * between per device exactly as `substep` does them. Where either device's
 * hold ends at this substep's first stage (rare: an equilibrium or a bound),
 * both go through `substep` alone.
 */
function substep2(xA: f64, xB: f64, remainingA: f64, remainingB: f64): void {
  const k1 = rate2(pair(xA, xB));
  const k1A = f64x2.extract_lane(k1, 0);
  const k1B = f64x2.extract_lane(k1, 1);
  if (stops(xA, k1A) || stops(xB, k1B)) {
    substepLane(0, xA, remainingA);
    substepLane(1, xB, remainingB);
    return;
  }
  const probedA = xA < middle ? xA + probe : xA - probe;
  const probedB = xB < middle ? xB + probe : xB - probe;
  const kp = rate2(pair(probedA, probedB));
  const hA = substepLength(
    remainingA,
    Math.abs(k1A),
    Math.abs(f64x2.extract_lane(kp, 0) - k1A) / probe,
    range,
  );
  const hB = substepLength(
    remainingB,
    Math.abs(k1B),
    Math.abs(f64x2.extract_lane(kp, 1) - k1B) / probe,
    range,
  );
  const k2 = rate2(
    pair(project(xA + 0.5 * hA * k1A, lower, upper), project(xB + 0.5 * hB * k1B, lower, upper)),
  );
  const k2A = f64x2.extract_lane(k2, 0);
  const k2B = f64x2.extract_lane(k2, 1);
  const k3 = rate2(
    pair(project(xA + 0.5 * hA * k2A, lower, upper), project(xB + 0.5 * hB * k2B, lower, upper)),
  );
  const k3A = f64x2.extract_lane(k3, 0);
  const k3B = f64x2.extract_lane(k3, 1);
  const k4 = rate2(pair(project(xA + hA * k3A, lower, upper), project(xB + hB * k3B, lower, upper)));
  nextA = project(xA + (hA / 6) * (k1A + 2 * k2A + 2 * k3A + f64x2.extract_lane(k4, 0)), lower, upper);
  nextB = project(xB + (hB / 6) * (k1B + 2 * k2B + 2 * k3B + f64x2.extract_lane(k4, 1)), lower, upper);
  takenA = hA;
  takenB = hB;
}

/** One device's steps, `holdVoltage`'s loop of `substep`s (row, x0, voltages, state, current: the device's own). */
function holdAlone(
  window: i32,
  nSteps: i32,
  row: usize,
  paramStride: i32,
  x0: usize,
  voltages: usize,
  dt: f64,
  state: usize,
  current: usize,
): void {
  const rOn = load<f64>(row);
  const rOff = load<f64>(row, 8);
  const exponent = paramStride > 4 ? load<f64>(row, 32) : 0;
  const drift = (load<f64>(row, 24) * rOn) / (load<f64>(row, 16) * load<f64>(row, 16));
  let x = load<f64>(x0);
  for (let k = 0; k < nSteps; k++) {
    const v = load<f64>(voltages + ((<usize>k) << 3));
    let elapsed: f64 = 0;
    while (elapsed < dt) {
      const remaining = dt - elapsed;
      const next = substep(x, v, remaining, rOn, rOff, drift, window, exponent);
      if (taken < 0 || next === x) break;
      x = next;
      elapsed = taken === remaining ? dt : elapsed + taken;
    }
    const at = (<usize>k) << 3;
    store<f64>(state + at, x);
    store<f64>(current + at, v / memristance(x, rOn, rOff));
  }
}

/**
 * Devices run two at a time, their holds in lockstep (a substep of each,
 * until both holds end; a device whose hold ended waits for the other),
 * the five rate evaluations of a substep in f64x2 for both (`substep2`).
 * The window's power — a log and an exp in series, five per substep — is
 * most of the work, and one device alone leaves the CPU waiting on that
 * chain; two lanes of one SIMD chain do twice the work in about the same
 * time. Each device does exactly `holdVoltage`'s arithmetic, so the results
 * are unchanged to the bit. An odd last device runs alone (`holdAlone`).
 * The logit windows (Joglekar's, Prodromakis') run each device alone
 * (`logitHold`).
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
  if (window === WINDOW_JOGLEKAR || window === WINDOW_PRODROMAKIS) {
    for (let d = 0; d < nDevices; d++) {
      logitHold(
        window,
        nSteps,
        params + ((<usize>d * <usize>paramStride) << 3),
        x0 + ((<usize>d) << 3),
        voltages + ((<usize>d * <usize>voltageStride) << 3),
        dt,
        state + ((<usize>d * <usize>nSteps) << 3),
        current + ((<usize>d * <usize>nSteps) << 3),
      );
    }
    return;
  }
  for (let d = 0; d < nDevices; d += 2) {
    if (d + 1 === nDevices) {
      // A device without a partner (one device, or the last of an odd count) runs alone.
      holdAlone(
        window,
        nSteps,
        params + ((<usize>d * <usize>paramStride) << 3),
        paramStride,
        x0 + ((<usize>d) << 3),
        voltages + ((<usize>d * <usize>voltageStride) << 3),
        dt,
        state + ((<usize>d * <usize>nSteps) << 3),
        current + ((<usize>d * <usize>nSteps) << 3),
      );
      break;
    }
    const e = d + 1;
    const rowA = params + ((<usize>d * <usize>paramStride) << 3);
    const rowB = params + ((<usize>e * <usize>paramStride) << 3);
    const rOnA = load<f64>(rowA);
    const rOffA = load<f64>(rowA, 8);
    const rOnB = load<f64>(rowB);
    const rOffB = load<f64>(rowB, 8);
    pairROn = pair(rOnA, rOnB);
    pairROff = pair(rOffA, rOffB);
    const exponentA = paramStride > 4 ? load<f64>(rowA, 32) : 0;
    const exponentB = paramStride > 4 ? load<f64>(rowB, 32) : 0;
    const driftA = (load<f64>(rowA, 24) * rOnA) / (load<f64>(rowA, 16) * load<f64>(rowA, 16));
    const driftB = (load<f64>(rowB, 24) * rOnB) / (load<f64>(rowB, 16) * load<f64>(rowB, 16));
    pairExponent = pair(exponentA, exponentB);
    pairDrift = pair(driftA, driftB);
    pairWindow = window;
    const vRowA = voltages + ((<usize>d * <usize>voltageStride) << 3);
    const vRowB = voltages + ((<usize>e * <usize>voltageStride) << 3);
    const outA = (<usize>d * <usize>nSteps) << 3;
    const outB = (<usize>e * <usize>nSteps) << 3;
    let xA = load<f64>(x0 + ((<usize>d) << 3));
    let xB = load<f64>(x0 + ((<usize>e) << 3));
    for (let k = 0; k < nSteps; k++) {
      const vA = load<f64>(vRowA + ((<usize>k) << 3));
      const vB = load<f64>(vRowB + ((<usize>k) << 3));
      pairVoltage = pair(vA, vB);
      let elapsedA: f64 = 0;
      let elapsedB: f64 = 0;
      let runA = elapsedA < dt;
      let runB = elapsedB < dt;
      while (runA || runB) {
        const remainingA = dt - elapsedA;
        const remainingB = dt - elapsedB;
        if (runA && runB) substep2(xA, xB, remainingA, remainingB);
        else if (runA) {
          nextA = substep(xA, vA, remainingA, rOnA, rOffA, driftA, window, exponentA);
          takenA = taken;
        } else {
          nextB = substep(xB, vB, remainingB, rOnB, rOffB, driftB, window, exponentB);
          takenB = taken;
        }
        if (runA) {
          if (takenA < 0 || nextA === xA) runA = false;
          else {
            xA = nextA;
            elapsedA = takenA === remainingA ? dt : elapsedA + takenA;
            runA = elapsedA < dt;
          }
        }
        if (runB) {
          if (takenB < 0 || nextB === xB) runB = false;
          else {
            xB = nextB;
            elapsedB = takenB === remainingB ? dt : elapsedB + takenB;
            runB = elapsedB < dt;
          }
        }
      }
      const atA = outA + ((<usize>k) << 3);
      store<f64>(state + atA, xA);
      store<f64>(current + atA, vA / memristance(xA, rOnA, rOffA));
      const atB = outB + ((<usize>k) << 3);
      store<f64>(state + atB, xB);
      store<f64>(current + atB, vB / memristance(xB, rOnB, rOffB));
    }
  }
}
