/**
 * The demo chip's dynamics in the WASM core: src/models/chip/dynamics.ts
 * (`ChipReference`, the executable specification) line for line, on the
 * same flat layouts (src/models/chip/portable/layout.ts) and the same
 * portable physics — circuits, optics, the cell's tangent and the cold
 * patch's exact step from src/models/chip/portable/, the memristor scheme
 * and formulas from src/models/memristor/portable/ (its `exponential` and
 * `power`, the same bits in both engines), the cell step from
 * src/models/phase-change/portable/ and sin/cos from
 * src/models/photonic/mesh/portable/trig.ts.
 * Where the TypeScript uses closures, this uses small functions of the same
 * arithmetic. Only the phase-change code's Math.exp/log/expm1/log1p/pow can
 * differ in the last bit between the engines (test/core/chip.test.ts holds
 * the two to 1e-12 over a session).
 *
 * The step is dynamics.ts's (its top comment says why each part is exact):
 * the standalone memristor and the rest advance apart, each in one substep
 * of the whole dt where that is exact (`holdsWhole`: the port open, or a
 * voltage within its compliance at both ends of a trial hold; `staysCold`:
 * the heater line open and the patch at or below T_x throughout, by
 * cold-cell.ts `peakTemperature`), else in n = ⌈dt/MAX_SUBSTEP⌉ substeps —
 * the same decisions, mirrored line for line.
 *
 * Arguments are byte addresses of f64 arrays: `params` [63] (resident, see
 * src/core/kernels/chip.ts), `state` [6], `stimulus` [9], outputs as named.
 * Nothing allocates: the work arrays are static.
 */

import { cellStepTangent, stepFractionD, stepTemperatureD } from "../../models/chip/portable/cell-tangent";
import {
  currentA,
  currentADh,
  currentADm,
  currentN,
  currentNDh,
  currentNDm,
  limitedA,
  limitedN,
  nodeA,
  nodeADh,
  nodeADm,
  nodeN,
  nodeNDh,
  nodeNDm,
  portCurrent,
  portCurrentDr,
  portLimited,
  portVoltage,
  portVoltageDr,
  solveHeaterCircuit,
  solvePort,
  theveninHeater,
  theveninLine,
  theveninResistance,
  theveninVoltage,
} from "../../models/chip/portable/circuit";
import {
  byRate,
  byStart,
  bySteady,
  byTimeConstant,
  driftingTemperature,
  driftingTemperaturePartials,
  peakTemperature,
} from "../../models/chip/portable/cold-cell";
import {
  AMBIENT_DRIFT_RATE,
  AMBIENT_RISE,
  BUS_IN_LENGTH,
  BUS_IN_LOSS,
  BUS_OUT_LENGTH,
  BUS_OUT_LOSS,
  CELL_ACTIVATION,
  CELL_AMBIENT,
  CELL_AVRAMI,
  CELL_CRYSTALLISATION,
  CELL_FRACTION,
  CELL_HEAT_CAPACITY,
  CELL_MELTING,
  CELL_PREFACTOR,
  CELL_TEMPERATURE,
  CELL_THERMAL_RESISTANCE,
  COUPLER_LOSS,
  COUPLING,
  ELECTRICAL_SIZE,
  GC_IN_BANDWIDTH,
  GC_IN_CENTRE,
  GC_IN_PEAK,
  GC_OUT_BANDWIDTH,
  GC_OUT_CENTRE,
  GC_OUT_PEAK,
  GST_AMORPHOUS_EXTINCTION,
  GST_AMORPHOUS_INDEX,
  GST_CRYSTALLINE_EXTINCTION,
  GST_CRYSTALLINE_INDEX,
  HEATER_CURRENT,
  HEATER_LIMITED,
  HEATER_LOSS,
  HEATER_PORT,
  HEATER_POWER,
  HEATER_RESISTANCE,
  HEATER_RISE,
  HEATER_VOLTAGE,
  HEATING_SHARE,
  LINE_CURRENT,
  LINE_LIMITED,
  LINE_MOBILITY,
  LINE_PORT,
  LINE_R_OFF,
  LINE_R_ON,
  LINE_STATE,
  LINE_THICKNESS,
  LINE_VOLTAGE,
  MEMRISTOR_CURRENT,
  MEMRISTOR_LIMITED,
  MEMRISTOR_PORT,
  MEMRISTOR_VOLTAGE,
  MODE_CURRENT,
  MODE_OPEN,
  PARAMETER_COUNT,
  PATCH_CLADDING,
  PATCH_CONFINEMENT,
  PATCH_LENGTH,
  PATCH_LOSS,
  PATCH_NEFF,
  PI_POWER,
  REFERENCE_PATH,
  RING_LENGTH,
  RING_LOSS,
  RING_NEFF,
  SA_ALPHA_OFF,
  SA_ALPHA_ON,
  SA_K_OFF,
  SA_K_ON,
  SA_R_OFF,
  SA_R_ON,
  SA_V_OFF,
  SA_V_ON,
  SA_W_OFF,
  SA_W_ON,
  STANDALONE_STATE,
  STATE_SIZE,
  THERMAL_RESISTANCE,
  THERMAL_TIME_CONSTANT,
} from "../../models/chip/portable/layout";
import {
  allPassPower,
  extinctionDka,
  extinctionDkc,
  extinctionDna,
  extinctionDnc,
  extinctionDx,
  gstExtinction,
  gstIndex,
  gstMix,
  indexDka,
  indexDkc,
  indexDna,
  indexDnc,
  indexDx,
  powerDc,
  powerDt,
  powerDu,
} from "../../models/chip/portable/optics";
import {
  exponential,
  logarithm,
  memristance,
  power,
  vteamResistance,
  vteamSpeed,
} from "../../models/memristor/portable/physics";
import { EDGE_RESOLUTION, PROBE_STEP, project, substepLength } from "../../models/memristor/portable/scheme";
import { advanceProgress, fractionAfter, relaxedTemperature } from "../../models/phase-change/portable/cell";
import {
  cosKernel,
  cosOfQuadrant,
  quarterTurns,
  REDUCTION_LIMIT,
  reduced,
  sinKernel,
  sinOfQuadrant,
} from "../../models/photonic/mesh/portable/trig";

/** Longest substep, s (dynamics.ts MAX_SUBSTEP). */
const MAX_SUBSTEP: f64 = 100e-6;
const DIRECTIONS: i32 = STATE_SIZE + PARAMETER_COUNT;
/** k_B, J/K (src/models/constants.ts). */
const BOLTZMANN: f64 = 1.380649e-23;
/** ln(10)/20 (src/models/constants.ts AMPLITUDE_PER_DB). */
const AMPLITUDE_PER_DB: f64 = Math.LN10 / 20;
const ONE_DB_EXPONENT: f64 = 0.4 * Math.LN10;
const TWO_PI: f64 = 2 * Math.PI;

// Static work arrays (f64).
const S = memory.data(STATE_SIZE * (STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const NEXT = memory.data(STATE_SIZE * (STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const D_RM = memory.data((STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const D_RV = memory.data((STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const D_LINE = memory.data((STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const D_POWER = memory.data((STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const GRADIENT = memory.data((STATE_SIZE + PARAMETER_COUNT) * 8, 16);
const LINE_LOCAL = memory.data(6 * 8, 16);
const PORT_LOCAL = memory.data(12 * 8, 16);
const CELL_LOCAL = memory.data(22 * 8, 16);
const STAGE = memory.data(6 * 8, 16);
const K1 = memory.data(6 * 8, 16);
const K2 = memory.data(6 * 8, 16);
const K3 = memory.data(6 * 8, 16);
const K4 = memory.data(6 * 8, 16);
const DIRECT = memory.data(6 * 8, 16);

function ld(base: usize, i: i32): f64 {
  return load<f64>(base + ((<usize>i) << 3));
}

function st(base: usize, i: i32, value: f64): void {
  store<f64>(base + ((<usize>i) << 3), value);
}

function fill(base: usize, count: i32, value: f64): void {
  for (let i = 0; i < count; i++) st(base, i, value);
}

/** Column of parameter i. */
function P(i: i32): i32 {
  return STATE_SIZE + i;
}

/** The layout this core was built for: 1000·parameters + state size (the wrapper checks it). */
export function chipLayout(): i32 {
  return 1000 * PARAMETER_COUNT + STATE_SIZE;
}

let sinOut: f64 = 0;
let cosOut: f64 = 0;

function sinCos(x: f64): void {
  if (Math.abs(x) <= REDUCTION_LIMIT) {
    const n = quarterTurns(x);
    const r = reduced(x, n);
    const ks = sinKernel(r);
    const kc = cosKernel(r);
    sinOut = sinOfQuadrant(ks, kc, n);
    cosOut = cosOfQuadrant(ks, kc, n);
  } else {
    sinOut = Math.sin(x);
    cosOut = Math.cos(x);
  }
}

function effectiveIndex(p: usize, neff: i32, wavelength: f64): f64 {
  const n0 = ld(p, neff);
  const lambda0 = ld(p, neff + 2);
  return n0 - ((ld(p, neff + 1) - n0) * (wavelength - lambda0)) / lambda0;
}

// ------------------------------------------------------------------ step

export function chipStep(p: usize, state: usize, stimulus: usize, dt: f64): void {
  run(p, state, stimulus, dt, false);
}

export function chipStepJacobian(
  p: usize,
  state: usize,
  stimulus: usize,
  dt: f64,
  dState: usize,
  dParams: usize,
): void {
  fill(S, STATE_SIZE * DIRECTIONS, 0);
  for (let i = 0; i < STATE_SIZE; i++) st(S, i * DIRECTIONS + i, 1);
  run(p, state, stimulus, dt, true);
  for (let i = 0; i < STATE_SIZE; i++) {
    for (let j = 0; j < STATE_SIZE; j++) st(dState, i * STATE_SIZE + j, ld(S, i * DIRECTIONS + j));
    for (let k = 0; k < PARAMETER_COUNT; k++)
      st(dParams, i * PARAMETER_COUNT + k, ld(S, i * DIRECTIONS + P(k)));
  }
}

function run(p: usize, state: usize, stimulus: usize, dt: f64, jacobian: bool): void {
  if (dt === 0) return;
  const n = Math.ceil(dt / MAX_SUBSTEP);
  const h = dt / n;
  // An f64 count, as the reference's: an i32 would cap a step of over 2³¹ substeps (2.5 days) at 2³¹ − 1.
  const count: f64 = n;
  if (count > 1 && holdsWhole(p, state, stimulus, dt)) {
    if (jacobian) portSubstepJacobian(p, state, stimulus, dt);
    else st(state, STANDALONE_STATE, held);
  } else {
    for (let k: f64 = 0; k < count; k++) {
      if (jacobian) portSubstepJacobian(p, state, stimulus, h);
      else portSubstep(p, state, stimulus, h);
    }
  }
  const cold = staysCold(p, state, stimulus, dt);
  const steps: f64 = cold ? 1 : count;
  const length = cold ? dt : h;
  const thermalDecay = exponential(-length / ld(p, THERMAL_TIME_CONSTANT));
  const cellDecay = exponential(-length / (ld(p, CELL_THERMAL_RESISTANCE) * ld(p, CELL_HEAT_CAPACITY)));
  for (let k: f64 = 0; k < steps; k++) {
    if (jacobian) restSubstepJacobian(p, state, stimulus, length, thermalDecay, cellDecay, cold);
    else restSubstep(p, state, stimulus, length, thermalDecay, cellDecay, cold);
  }
}

/** The standalone memristor's state after `holdsWhole`'s trial hold (dynamics.ts `held`). */
let held: f64 = 0;

function holdsWhole(p: usize, state: usize, stimulus: usize, dt: f64): bool {
  if (ld(stimulus, MEMRISTOR_PORT) === <f64>MODE_CURRENT) return false;
  const w = ld(state, STANDALONE_STATE);
  solveStandalone(p, w, stimulus);
  if (portLimited !== 0) return false;
  held = holdPort(p, w, portVoltage, dt, false);
  solveStandalone(p, held, stimulus);
  return portLimited === 0;
}

function staysCold(p: usize, state: usize, stimulus: usize, dt: f64): bool {
  if (ld(stimulus, LINE_PORT) !== <f64>MODE_OPEN) return false;
  solveHeater(p, state, stimulus);
  const steady = cellSteady(p, state, (nodeN * nodeN) / ld(p, HEATER_RESISTANCE));
  const timeConstant = ld(p, CELL_THERMAL_RESISTANCE) * ld(p, CELL_HEAT_CAPACITY);
  const peak = peakTemperature(
    ld(state, CELL_TEMPERATURE),
    steady,
    ld(p, AMBIENT_DRIFT_RATE),
    timeConstant,
    dt,
  );
  return peak <= ld(p, CELL_CRYSTALLISATION);
}

function solve(p: usize, state: usize, stimulus: usize): void {
  solveHeater(p, state, stimulus);
  solveStandalone(p, ld(state, STANDALONE_STATE), stimulus);
}

function solveHeater(p: usize, state: usize, stimulus: usize): void {
  const rm = memristance(ld(state, LINE_STATE), ld(p, LINE_R_ON), ld(p, LINE_R_OFF));
  solveHeaterCircuit(
    ld(stimulus, HEATER_PORT),
    ld(stimulus, HEATER_PORT + 1),
    ld(stimulus, HEATER_PORT + 2),
    ld(stimulus, LINE_PORT),
    ld(stimulus, LINE_PORT + 1),
    ld(stimulus, LINE_PORT + 2),
    rm,
    ld(p, HEATER_RESISTANCE),
  );
}

function solveStandalone(p: usize, w: f64, stimulus: usize): void {
  const rv = vteamResistance(w, ld(p, SA_R_ON), ld(p, SA_R_OFF), ld(p, SA_W_ON), ld(p, SA_W_OFF));
  solvePort(
    ld(stimulus, MEMRISTOR_PORT),
    ld(stimulus, MEMRISTOR_PORT + 1),
    ld(stimulus, MEMRISTOR_PORT + 2),
    rv,
  );
}

function cellSteady(p: usize, state: usize, heaterPower: f64): f64 {
  return (
    ld(p, CELL_AMBIENT) +
    ld(state, AMBIENT_RISE) +
    ld(p, HEATING_SHARE) * heaterPower * ld(p, CELL_THERMAL_RESISTANCE)
  );
}

function portSubstep(p: usize, state: usize, stimulus: usize, h: f64): void {
  solveStandalone(p, ld(state, STANDALONE_STATE), stimulus);
  st(state, STANDALONE_STATE, holdPort(p, ld(state, STANDALONE_STATE), portVoltage, h, false));
}

function restSubstep(
  p: usize,
  state: usize,
  stimulus: usize,
  h: f64,
  thermalDecay: f64,
  cellDecay: f64,
  cold: bool,
): void {
  solveHeater(p, state, stimulus);
  const heaterPower = (nodeN * nodeN) / ld(p, HEATER_RESISTANCE);
  st(state, LINE_STATE, holdLine(p, ld(state, LINE_STATE), nodeA - nodeN, h, false));
  st(
    state,
    HEATER_RISE,
    relaxedTemperature(ld(state, HEATER_RISE), ld(p, THERMAL_RESISTANCE) * heaterPower, thermalDecay),
  );
  const t0 = ld(state, CELL_TEMPERATURE);
  const rc = ld(p, CELL_THERMAL_RESISTANCE);
  const steady = cellSteady(p, state, heaterPower);
  if (cold) {
    st(
      state,
      CELL_TEMPERATURE,
      driftingTemperature(
        t0,
        steady,
        ld(p, AMBIENT_DRIFT_RATE),
        rc * ld(p, CELL_HEAT_CAPACITY),
        h,
        cellDecay,
      ),
    );
  } else {
    const x0 = ld(state, CELL_FRACTION);
    const t1 = relaxedTemperature(t0, steady, cellDecay);
    const avrami = ld(p, CELL_AVRAMI);
    const progress = advanceProgress(
      -1,
      x0,
      avrami,
      t0,
      t1,
      steady,
      rc * ld(p, CELL_HEAT_CAPACITY),
      h,
      ld(p, CELL_CRYSTALLISATION),
      ld(p, CELL_MELTING),
      ld(p, CELL_ACTIVATION) / BOLTZMANN,
      ld(p, CELL_PREFACTOR),
    );
    st(state, CELL_TEMPERATURE, t1);
    st(state, CELL_FRACTION, fractionAfter(progress, x0, avrami));
  }
  st(state, AMBIENT_RISE, ld(state, AMBIENT_RISE) + ld(p, AMBIENT_DRIFT_RATE) * h);
}

// The line memristor's parameters during a hold (dynamics.ts `holdLine`'s closure).
let lineVoltage: f64 = 0;
let lineROn: f64 = 0;
let lineROff: f64 = 0;
let lineDrift: f64 = 0;

function lineRate(y: f64): f64 {
  return lineDrift * (lineVoltage / memristance(y, lineROn, lineROff));
}

function holdLine(p: usize, x: f64, v: f64, dt: f64, local: bool): f64 {
  const rOn = ld(p, LINE_R_ON);
  const rOff = ld(p, LINE_R_OFF);
  const thickness = ld(p, LINE_THICKNESS);
  const mobility = ld(p, LINE_MOBILITY);
  const drift = (mobility * rOn) / (thickness * thickness);
  lineVoltage = v;
  lineROn = rOn;
  lineROff = rOff;
  lineDrift = drift;
  if (local) {
    fill(LINE_LOCAL, 6, 0);
    st(LINE_LOCAL, 0, 1);
  }
  const edge = EDGE_RESOLUTION;
  const probe = PROBE_STEP;
  let elapsed: f64 = 0;
  while (elapsed < dt) {
    const k1 = lineRate(x);
    if (k1 === 0 || (k1 > 0 && x >= 1 - edge) || (k1 < 0 && x <= edge)) break;
    const probed = x < 0.5 ? x + probe : x - probe;
    const stiffness = Math.abs(lineRate(probed) - k1) / probe;
    const remaining = dt - elapsed;
    const h = substepLength(remaining, Math.abs(k1), stiffness, 1);
    const x2 = x + 0.5 * h * k1;
    const k2 = lineRate(project(x2, 0, 1));
    const x3 = x + 0.5 * h * k2;
    const k3 = lineRate(project(x3, 0, 1));
    const x4 = x + h * k3;
    const k4 = lineRate(project(x4, 0, 1));
    const raw = x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    const next = project(raw, 0, 1);
    if (next === x) break;
    if (local) lineTangent(x, x2, x3, x4, raw, h, v, rOn, rOff, drift, thickness, mobility);
    x = next;
    elapsed = h === remaining ? dt : elapsed + h;
  }
  if (local && v === 0)
    st(LINE_LOCAL, 1, ld(LINE_LOCAL, 1) + ((dt - elapsed) * drift) / memristance(x, rOn, rOff));
  return x;
}

/** Stage rates f_x·s + f_θ at y into `out` (dynamics.ts `lineTangent`'s `rates`). */
function lineRates(
  y: f64,
  sIn: usize,
  out: usize,
  v: f64,
  rOn: f64,
  rOff: f64,
  drift: f64,
  thickness: f64,
  mobility: f64,
): void {
  const m = memristance(y, rOn, rOff);
  const f = drift * (v / m);
  const fx = (-f * (rOn - rOff)) / m;
  st(DIRECT, 0, 0);
  st(DIRECT, 1, drift / m);
  st(DIRECT, 2, f / rOn - (f * y) / m);
  st(DIRECT, 3, (-f * (1 - y)) / m);
  st(DIRECT, 4, (-2 * f) / thickness);
  st(DIRECT, 5, f / mobility);
  for (let j = 0; j < 6; j++) st(out, j, fx * ld(sIn, j) + ld(DIRECT, j));
}

function lineStage(y: f64, c: f64, k: usize): void {
  const outside = y < 0 || y > 1;
  for (let j = 0; j < 6; j++) st(STAGE, j, outside ? 0 : ld(LINE_LOCAL, j) + c * ld(k, j));
}

function lineTangent(
  x: f64,
  x2: f64,
  x3: f64,
  x4: f64,
  raw: f64,
  h: f64,
  v: f64,
  rOn: f64,
  rOff: f64,
  drift: f64,
  thickness: f64,
  mobility: f64,
): void {
  lineRates(x, LINE_LOCAL, K1, v, rOn, rOff, drift, thickness, mobility);
  lineStage(x2, 0.5 * h, K1);
  lineRates(project(x2, 0, 1), STAGE, K2, v, rOn, rOff, drift, thickness, mobility);
  lineStage(x3, 0.5 * h, K2);
  lineRates(project(x3, 0, 1), STAGE, K3, v, rOn, rOff, drift, thickness, mobility);
  lineStage(x4, h, K3);
  lineRates(project(x4, 0, 1), STAGE, K4, v, rOn, rOff, drift, thickness, mobility);
  const outside = raw < 0 || raw > 1;
  for (let j = 0; j < 6; j++) {
    st(
      LINE_LOCAL,
      j,
      outside ? 0 : ld(LINE_LOCAL, j) + (h / 6) * (ld(K1, j) + 2 * ld(K2, j) + 2 * ld(K3, j) + ld(K4, j)),
    );
  }
}

function holdPort(p: usize, w: f64, v: f64, dt: f64, local: bool): f64 {
  const wOn = ld(p, SA_W_ON);
  const wOff = ld(p, SA_W_OFF);
  const kOn = ld(p, SA_K_ON);
  const kOff = ld(p, SA_K_OFF);
  const alphaOn = ld(p, SA_ALPHA_ON);
  const alphaOff = ld(p, SA_ALPHA_OFF);
  const vOn = ld(p, SA_V_ON);
  const vOff = ld(p, SA_V_OFF);
  const range = wOff - wOn;
  const edge = EDGE_RESOLUTION * range;
  const g = vteamSpeed(v, kOn, kOff, alphaOn, alphaOff, vOn, vOff);
  if (local) {
    fill(PORT_LOCAL, 12, 0);
    st(PORT_LOCAL, 0, 1);
  }
  let elapsed: f64 = 0;
  while (elapsed < dt) {
    if (g === 0 || (g > 0 && w >= wOff - edge) || (g < 0 && w <= wOn + edge)) break;
    const remaining = dt - elapsed;
    const h = substepLength(remaining, Math.abs(g), 0, range);
    const raw = w + (h / 6) * (g + 2 * g + 2 * g + g);
    const next = project(raw, wOn, wOff);
    if (next === w) break;
    if (local) {
      if (raw < wOn || raw > wOff) {
        fill(PORT_LOCAL, 12, 0);
        st(PORT_LOCAL, raw < wOn ? 4 : 5, 1);
      } else {
        vteamSpeedPartials(v, kOn, kOff, alphaOn, alphaOff, vOn, vOff, h);
      }
    }
    w = next;
    elapsed = h === remaining ? dt : elapsed + h;
  }
  return w;
}

function vteamSpeedPartials(
  v: f64,
  kOn: f64,
  kOff: f64,
  alphaOn: f64,
  alphaOff: f64,
  vOn: f64,
  vOff: f64,
  h: f64,
): void {
  if (v > vOff) {
    const u = v / vOff - 1;
    const slope = kOff * alphaOff * power(u, alphaOff - 1);
    const ua = power(u, alphaOff);
    st(PORT_LOCAL, 1, ld(PORT_LOCAL, 1) + (h * slope) / vOff);
    st(PORT_LOCAL, 7, ld(PORT_LOCAL, 7) + h * ua);
    st(PORT_LOCAL, 9, ld(PORT_LOCAL, 9) + h * kOff * ua * logarithm(u));
    st(PORT_LOCAL, 11, ld(PORT_LOCAL, 11) - (h * slope * v) / (vOff * vOff));
  } else if (v < vOn) {
    const u = v / vOn - 1;
    const slope = kOn * alphaOn * power(u, alphaOn - 1);
    const ua = power(u, alphaOn);
    st(PORT_LOCAL, 1, ld(PORT_LOCAL, 1) + (h * slope) / vOn);
    st(PORT_LOCAL, 6, ld(PORT_LOCAL, 6) + h * ua);
    st(PORT_LOCAL, 8, ld(PORT_LOCAL, 8) + h * kOn * ua * logarithm(u));
    st(PORT_LOCAL, 10, ld(PORT_LOCAL, 10) - (h * slope * v) / (vOn * vOn));
  }
}

function addAt(base: usize, i: i32, value: f64): void {
  st(base, i, ld(base, i) + value);
}

function portSubstepJacobian(p: usize, state: usize, stimulus: usize, h: f64): void {
  const D = DIRECTIONS;
  const w = ld(state, STANDALONE_STATE);
  portPartials(p, state);
  solveStandalone(p, w, stimulus);
  holdPort(p, w, portVoltage, h, true);
  const row = STANDALONE_STATE * D;
  for (let j = 0; j < D; j++) {
    st(S, row + j, ld(PORT_LOCAL, 0) * ld(S, row + j) + ld(PORT_LOCAL, 1) * (portVoltageDr * ld(D_RV, j)));
  }
  for (let k = 0; k < 10; k++) addAt(S, row + P(SA_R_ON + k), ld(PORT_LOCAL, 2 + k));
  portSubstep(p, state, stimulus, h);
}

function restSubstepJacobian(
  p: usize,
  state: usize,
  stimulus: usize,
  h: f64,
  thermalDecay: f64,
  cellDecay: f64,
  cold: bool,
): void {
  const D = DIRECTIONS;
  const x = ld(state, LINE_STATE);
  const rise = ld(state, HEATER_RISE);
  const t0 = ld(state, CELL_TEMPERATURE);
  const x0 = ld(state, CELL_FRACTION);
  const ambientRise = ld(state, AMBIENT_RISE);
  const rh = ld(p, HEATER_RESISTANCE);
  linePartials(p, state);
  solveHeater(p, state, stimulus);
  const vn = nodeN;
  const vLine = nodeA - nodeN;
  const heaterPower = (vn * vn) / rh;
  for (let j = 0; j < D; j++) {
    const rm = ld(D_RM, j);
    const dVa = nodeADm * rm;
    const dVn = nodeNDm * rm;
    st(D_LINE, j, dVa - dVn);
    st(D_POWER, j, (2 * vn * dVn) / rh);
  }
  const jh = P(HEATER_RESISTANCE);
  addAt(D_LINE, jh, nodeADh - nodeNDh);
  addAt(D_POWER, jh, (2 * vn * nodeNDh) / rh - heaterPower / rh);

  holdLine(p, x, vLine, h, true);
  for (let j = 0; j < D; j++) {
    st(
      NEXT,
      LINE_STATE * D + j,
      ld(LINE_LOCAL, 0) * ld(S, LINE_STATE * D + j) + ld(LINE_LOCAL, 1) * ld(D_LINE, j),
    );
  }
  addAt(NEXT, LINE_STATE * D + P(LINE_R_ON), ld(LINE_LOCAL, 2));
  addAt(NEXT, LINE_STATE * D + P(LINE_R_OFF), ld(LINE_LOCAL, 3));
  addAt(NEXT, LINE_STATE * D + P(LINE_THICKNESS), ld(LINE_LOCAL, 4));
  addAt(NEXT, LINE_STATE * D + P(LINE_MOBILITY), ld(LINE_LOCAL, 5));

  const rth = ld(p, THERMAL_RESISTANCE);
  const tau = ld(p, THERMAL_TIME_CONSTANT);
  const heaterSteady = rth * heaterPower;
  for (let j = 0; j < D; j++) {
    st(
      NEXT,
      HEATER_RISE * D + j,
      thermalDecay * ld(S, HEATER_RISE * D + j) + rth * (1 - thermalDecay) * ld(D_POWER, j),
    );
  }
  addAt(NEXT, HEATER_RISE * D + P(THERMAL_RESISTANCE), heaterPower * (1 - thermalDecay));
  addAt(
    NEXT,
    HEATER_RISE * D + P(THERMAL_TIME_CONSTANT),
    ((rise - heaterSteady) * thermalDecay * h) / (tau * tau),
  );

  if (cold) coldCellTangent(p, state, t0, heaterPower, h, cellDecay);
  else cellTangent(p, t0, x0, ambientRise, heaterPower, h, cellDecay);
  for (let j = 0; j < D; j++) st(NEXT, AMBIENT_RISE * D + j, ld(S, AMBIENT_RISE * D + j));
  addAt(NEXT, AMBIENT_RISE * D + P(AMBIENT_DRIFT_RATE), h);
  for (let j = 0; j < D; j++) st(NEXT, STANDALONE_STATE * D + j, ld(S, STANDALONE_STATE * D + j));
  memory.copy(S, NEXT, (<usize>(STATE_SIZE * D)) << 3);

  restSubstep(p, state, stimulus, h, thermalDecay, cellDecay, cold);
}

function cellTangent(
  p: usize,
  t0: f64,
  x0: f64,
  ambientRise: f64,
  heaterPower: f64,
  h: f64,
  cellDecay: f64,
): void {
  const D = DIRECTIONS;
  const share = ld(p, HEATING_SHARE);
  const cellPower = share * heaterPower;
  const ambient = ld(p, CELL_AMBIENT) + ambientRise;
  for (let d = 0; d < 11; d++) {
    cellStepTangent(
      t0,
      d === 0 ? 1 : 0,
      x0,
      d === 1 ? 1 : 0,
      ambient,
      d === 2 ? 1 : 0,
      cellPower,
      d === 3 ? 1 : 0,
      ld(p, CELL_HEAT_CAPACITY),
      d === 4 ? 1 : 0,
      ld(p, CELL_THERMAL_RESISTANCE),
      d === 5 ? 1 : 0,
      ld(p, CELL_CRYSTALLISATION),
      d === 6 ? 1 : 0,
      ld(p, CELL_MELTING),
      d === 7 ? 1 : 0,
      ld(p, CELL_ACTIVATION) / BOLTZMANN,
      d === 8 ? 1 / BOLTZMANN : 0,
      ld(p, CELL_PREFACTOR),
      d === 9 ? 1 : 0,
      ld(p, CELL_AVRAMI),
      d === 10 ? 1 : 0,
      h,
      cellDecay,
    );
    st(CELL_LOCAL, 2 * d, stepTemperatureD);
    st(CELL_LOCAL, 2 * d + 1, stepFractionD);
  }
  for (let r = 0; r < 2; r++) {
    const row = (r === 0 ? CELL_TEMPERATURE : CELL_FRACTION) * D;
    const byT0 = ld(CELL_LOCAL, r);
    const byX0 = ld(CELL_LOCAL, 2 + r);
    const byAmbient = ld(CELL_LOCAL, 4 + r);
    const byPower = ld(CELL_LOCAL, 6 + r);
    for (let j = 0; j < D; j++) {
      st(
        NEXT,
        row + j,
        byT0 * ld(S, CELL_TEMPERATURE * D + j) +
          byX0 * ld(S, CELL_FRACTION * D + j) +
          byAmbient * ld(S, AMBIENT_RISE * D + j) +
          byPower * share * ld(D_POWER, j),
      );
    }
    addAt(NEXT, row + P(CELL_AMBIENT), byAmbient);
    addAt(NEXT, row + P(HEATING_SHARE), byPower * heaterPower);
    for (let k = 0; k < 7; k++) {
      const cellParam = k < 2 ? CELL_HEAT_CAPACITY + k : CELL_CRYSTALLISATION + (k - 2);
      addAt(NEXT, row + P(cellParam), ld(CELL_LOCAL, 8 + 2 * k + r));
    }
  }
}

function coldCellTangent(p: usize, state: usize, t0: f64, heaterPower: f64, h: f64, cellDecay: f64): void {
  const D = DIRECTIONS;
  const share = ld(p, HEATING_SHARE);
  const rc = ld(p, CELL_THERMAL_RESISTANCE);
  const capacity = ld(p, CELL_HEAT_CAPACITY);
  driftingTemperaturePartials(
    t0,
    cellSteady(p, state, heaterPower),
    ld(p, AMBIENT_DRIFT_RATE),
    rc * capacity,
    h,
    cellDecay,
  );
  const row = CELL_TEMPERATURE * D;
  for (let j = 0; j < D; j++) {
    st(
      NEXT,
      row + j,
      byStart * ld(S, row + j) + bySteady * (ld(S, AMBIENT_RISE * D + j) + share * rc * ld(D_POWER, j)),
    );
    st(NEXT, CELL_FRACTION * D + j, ld(S, CELL_FRACTION * D + j));
  }
  addAt(NEXT, row + P(CELL_AMBIENT), bySteady);
  addAt(NEXT, row + P(HEATING_SHARE), bySteady * heaterPower * rc);
  addAt(NEXT, row + P(CELL_THERMAL_RESISTANCE), bySteady * share * heaterPower + byTimeConstant * capacity);
  addAt(NEXT, row + P(CELL_HEAT_CAPACITY), byTimeConstant * rc);
  addAt(NEXT, row + P(AMBIENT_DRIFT_RATE), byRate);
}

function linePartials(p: usize, state: usize): void {
  const D = DIRECTIONS;
  const x = ld(state, LINE_STATE);
  const rOn = ld(p, LINE_R_ON);
  const rOff = ld(p, LINE_R_OFF);
  for (let j = 0; j < D; j++) st(D_RM, j, (rOn - rOff) * ld(S, LINE_STATE * D + j));
  addAt(D_RM, P(LINE_R_ON), x);
  addAt(D_RM, P(LINE_R_OFF), 1 - x);
}

function portPartials(p: usize, state: usize): void {
  const D = DIRECTIONS;
  const w = ld(state, STANDALONE_STATE);
  const vOn = ld(p, SA_R_ON);
  const vOff = ld(p, SA_R_OFF);
  const wOn = ld(p, SA_W_ON);
  const wOff = ld(p, SA_W_OFF);
  const span = wOff - wOn;
  const slope = (vOff - vOn) / span;
  for (let j = 0; j < D; j++) st(D_RV, j, slope * ld(S, STANDALONE_STATE * D + j));
  const fraction = (w - wOn) / span;
  addAt(D_RV, P(SA_R_ON), 1 - fraction);
  addAt(D_RV, P(SA_R_OFF), fraction);
  addAt(D_RV, P(SA_W_ON), (slope * (w - wOff)) / span);
  addAt(D_RV, P(SA_W_OFF), -(slope * (w - wOn)) / span);
}

// ------------------------------------------------------------------ electrical observables

export function chipElectrical(p: usize, state: usize, stimulus: usize, out: usize): void {
  solve(p, state, stimulus);
  const rh = ld(p, HEATER_RESISTANCE);
  st(out, HEATER_VOLTAGE, nodeN);
  st(out, HEATER_CURRENT, currentN);
  st(out, LINE_VOLTAGE, nodeA);
  st(out, LINE_CURRENT, currentA);
  st(out, MEMRISTOR_VOLTAGE, portVoltage);
  st(out, MEMRISTOR_CURRENT, portCurrent);
  st(out, HEATER_POWER, (nodeN * nodeN) / rh);
  st(out, HEATER_LIMITED, limitedN);
  st(out, LINE_LIMITED, limitedA);
  st(out, MEMRISTOR_LIMITED, portLimited);
}

export function chipElectricalJacobian(
  p: usize,
  state: usize,
  stimulus: usize,
  dState: usize,
  dParams: usize,
): void {
  const D = DIRECTIONS;
  fill(S, STATE_SIZE * D, 0);
  for (let i = 0; i < STATE_SIZE; i++) st(S, i * D + i, 1);
  linePartials(p, state);
  portPartials(p, state);
  solve(p, state, stimulus);
  const rh = ld(p, HEATER_RESISTANCE);
  const vn = nodeN;
  const jh = P(HEATER_RESISTANCE);
  for (let o = 0; o < ELECTRICAL_SIZE; o++) {
    let byRm: f64 = 0;
    let byRh: f64 = 0;
    let byRv: f64 = 0;
    if (o === HEATER_VOLTAGE) {
      byRm = nodeNDm;
      byRh = nodeNDh;
    } else if (o === HEATER_CURRENT) {
      byRm = currentNDm;
      byRh = currentNDh;
    } else if (o === LINE_VOLTAGE) {
      byRm = nodeADm;
      byRh = nodeADh;
    } else if (o === LINE_CURRENT) {
      byRm = currentADm;
      byRh = currentADh;
    } else if (o === MEMRISTOR_VOLTAGE) byRv = portVoltageDr;
    else if (o === MEMRISTOR_CURRENT) byRv = portCurrentDr;
    else {
      byRm = (2 * vn * nodeNDm) / rh;
      byRh = (2 * vn * nodeNDh) / rh - (vn * vn) / (rh * rh);
    }
    for (let j = 0; j < D; j++) st(GRADIENT, j, byRm * ld(D_RM, j) + byRv * ld(D_RV, j));
    addAt(GRADIENT, jh, byRh);
    for (let j = 0; j < STATE_SIZE; j++) st(dState, o * STATE_SIZE + j, ld(GRADIENT, j));
    for (let k = 0; k < PARAMETER_COUNT; k++) st(dParams, o * PARAMETER_COUNT + k, ld(GRADIENT, P(k)));
  }
}

export function chipThevenin(p: usize, state: usize, stimulus: usize, port: i32, out: usize): void {
  const rm = memristance(ld(state, LINE_STATE), ld(p, LINE_R_ON), ld(p, LINE_R_OFF));
  const rh = ld(p, HEATER_RESISTANCE);
  if (port === HEATER_PORT) {
    theveninHeater(ld(stimulus, LINE_PORT), ld(stimulus, LINE_PORT + 1), ld(stimulus, LINE_PORT + 2), rm, rh);
  } else if (port === LINE_PORT) {
    theveninLine(
      ld(stimulus, HEATER_PORT),
      ld(stimulus, HEATER_PORT + 1),
      ld(stimulus, HEATER_PORT + 2),
      rm,
      rh,
    );
  } else {
    st(out, 0, 0);
    st(
      out,
      1,
      vteamResistance(
        ld(state, STANDALONE_STATE),
        ld(p, SA_R_ON),
        ld(p, SA_R_OFF),
        ld(p, SA_W_ON),
        ld(p, SA_W_OFF),
      ),
    );
    return;
  }
  st(out, 0, theveninVoltage);
  st(out, 1, theveninResistance);
}

// ------------------------------------------------------------------ optics

export function chipTransmission(p: usize, state: usize, wavelength: f64, path: i32): f64 {
  return optics(p, state, wavelength, path, false);
}

export function chipTransmissionGradient(
  p: usize,
  state: usize,
  wavelength: f64,
  path: i32,
  dState: usize,
  dParams: usize,
): f64 {
  const value = optics(p, state, wavelength, path, true);
  for (let j = 0; j < STATE_SIZE; j++) st(dState, j, ld(GRADIENT, j));
  for (let k = 0; k < PARAMETER_COUNT; k++) st(dParams, k, ld(GRADIENT, P(k)));
  return value;
}

// The factors dynamics.ts's `add` closure reads.
let byU: f64 = 0;
let byPhase: f64 = 0;
let loopU: f64 = 0;

function addOptical(j: i32, dLogLoop: f64, dPhase: f64): void {
  addAt(GRADIENT, j, byU * loopU * dLogLoop + byPhase * dPhase);
}

function disperse(p: usize, neff: i32, length: f64, wavelength: f64, k0: f64): void {
  const lambda0 = ld(p, neff + 2);
  addOptical(P(neff), 0, (TWO_PI * length) / lambda0);
  addOptical(P(neff + 1), 0, -k0 * length * ((wavelength - lambda0) / lambda0));
  addOptical(P(neff + 2), 0, (TWO_PI * length * (ld(p, neff + 1) - ld(p, neff))) / (lambda0 * lambda0));
}

function optics(p: usize, state: usize, wavelength: f64, path: i32, gradient: bool): f64 {
  const xIn = (wavelength - ld(p, GC_IN_CENTRE)) / ld(p, GC_IN_BANDWIDTH);
  const xOut = (wavelength - ld(p, GC_OUT_CENTRE)) / ld(p, GC_OUT_BANDWIDTH);
  const shapeIn = exponential(-ONE_DB_EXPONENT * xIn * xIn);
  const shapeOut = exponential(-ONE_DB_EXPONENT * xOut * xOut);
  const etaIn = ld(p, GC_IN_PEAK) * shapeIn;
  const etaOut = ld(p, GC_OUT_PEAK) * shapeOut;
  const bus = exponential(
    -2 *
      AMPLITUDE_PER_DB *
      (ld(p, BUS_IN_LOSS) * ld(p, BUS_IN_LENGTH) + ld(p, BUS_OUT_LOSS) * ld(p, BUS_OUT_LENGTH)),
  );
  const outer = etaIn * etaOut * bus;
  if (path === REFERENCE_PATH) {
    if (gradient) {
      fill(GRADIENT, DIRECTIONS, 0);
      outerGradient(p, outer, xIn, xOut, shapeIn, shapeOut, etaIn, etaOut, bus, 1);
    }
    return outer;
  }
  const k0 = TWO_PI / wavelength;
  const ringLength = ld(p, RING_LENGTH);
  const ringIndex = effectiveIndex(p, RING_NEFF, wavelength);
  const ringPhase = k0 * ringIndex * ringLength;
  const rth = ld(p, THERMAL_RESISTANCE);
  const piPower = ld(p, PI_POWER);
  const equivalentPower = (ld(state, HEATER_RISE) + ld(state, AMBIENT_RISE)) / rth;
  const heaterPhase = (Math.PI * equivalentPower) / piPower;
  const fraction = ld(state, CELL_FRACTION);
  gstMix(
    ld(p, GST_AMORPHOUS_INDEX),
    ld(p, GST_AMORPHOUS_EXTINCTION),
    ld(p, GST_CRYSTALLINE_INDEX),
    ld(p, GST_CRYSTALLINE_EXTINCTION),
    fraction,
  );
  const gamma = ld(p, PATCH_CONFINEMENT);
  const cladding = ld(p, PATCH_CLADDING);
  const patchLength = ld(p, PATCH_LENGTH);
  const dnRe = gamma * (gstIndex - cladding);
  const dnIm = gamma * gstExtinction;
  const patchIndex = effectiveIndex(p, PATCH_NEFF, wavelength);
  const patchPhase = k0 * (patchIndex + dnRe) * patchLength;
  const logLoop =
    -AMPLITUDE_PER_DB * ld(p, RING_LOSS) * ringLength -
    AMPLITUDE_PER_DB * ld(p, HEATER_LOSS) -
    AMPLITUDE_PER_DB * ld(p, PATCH_LOSS) * patchLength -
    k0 * dnIm * patchLength;
  const loop = exponential(logLoop);
  sinCos(ringPhase);
  const rRe = cosOut;
  const rIm = sinOut;
  sinCos(heaterPhase);
  const hRe = rRe * cosOut - rIm * sinOut;
  const hIm = rRe * sinOut + rIm * cosOut;
  sinCos(patchPhase);
  const cos = hRe * cosOut - hIm * sinOut;
  const sin = hRe * sinOut + hIm * cosOut;
  const g = exponential(-AMPLITUDE_PER_DB * ld(p, COUPLER_LOSS));
  const t = Math.sqrt(1 - ld(p, COUPLING));
  const u = g * loop;
  const ring = allPassPower(g, t, u, cos);
  const value = outer * ring;
  if (gradient) {
    fill(GRADIENT, DIRECTIONS, 0);
    outerGradient(p, outer, xIn, xOut, shapeIn, shapeOut, etaIn, etaOut, bus, ring);
    const byT = outer * powerDt;
    byU = outer * powerDu;
    byPhase = -outer * powerDc * sin;
    loopU = u;
    const c = ld(p, COUPLING);
    addAt(GRADIENT, P(COUPLING), (byT * -0.5) / Math.sqrt(1 - c));
    const dg = -AMPLITUDE_PER_DB * g;
    addAt(GRADIENT, P(COUPLER_LOSS), ((2 * outer * ring) / g) * dg + byU * loop * dg);
    addOptical(P(RING_LENGTH), -AMPLITUDE_PER_DB * ld(p, RING_LOSS), k0 * ringIndex);
    addOptical(P(RING_LOSS), -AMPLITUDE_PER_DB * ringLength, 0);
    disperse(p, RING_NEFF, ringLength, wavelength, k0);
    addOptical(P(PI_POWER), 0, (-Math.PI * equivalentPower) / (piPower * piPower));
    addOptical(P(THERMAL_RESISTANCE), 0, (-Math.PI * equivalentPower) / (piPower * rth));
    addOptical(HEATER_RISE, 0, Math.PI / (rth * piPower));
    addOptical(AMBIENT_RISE, 0, Math.PI / (rth * piPower));
    addOptical(P(HEATER_LOSS), -AMPLITUDE_PER_DB, 0);
    addOptical(P(PATCH_LENGTH), -AMPLITUDE_PER_DB * ld(p, PATCH_LOSS) - k0 * dnIm, k0 * (patchIndex + dnRe));
    addOptical(
      P(PATCH_CONFINEMENT),
      -k0 * patchLength * gstExtinction,
      k0 * patchLength * (gstIndex - cladding),
    );
    addOptical(P(PATCH_CLADDING), 0, -k0 * patchLength * gamma);
    addOptical(P(PATCH_LOSS), -AMPLITUDE_PER_DB * patchLength, 0);
    disperse(p, PATCH_NEFF, patchLength, wavelength, k0);
    const gst = k0 * patchLength * gamma;
    addOptical(P(GST_AMORPHOUS_INDEX), -gst * extinctionDna, gst * indexDna);
    addOptical(P(GST_AMORPHOUS_EXTINCTION), -gst * extinctionDka, gst * indexDka);
    addOptical(P(GST_CRYSTALLINE_INDEX), -gst * extinctionDnc, gst * indexDnc);
    addOptical(P(GST_CRYSTALLINE_EXTINCTION), -gst * extinctionDkc, gst * indexDkc);
    addOptical(CELL_FRACTION, -gst * extinctionDx, gst * indexDx);
  }
  return value;
}

function outerGradient(
  p: usize,
  outer: f64,
  xIn: f64,
  xOut: f64,
  shapeIn: f64,
  shapeOut: f64,
  etaIn: f64,
  etaOut: f64,
  bus: f64,
  inner: f64,
): void {
  const value = outer * inner;
  st(GRADIENT, P(GC_IN_PEAK), shapeIn * etaOut * bus * inner);
  st(GRADIENT, P(GC_OUT_PEAK), etaIn * shapeOut * bus * inner);
  const bIn = ld(p, GC_IN_BANDWIDTH);
  const bOut = ld(p, GC_OUT_BANDWIDTH);
  st(GRADIENT, P(GC_IN_CENTRE), (value * 2 * ONE_DB_EXPONENT * xIn) / bIn);
  st(GRADIENT, P(GC_IN_BANDWIDTH), (value * 2 * ONE_DB_EXPONENT * xIn * xIn) / bIn);
  st(GRADIENT, P(GC_OUT_CENTRE), (value * 2 * ONE_DB_EXPONENT * xOut) / bOut);
  st(GRADIENT, P(GC_OUT_BANDWIDTH), (value * 2 * ONE_DB_EXPONENT * xOut * xOut) / bOut);
  st(GRADIENT, P(BUS_IN_LENGTH), -2 * AMPLITUDE_PER_DB * ld(p, BUS_IN_LOSS) * value);
  st(GRADIENT, P(BUS_IN_LOSS), -2 * AMPLITUDE_PER_DB * ld(p, BUS_IN_LENGTH) * value);
  st(GRADIENT, P(BUS_OUT_LENGTH), -2 * AMPLITUDE_PER_DB * ld(p, BUS_OUT_LOSS) * value);
  st(GRADIENT, P(BUS_OUT_LOSS), -2 * AMPLITUDE_PER_DB * ld(p, BUS_OUT_LENGTH) * value);
}
