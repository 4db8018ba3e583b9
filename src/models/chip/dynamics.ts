/**
 * The demo chip's dynamics on flat arrays: the executable specification of
 * the WASM kernel (src/core/assembly/chip.ts mirrors it line for line) and
 * the "ts" side of the backend seam (src/core/kernels/chip.ts). Layouts of
 * the parameter vector, state, stimulus and observables: portable/layout.ts.
 * Unchecked: callers validate once (index.ts `checkChip…`).
 *
 * ```
 *   heaterLine A ─[R_m(x)]─ N ─[R_h]─ G    heater: N–G    memristor: P ─[R_v(w)]─ Q
 *                              ╎ P_h = V_N²/R_h (Joule heating of the heater alone)
 *                              ▼
 *   ring:  C dΔT_h/dt = P_h − ΔT_h/R_th          phase π(ΔT_h + ΔT_amb)/(R_th P_π)
 *   patch: C_c dT_c/dt = s·P_h − (T_c − T_amb,c − ΔT_amb)/R_th,c,  X by JMAK above T_x
 *   ambient: dΔT_amb/dt = r
 * ```
 *
 * Step (operator splitting): dt is cut into n = ⌈dt/MAX_SUBSTEP⌉ equal
 * substeps h. In each, the circuits are solved at the substep's start
 * (portable/circuit.ts) and every input is held over it: each memristor's
 * voltage (the line memristor by the memristor layer's adaptive RK4,
 * src/models/memristor/integrate.ts `holdVoltage`, exact to its error budget
 * for a held voltage; the VTEAM device's speed depends on the voltage alone,
 * so its move is exact), the heater power for ΔT_h (exact RC response
 * ΔT_ss + (ΔT_0 − ΔT_ss)e^{−h/τ}, ΔT_ss = R_th P_h, Newton's law of
 * cooling), the cell's power s·P_h and ambient for `stepCell`'s portable code
 * (exact heat balance, JMAK, melt-quench), and ΔT_amb moves by r·h (exact).
 * What the splitting misses is the change of the memristors' voltages within
 * a substep through their own and each other's state (a divider, a
 * compliance-limited source): a first-order error, of order
 * h·|∂v/∂x·dx/dt| relative, which is what MAX_SUBSTEP bounds; the heater
 * power feeding ΔT_h and the cell likewise lags by up to one substep, and
 * the cell's ambient by r·h.
 *
 * Where no input moves within the step, one substep of the whole dt is
 * exact, and a step takes it (a virtual instrument steps the chip over each
 * reading, ~20 ms, and over any idle time). The standalone memristor (its
 * own pads, no heat; nothing else reads it) and the rest decide apart:
 *  - the standalone memristor, when its port is open (v = 0 throughout) or a
 *    voltage source within its compliance at the start and at the end of a
 *    trial hold over dt (`holdsWhole`): VTEAM is ohmic at a fixed state, so
 *    below its limit the source fixes v; under a fixed v the state moves one
 *    way and R_v(w) is linear in w, so |I| = |v|/R_v is largest at one end
 *    of the step, and within the limit at both ends it is within it
 *    throughout: the one hold is the exact trajectory. A current source, or
 *    the limit reached at either end, keeps the n substeps (the trial is
 *    dropped). With n = 1 both are the one substep, and no trial is made;
 *  - the rest, when the heater line is open and the patch stays at or below
 *    T_x (`staysCold`): with A open no current flows through R_m, so the
 *    line memristor sees 0 V and does not move, and P_h is fixed by the
 *    heater port on the fixed R_h alone (its compliance decided once): ΔT_h's
 *    exponential and ΔT_amb + r·dt are exact over any dt; at or below T_x the
 *    patch has no kinetics (X stays) and its temperature follows the exact
 *    solution with the ambient drifting (portable/cold-cell.ts: T_ss − rτ +
 *    r t + (T0 − T_ss + rτ)e^{−t/τ}, `peakTemperature` bounding it over the
 *    step). Otherwise (the line driven, or the patch reaching T_x, where
 *    JMAK's log-mean rate integral and the crossing times want short
 *    substeps) the n substeps.
 * Either way the two parts use the same per-substep code as the splitting
 * (`portSubstep`, `restSubstep`; the cold patch by cold-cell.ts), and a
 * split step is the same bits as before these shortcuts. The WASM kernel
 * mirrors the decisions line for line; cold-cell.ts is shared.
 *
 * Jacobians: forward mode. S = ∂state/∂(state₀, params) (6 × (6 + 63)) is
 * carried through the substeps: the circuit's partials with respect to R_m
 * and R_h are analytic (portable/circuit.ts), the memristors' through their
 * RK4 stages with the substep lengths held (as
 * src/models/memristor/sensitivity.ts), the RC exactly, the cell by its
 * forward tangent (portable/cell-tangent.ts), or, cold, by the exact
 * solution's partials (portable/cold-cell.ts). A substep of the whole dt is
 * carried the same way: the adaptive hold's tangent is its RK4 steps', for
 * any length. Branches (compliance, bounds, T_x, T_m, and which steps are
 * taken whole) are taken on the values: the derivative is that of the branch
 * taken.
 */
import { AMPLITUDE_PER_DB, BOLTZMANN } from "../constants.js";
import {
  exponential,
  logarithm,
  memristance,
  power,
  vteamResistance,
  vteamSpeed,
} from "../memristor/portable/physics.js";
import { EDGE_RESOLUTION, PROBE_STEP, project, substepLength } from "../memristor/portable/scheme.js";
import { advanceProgress, fractionAfter, relaxedTemperature } from "../phase-change/portable/cell.js";
import {
  cosKernel,
  cosOfQuadrant,
  quarterTurns,
  REDUCTION_LIMIT,
  reduced,
  sinKernel,
  sinOfQuadrant,
} from "../photonic/mesh/portable/trig.js";
import { cellStepTangent, stepFractionD, stepTemperatureD } from "./portable/cell-tangent.js";
import * as circuit from "./portable/circuit.js";
import {
  byRate,
  byStart,
  bySteady,
  byTimeConstant,
  driftingTemperature,
  driftingTemperaturePartials,
  peakTemperature,
} from "./portable/cold-cell.js";
import * as L from "./portable/layout.js";
import * as optics from "./portable/optics.js";

/** Longest substep of a step, s: the operator splitting's time resolution (see above). */
export const MAX_SUBSTEP = 100e-6;

/** Directions of the Jacobians: the 6 state entries, then the 63 parameters. */
export const DIRECTIONS = L.STATE_SIZE + L.PARAMETER_COUNT;

/** c = 4 ln(10^0.1) of the grating couplers' Gaussian passband (src/models/photonic/grating-coupler.ts). */
const ONE_DB_EXPONENT = 0.4 * Math.LN10;
const TWO_PI = 2 * Math.PI;

/** Column of parameter i in a Jacobian over DIRECTIONS. */
const P = (i: number) => L.STATE_SIZE + i;

// sin and cos of `sinCos`'s argument: the portable trig's bits (the same in the WASM kernel) within its reach.
let sinOut = 0;
let cosOut = 0;

function sinCos(x: number): void {
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

/** n_eff(λ) = n_eff0 − (n_g − n_eff0)(λ − λ0)/λ0 (src/models/photonic/waveguide.ts), from the vector. */
function effectiveIndex(p: Float64Array, neff: number, wavelength: number): number {
  const n0 = p[neff] as number;
  const lambda0 = p[neff + 2] as number;
  return n0 - (((p[neff + 1] as number) - n0) * (wavelength - lambda0)) / lambda0;
}

/** The chip's dynamics for one parameter vector (checked by the caller). */
export class ChipReference {
  /** The parameter vector, `chipParameters` order. */
  readonly p: Float64Array;
  // Jacobian work arrays.
  private readonly s = new Float64Array(L.STATE_SIZE * DIRECTIONS);
  private readonly next = new Float64Array(L.STATE_SIZE * DIRECTIONS);
  private readonly dRm = new Float64Array(DIRECTIONS);
  private readonly dRv = new Float64Array(DIRECTIONS);
  private readonly dLine = new Float64Array(DIRECTIONS);
  private readonly dPower = new Float64Array(DIRECTIONS);
  private readonly lineLocal = new Float64Array(6);
  private readonly portLocal = new Float64Array(12);
  private readonly cellLocal = new Float64Array(22);
  private readonly gradient = new Float64Array(DIRECTIONS);
  /** The standalone memristor's state after `holdsWhole`'s trial hold, m. */
  private held = 0;

  constructor(p: Float64Array) {
    this.p = Float64Array.from(p);
  }

  // ------------------------------------------------------------------ step

  /** Advances `state` in place by dt (s) with `stimulus` held. */
  step(state: Float64Array, stimulus: Float64Array, dt: number): void {
    this.run(state, stimulus, dt, false);
  }

  /**
   * `step`, and the step's Jacobians: dState[i·6 + j] = ∂state'_i/∂state_j,
   * dParams[i·63 + k] = ∂state'_i/∂p_k.
   */
  stepJacobian(
    state: Float64Array,
    stimulus: Float64Array,
    dt: number,
    dState: Float64Array,
    dParams: Float64Array,
  ): void {
    const s = this.s;
    s.fill(0);
    for (let i = 0; i < L.STATE_SIZE; i++) s[i * DIRECTIONS + i] = 1;
    this.run(state, stimulus, dt, true);
    for (let i = 0; i < L.STATE_SIZE; i++) {
      for (let j = 0; j < L.STATE_SIZE; j++) dState[i * L.STATE_SIZE + j] = s[i * DIRECTIONS + j] as number;
      for (let k = 0; k < L.PARAMETER_COUNT; k++) {
        dParams[i * L.PARAMETER_COUNT + k] = s[i * DIRECTIONS + P(k)] as number;
      }
    }
  }

  private run(state: Float64Array, stimulus: Float64Array, dt: number, jacobian: boolean): void {
    if (dt === 0) return;
    const p = this.p;
    const n = Math.ceil(dt / MAX_SUBSTEP);
    const h = dt / n;
    // The standalone memristor: its own pads, no heat, and nothing else reads it.
    if (n > 1 && this.holdsWhole(state, stimulus, dt)) {
      if (jacobian) this.portSubstepJacobian(state, stimulus, dt);
      else state[L.STANDALONE_STATE] = this.held;
    } else {
      for (let k = 0; k < n; k++) {
        if (jacobian) this.portSubstepJacobian(state, stimulus, h);
        else this.portSubstep(state, stimulus, h);
      }
    }
    // The rest: the heater circuit, the heater, the patch and the ambient.
    const cold = this.staysCold(state, stimulus, dt);
    const count = cold ? 1 : n;
    const length = cold ? dt : h;
    const thermalDecay = exponential(-length / (p[L.THERMAL_TIME_CONSTANT] as number));
    const cellDecay = exponential(
      -length / ((p[L.CELL_THERMAL_RESISTANCE] as number) * (p[L.CELL_HEAT_CAPACITY] as number)),
    );
    for (let k = 0; k < count; k++) {
      if (jacobian) this.restSubstepJacobian(state, stimulus, length, thermalDecay, cellDecay, cold);
      else this.restSubstep(state, stimulus, length, thermalDecay, cellDecay, cold);
    }
  }

  /**
   * Whether one hold over the whole dt is exact for the standalone
   * memristor (see the top): its port open, or a voltage source within its
   * compliance at the start and at the end of a trial hold over dt, whose
   * end state is left in `held`.
   */
  private holdsWhole(state: Float64Array, stimulus: Float64Array, dt: number): boolean {
    if (stimulus[L.MEMRISTOR_PORT] === L.MODE_CURRENT) return false;
    const w = state[L.STANDALONE_STATE] as number;
    this.solveStandalone(w, stimulus);
    if (circuit.portLimited !== 0) return false;
    this.held = this.holdPort(w, circuit.portVoltage, dt, null);
    this.solveStandalone(this.held, stimulus);
    return circuit.portLimited === 0;
  }

  /**
   * Whether one substep of the whole dt is exact for the rest (see the
   * top): the heater line open, and the patch at or below T_x throughout
   * (portable/cold-cell.ts `peakTemperature`).
   */
  private staysCold(state: Float64Array, stimulus: Float64Array, dt: number): boolean {
    if (stimulus[L.LINE_PORT] !== L.MODE_OPEN) return false;
    const p = this.p;
    this.solveHeater(state, stimulus);
    const steady = this.cellSteady(
      state,
      (circuit.nodeN * circuit.nodeN) / (p[L.HEATER_RESISTANCE] as number),
    );
    const timeConstant = (p[L.CELL_THERMAL_RESISTANCE] as number) * (p[L.CELL_HEAT_CAPACITY] as number);
    const peak = peakTemperature(
      state[L.CELL_TEMPERATURE] as number,
      steady,
      p[L.AMBIENT_DRIFT_RATE] as number,
      timeConstant,
      dt,
    );
    return peak <= (p[L.CELL_CRYSTALLISATION] as number);
  }

  /** Solves both circuits at `state` into portable/circuit.ts's globals. */
  private solve(state: Float64Array, stimulus: Float64Array): void {
    this.solveHeater(state, stimulus);
    this.solveStandalone(state[L.STANDALONE_STATE] as number, stimulus);
  }

  /** Solves the heater circuit (heater and heater line) at `state`. */
  private solveHeater(state: Float64Array, stimulus: Float64Array): void {
    const p = this.p;
    const rm = memristance(
      state[L.LINE_STATE] as number,
      p[L.LINE_R_ON] as number,
      p[L.LINE_R_OFF] as number,
    );
    circuit.solveHeaterCircuit(
      stimulus[L.HEATER_PORT] as number,
      stimulus[L.HEATER_PORT + 1] as number,
      stimulus[L.HEATER_PORT + 2] as number,
      stimulus[L.LINE_PORT] as number,
      stimulus[L.LINE_PORT + 1] as number,
      stimulus[L.LINE_PORT + 2] as number,
      rm,
      p[L.HEATER_RESISTANCE] as number,
    );
  }

  /** Solves the standalone memristor's port with the device at state w. */
  private solveStandalone(w: number, stimulus: Float64Array): void {
    const p = this.p;
    const rv = vteamResistance(
      w,
      p[L.SA_R_ON] as number,
      p[L.SA_R_OFF] as number,
      p[L.SA_W_ON] as number,
      p[L.SA_W_OFF] as number,
    );
    circuit.solvePort(
      stimulus[L.MEMRISTOR_PORT] as number,
      stimulus[L.MEMRISTOR_PORT + 1] as number,
      stimulus[L.MEMRISTOR_PORT + 2] as number,
      rv,
    );
  }

  /** T_ss of the patch, K: T_amb,c + ΔT_amb + s·P_h·R_th,c. */
  private cellSteady(state: Float64Array, heaterPower: number): number {
    const p = this.p;
    return (
      (p[L.CELL_AMBIENT] as number) +
      (state[L.AMBIENT_RISE] as number) +
      (p[L.HEATING_SHARE] as number) * heaterPower * (p[L.CELL_THERMAL_RESISTANCE] as number)
    );
  }

  /** The standalone memristor over h, its port solved at the start. */
  private portSubstep(state: Float64Array, stimulus: Float64Array, h: number): void {
    this.solveStandalone(state[L.STANDALONE_STATE] as number, stimulus);
    state[L.STANDALONE_STATE] = this.holdPort(
      state[L.STANDALONE_STATE] as number,
      circuit.portVoltage,
      h,
      null,
    );
  }

  /**
   * All but the standalone memristor over h, the heater circuit solved at
   * the start; `cold`: the patch by portable/cold-cell.ts (exact while it
   * stays at or below T_x, which the caller has checked).
   */
  private restSubstep(
    state: Float64Array,
    stimulus: Float64Array,
    h: number,
    thermalDecay: number,
    cellDecay: number,
    cold: boolean,
  ): void {
    const p = this.p;
    this.solveHeater(state, stimulus);
    const heaterPower = (circuit.nodeN * circuit.nodeN) / (p[L.HEATER_RESISTANCE] as number);
    state[L.LINE_STATE] = this.holdLine(
      state[L.LINE_STATE] as number,
      circuit.nodeA - circuit.nodeN,
      h,
      null,
    );
    state[L.HEATER_RISE] = relaxedTemperature(
      state[L.HEATER_RISE] as number,
      (p[L.THERMAL_RESISTANCE] as number) * heaterPower,
      thermalDecay,
    );
    const t0 = state[L.CELL_TEMPERATURE] as number;
    const rc = p[L.CELL_THERMAL_RESISTANCE] as number;
    const steady = this.cellSteady(state, heaterPower);
    if (cold) {
      state[L.CELL_TEMPERATURE] = driftingTemperature(
        t0,
        steady,
        p[L.AMBIENT_DRIFT_RATE] as number,
        rc * (p[L.CELL_HEAT_CAPACITY] as number),
        h,
        cellDecay,
      );
    } else {
      const x0 = state[L.CELL_FRACTION] as number;
      const t1 = relaxedTemperature(t0, steady, cellDecay);
      const avrami = p[L.CELL_AVRAMI] as number;
      const progress = advanceProgress(
        -1,
        x0,
        avrami,
        t0,
        t1,
        steady,
        rc * (p[L.CELL_HEAT_CAPACITY] as number),
        h,
        p[L.CELL_CRYSTALLISATION] as number,
        p[L.CELL_MELTING] as number,
        (p[L.CELL_ACTIVATION] as number) / BOLTZMANN,
        p[L.CELL_PREFACTOR] as number,
      );
      state[L.CELL_TEMPERATURE] = t1;
      state[L.CELL_FRACTION] = fractionAfter(progress, x0, avrami);
    }
    state[L.AMBIENT_RISE] = (state[L.AMBIENT_RISE] as number) + (p[L.AMBIENT_DRIFT_RATE] as number) * h;
  }

  /**
   * The line memristor (Strukov's linear ion drift, no window: dx/dt =
   * (μ_v R_on/D²)·v/M(x)) under voltage v held for dt: `holdVoltage`'s loop
   * (src/models/memristor/integrate.ts) line for line, the same bits. With
   * `local`, also its partials with respect to [x0, v, R_on, R_off, D, μ_v]
   * (the RK4 stages' tangents, substep lengths held).
   */
  private holdLine(x: number, v: number, dt: number, local: Float64Array | null): number {
    const p = this.p;
    const rOn = p[L.LINE_R_ON] as number;
    const rOff = p[L.LINE_R_OFF] as number;
    const thickness = p[L.LINE_THICKNESS] as number;
    const mobility = p[L.LINE_MOBILITY] as number;
    const drift = (mobility * rOn) / (thickness * thickness);
    const rate = (y: number) => drift * (v / memristance(y, rOn, rOff));
    if (local) {
      local.fill(0);
      local[0] = 1;
    }
    const edge = EDGE_RESOLUTION;
    const probe = PROBE_STEP;
    let elapsed = 0;
    while (elapsed < dt) {
      const k1 = rate(x);
      if (k1 === 0 || (k1 > 0 && x >= 1 - edge) || (k1 < 0 && x <= edge)) break;
      const probed = x < 0.5 ? x + probe : x - probe;
      const stiffness = Math.abs(rate(probed) - k1) / probe;
      const remaining = dt - elapsed;
      const h = substepLength(remaining, Math.abs(k1), stiffness, 1);
      const x2 = x + 0.5 * h * k1;
      const k2 = rate(project(x2, 0, 1));
      const x3 = x + 0.5 * h * k2;
      const k3 = rate(project(x3, 0, 1));
      const x4 = x + h * k3;
      const k4 = rate(project(x4, 0, 1));
      const raw = x + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
      const next = project(raw, 0, 1);
      if (next === x) break;
      if (local) lineTangent(local, x, x2, x3, x4, raw, h, v, rOn, rOff, drift, thickness, mobility);
      x = next;
      elapsed = h === remaining ? dt : elapsed + h;
    }
    // At v = 0 the device does not move, but its speed's slope in v, drift/M(x), is not 0.
    if (local && v === 0)
      local[1] = (local[1] as number) + ((dt - elapsed) * drift) / memristance(x, rOn, rOff);
    return x;
  }

  /**
   * The standalone VTEAM memristor under voltage v held for dt: the speed
   * depends on v alone (clamp window), so the RK4 stages are all that
   * speed and the loop is the VTEAM kernel's (src/core/assembly/vteam.ts),
   * the same bits as `holdVoltage`. With `local`, its partials with respect
   * to [w0, v, then the 10 VTEAM parameters in order].
   */
  private holdPort(w: number, v: number, dt: number, local: Float64Array | null): number {
    const p = this.p;
    const wOn = p[L.SA_W_ON] as number;
    const wOff = p[L.SA_W_OFF] as number;
    const kOn = p[L.SA_K_ON] as number;
    const kOff = p[L.SA_K_OFF] as number;
    const alphaOn = p[L.SA_ALPHA_ON] as number;
    const alphaOff = p[L.SA_ALPHA_OFF] as number;
    const vOn = p[L.SA_V_ON] as number;
    const vOff = p[L.SA_V_OFF] as number;
    const range = wOff - wOn;
    const edge = EDGE_RESOLUTION * range;
    const g = vteamSpeed(v, kOn, kOff, alphaOn, alphaOff, vOn, vOff);
    if (local) {
      local.fill(0);
      local[0] = 1;
    }
    let elapsed = 0;
    while (elapsed < dt) {
      if (g === 0 || (g > 0 && w >= wOff - edge) || (g < 0 && w <= wOn + edge)) break;
      const remaining = dt - elapsed;
      const h = substepLength(remaining, Math.abs(g), 0, range);
      const raw = w + (h / 6) * (g + 2 * g + 2 * g + g);
      const next = project(raw, wOn, wOff);
      if (next === w) break;
      if (local) {
        if (raw < wOn || raw > wOff) {
          local.fill(0);
          local[raw < wOn ? 4 : 5] = 1;
        } else {
          vteamSpeedPartials(v, kOn, kOff, alphaOn, alphaOff, vOn, vOff, h, local);
        }
      }
      w = next;
      elapsed = h === remaining ? dt : elapsed + h;
    }
    return w;
  }

  /** `portSubstep` with the standalone memristor's row of S (this.s) carried along. */
  private portSubstepJacobian(state: Float64Array, stimulus: Float64Array, h: number): void {
    const s = this.s;
    const D = DIRECTIONS;
    const w = state[L.STANDALONE_STATE] as number;
    this.portPartials(state);
    this.solveStandalone(w, stimulus);
    const dRv = this.dRv;
    const port = this.portLocal;
    this.holdPort(w, circuit.portVoltage, h, port);
    const row = L.STANDALONE_STATE * D;
    for (let j = 0; j < D; j++) {
      s[row + j] =
        (port[0] as number) * (s[row + j] as number) +
        (port[1] as number) * (circuit.portVoltageDr * (dRv[j] as number));
    }
    for (let k = 0; k < 10; k++) {
      const at = row + P(L.SA_R_ON + k);
      s[at] = (s[at] as number) + (port[2 + k] as number);
    }
    // The value: the plain substep, so that a Jacobian step moves the state exactly as `step` does.
    this.portSubstep(state, stimulus, h);
  }

  /** `restSubstep` with the other rows of S (this.s) carried along. */
  private restSubstepJacobian(
    state: Float64Array,
    stimulus: Float64Array,
    h: number,
    thermalDecay: number,
    cellDecay: number,
    cold: boolean,
  ): void {
    const p = this.p;
    const s = this.s;
    const next = this.next;
    const D = DIRECTIONS;
    const x = state[L.LINE_STATE] as number;
    const rise = state[L.HEATER_RISE] as number;
    const t0 = state[L.CELL_TEMPERATURE] as number;
    const x0 = state[L.CELL_FRACTION] as number;
    const ambientRise = state[L.AMBIENT_RISE] as number;
    const rh = p[L.HEATER_RESISTANCE] as number;
    this.linePartials(state);
    this.solveHeater(state, stimulus);
    const vn = circuit.nodeN;
    const vLine = circuit.nodeA - circuit.nodeN;
    const heaterPower = (vn * vn) / rh;
    const dRm = this.dRm;
    const dLine = this.dLine;
    const dPower = this.dPower;
    for (let j = 0; j < D; j++) {
      const rm = dRm[j] as number;
      const dVa = circuit.nodeADm * rm;
      const dVn = circuit.nodeNDm * rm;
      dLine[j] = dVa - dVn;
      dPower[j] = (2 * vn * dVn) / rh;
    }
    // R_h's own direction.
    const jh = P(L.HEATER_RESISTANCE);
    dLine[jh] = (dLine[jh] as number) + circuit.nodeADh - circuit.nodeNDh;
    dPower[jh] = (dPower[jh] as number) + (2 * vn * circuit.nodeNDh) / rh - heaterPower / rh;

    // The line memristor.
    const line = this.lineLocal;
    this.holdLine(x, vLine, h, line);
    for (let j = 0; j < D; j++) {
      next[L.LINE_STATE * D + j] =
        (line[0] as number) * (s[L.LINE_STATE * D + j] as number) +
        (line[1] as number) * (dLine[j] as number);
    }
    const lineParams = [L.LINE_R_ON, L.LINE_R_OFF, L.LINE_THICKNESS, L.LINE_MOBILITY];
    for (let k = 0; k < 4; k++) {
      const at = L.LINE_STATE * D + P(lineParams[k] as number);
      next[at] = (next[at] as number) + (line[2 + k] as number);
    }

    // Heater: ΔT' = ΔT_ss + (ΔT − ΔT_ss)·d, ΔT_ss = R_th P, d = e^{−h/τ}.
    const rth = p[L.THERMAL_RESISTANCE] as number;
    const tau = p[L.THERMAL_TIME_CONSTANT] as number;
    const heaterSteady = rth * heaterPower;
    for (let j = 0; j < D; j++) {
      next[L.HEATER_RISE * D + j] =
        thermalDecay * (s[L.HEATER_RISE * D + j] as number) +
        rth * (1 - thermalDecay) * (dPower[j] as number);
    }
    next[L.HEATER_RISE * D + P(L.THERMAL_RESISTANCE)] =
      (next[L.HEATER_RISE * D + P(L.THERMAL_RESISTANCE)] as number) + heaterPower * (1 - thermalDecay);
    next[L.HEATER_RISE * D + P(L.THERMAL_TIME_CONSTANT)] =
      (next[L.HEATER_RISE * D + P(L.THERMAL_TIME_CONSTANT)] as number) +
      ((rise - heaterSteady) * thermalDecay * h) / (tau * tau);

    if (cold) this.coldCellTangent(state, t0, heaterPower, h, cellDecay);
    else this.cellTangent(t0, x0, ambientRise, heaterPower, h, cellDecay);
    // Ambient: ΔT_amb' = ΔT_amb + r h.
    for (let j = 0; j < D; j++) next[L.AMBIENT_RISE * D + j] = s[L.AMBIENT_RISE * D + j] as number;
    next[L.AMBIENT_RISE * D + P(L.AMBIENT_DRIFT_RATE)] =
      (next[L.AMBIENT_RISE * D + P(L.AMBIENT_DRIFT_RATE)] as number) + h;
    // The standalone memristor's row is portSubstepJacobian's.
    for (let j = 0; j < D; j++) next[L.STANDALONE_STATE * D + j] = s[L.STANDALONE_STATE * D + j] as number;
    s.set(next);

    // The values: the plain substep, so that a Jacobian step moves the state exactly as `step` does.
    this.restSubstep(state, stimulus, h, thermalDecay, cellDecay, cold);
  }

  /**
   * The patch's rows of `next` from its forward tangent (portable/cell-tangent.ts):
   * local partials with respect to [T0, X0, T_amb, P_c, C, R_c, T_x, T_m, E_a, ν, n].
   */
  private cellTangent(
    t0: number,
    x0: number,
    ambientRise: number,
    heaterPower: number,
    h: number,
    cellDecay: number,
  ): void {
    const p = this.p;
    const s = this.s;
    const next = this.next;
    const D = DIRECTIONS;
    const dPower = this.dPower;
    const share = p[L.HEATING_SHARE] as number;
    const cellPower = share * heaterPower;
    const ambient = (p[L.CELL_AMBIENT] as number) + ambientRise;
    const cell = this.cellLocal;
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
        p[L.CELL_HEAT_CAPACITY] as number,
        d === 4 ? 1 : 0,
        p[L.CELL_THERMAL_RESISTANCE] as number,
        d === 5 ? 1 : 0,
        p[L.CELL_CRYSTALLISATION] as number,
        d === 6 ? 1 : 0,
        p[L.CELL_MELTING] as number,
        d === 7 ? 1 : 0,
        (p[L.CELL_ACTIVATION] as number) / BOLTZMANN,
        d === 8 ? 1 / BOLTZMANN : 0,
        p[L.CELL_PREFACTOR] as number,
        d === 9 ? 1 : 0,
        p[L.CELL_AVRAMI] as number,
        d === 10 ? 1 : 0,
        h,
        cellDecay,
      );
      cell[2 * d] = stepTemperatureD;
      cell[2 * d + 1] = stepFractionD;
    }
    for (let r = 0; r < 2; r++) {
      const row = (r === 0 ? L.CELL_TEMPERATURE : L.CELL_FRACTION) * D;
      const byT0 = cell[r] as number;
      const byX0 = cell[2 + r] as number;
      const byAmbient = cell[4 + r] as number;
      const byPower = cell[6 + r] as number;
      for (let j = 0; j < D; j++) {
        next[row + j] =
          byT0 * (s[L.CELL_TEMPERATURE * D + j] as number) +
          byX0 * (s[L.CELL_FRACTION * D + j] as number) +
          byAmbient * (s[L.AMBIENT_RISE * D + j] as number) +
          byPower * share * (dPower[j] as number);
      }
      next[row + P(L.CELL_AMBIENT)] = (next[row + P(L.CELL_AMBIENT)] as number) + byAmbient;
      next[row + P(L.HEATING_SHARE)] = (next[row + P(L.HEATING_SHARE)] as number) + byPower * heaterPower;
      for (let k = 0; k < 7; k++) {
        const cellParam = k < 2 ? L.CELL_HEAT_CAPACITY + k : L.CELL_CRYSTALLISATION + (k - 2);
        next[row + P(cellParam)] = (next[row + P(cellParam)] as number) + (cell[8 + 2 * k + r] as number);
      }
    }
  }

  /**
   * The patch's rows of `next` over a step it spends at or below T_x
   * (portable/cold-cell.ts): T' by the partials of the drifting exact
   * solution through T_ss = T_amb,c + ΔT_amb + s P_h R_c and τ = R_c C; X
   * unchanged.
   */
  private coldCellTangent(
    state: Float64Array,
    t0: number,
    heaterPower: number,
    h: number,
    cellDecay: number,
  ): void {
    const p = this.p;
    const s = this.s;
    const next = this.next;
    const D = DIRECTIONS;
    const dPower = this.dPower;
    const share = p[L.HEATING_SHARE] as number;
    const rc = p[L.CELL_THERMAL_RESISTANCE] as number;
    const capacity = p[L.CELL_HEAT_CAPACITY] as number;
    driftingTemperaturePartials(
      t0,
      this.cellSteady(state, heaterPower),
      p[L.AMBIENT_DRIFT_RATE] as number,
      rc * capacity,
      h,
      cellDecay,
    );
    const row = L.CELL_TEMPERATURE * D;
    for (let j = 0; j < D; j++) {
      next[row + j] =
        byStart * (s[row + j] as number) +
        bySteady * ((s[L.AMBIENT_RISE * D + j] as number) + share * rc * (dPower[j] as number));
      next[L.CELL_FRACTION * D + j] = s[L.CELL_FRACTION * D + j] as number;
    }
    next[row + P(L.CELL_AMBIENT)] = (next[row + P(L.CELL_AMBIENT)] as number) + bySteady;
    next[row + P(L.HEATING_SHARE)] = (next[row + P(L.HEATING_SHARE)] as number) + bySteady * heaterPower * rc;
    next[row + P(L.CELL_THERMAL_RESISTANCE)] =
      (next[row + P(L.CELL_THERMAL_RESISTANCE)] as number) +
      bySteady * share * heaterPower +
      byTimeConstant * capacity;
    next[row + P(L.CELL_HEAT_CAPACITY)] =
      (next[row + P(L.CELL_HEAT_CAPACITY)] as number) + byTimeConstant * rc;
    next[row + P(L.AMBIENT_DRIFT_RATE)] = (next[row + P(L.AMBIENT_DRIFT_RATE)] as number) + byRate;
  }

  /** dRm over DIRECTIONS from S (this.s) at `state`. */
  private linePartials(state: Float64Array): void {
    const p = this.p;
    const s = this.s;
    const D = DIRECTIONS;
    const x = state[L.LINE_STATE] as number;
    const rOn = p[L.LINE_R_ON] as number;
    const rOff = p[L.LINE_R_OFF] as number;
    const dRm = this.dRm;
    for (let j = 0; j < D; j++) dRm[j] = (rOn - rOff) * (s[L.LINE_STATE * D + j] as number);
    dRm[P(L.LINE_R_ON)] = (dRm[P(L.LINE_R_ON)] as number) + x;
    dRm[P(L.LINE_R_OFF)] = (dRm[P(L.LINE_R_OFF)] as number) + (1 - x);
  }

  /** dRv over DIRECTIONS from S (this.s) at `state`. */
  private portPartials(state: Float64Array): void {
    const p = this.p;
    const s = this.s;
    const D = DIRECTIONS;
    const w = state[L.STANDALONE_STATE] as number;
    const vOn = p[L.SA_R_ON] as number;
    const vOff = p[L.SA_R_OFF] as number;
    const wOn = p[L.SA_W_ON] as number;
    const wOff = p[L.SA_W_OFF] as number;
    const span = wOff - wOn;
    const slope = (vOff - vOn) / span;
    const dRv = this.dRv;
    for (let j = 0; j < D; j++) dRv[j] = slope * (s[L.STANDALONE_STATE * D + j] as number);
    const fraction = (w - wOn) / span;
    dRv[P(L.SA_R_ON)] = (dRv[P(L.SA_R_ON)] as number) + (1 - fraction);
    dRv[P(L.SA_R_OFF)] = (dRv[P(L.SA_R_OFF)] as number) + fraction;
    dRv[P(L.SA_W_ON)] = (dRv[P(L.SA_W_ON)] as number) + (slope * (w - wOff)) / span;
    dRv[P(L.SA_W_OFF)] = (dRv[P(L.SA_W_OFF)] as number) - (slope * (w - wOn)) / span;
  }

  // ------------------------------------------------------------------ electrical observables

  /** Port voltages and currents, heater power and compliance flags at `state` (layout.ts order) into `out`. */
  electrical(state: Float64Array, stimulus: Float64Array, out: Float64Array): void {
    this.solve(state, stimulus);
    const rh = this.p[L.HEATER_RESISTANCE] as number;
    out[L.HEATER_VOLTAGE] = circuit.nodeN;
    out[L.HEATER_CURRENT] = circuit.currentN;
    out[L.LINE_VOLTAGE] = circuit.nodeA;
    out[L.LINE_CURRENT] = circuit.currentA;
    out[L.MEMRISTOR_VOLTAGE] = circuit.portVoltage;
    out[L.MEMRISTOR_CURRENT] = circuit.portCurrent;
    out[L.HEATER_POWER] = (circuit.nodeN * circuit.nodeN) / rh;
    out[L.HEATER_LIMITED] = circuit.limitedN;
    out[L.LINE_LIMITED] = circuit.limitedA;
    out[L.MEMRISTOR_LIMITED] = circuit.portLimited;
  }

  /** ∂(the 7 differentiable electrical observables)/∂state (7 × 6) and /∂params (7 × 63). */
  electricalJacobian(
    state: Float64Array,
    stimulus: Float64Array,
    dState: Float64Array,
    dParams: Float64Array,
  ): void {
    const s = this.s;
    const D = DIRECTIONS;
    s.fill(0);
    for (let i = 0; i < L.STATE_SIZE; i++) s[i * D + i] = 1;
    this.linePartials(state);
    this.portPartials(state);
    this.solve(state, stimulus);
    const rh = this.p[L.HEATER_RESISTANCE] as number;
    const vn = circuit.nodeN;
    const jh = P(L.HEATER_RESISTANCE);
    const dRm = this.dRm;
    const dRv = this.dRv;
    const row = this.gradient;
    for (let o = 0; o < L.ELECTRICAL_SIZE; o++) {
      let byRm = 0;
      let byRh = 0;
      let byRv = 0;
      if (o === L.HEATER_VOLTAGE) [byRm, byRh] = [circuit.nodeNDm, circuit.nodeNDh];
      else if (o === L.HEATER_CURRENT) [byRm, byRh] = [circuit.currentNDm, circuit.currentNDh];
      else if (o === L.LINE_VOLTAGE) [byRm, byRh] = [circuit.nodeADm, circuit.nodeADh];
      else if (o === L.LINE_CURRENT) [byRm, byRh] = [circuit.currentADm, circuit.currentADh];
      else if (o === L.MEMRISTOR_VOLTAGE) byRv = circuit.portVoltageDr;
      else if (o === L.MEMRISTOR_CURRENT) byRv = circuit.portCurrentDr;
      else {
        byRm = (2 * vn * circuit.nodeNDm) / rh;
        byRh = (2 * vn * circuit.nodeNDh) / rh - (vn * vn) / (rh * rh);
      }
      for (let j = 0; j < D; j++) row[j] = byRm * (dRm[j] as number) + byRv * (dRv[j] as number);
      row[jh] = (row[jh] as number) + byRh;
      for (let j = 0; j < L.STATE_SIZE; j++) dState[o * L.STATE_SIZE + j] = row[j] as number;
      for (let k = 0; k < L.PARAMETER_COUNT; k++) dParams[o * L.PARAMETER_COUNT + k] = row[P(k)] as number;
    }
  }

  /** Open-circuit voltage (V) and resistance (Ω) seen from `port` (layout.ts port offset) into out[0], out[1]. */
  thevenin(state: Float64Array, stimulus: Float64Array, port: number, out: Float64Array): void {
    const p = this.p;
    const rm = memristance(
      state[L.LINE_STATE] as number,
      p[L.LINE_R_ON] as number,
      p[L.LINE_R_OFF] as number,
    );
    const rh = p[L.HEATER_RESISTANCE] as number;
    if (port === L.HEATER_PORT) {
      circuit.theveninHeater(
        stimulus[L.LINE_PORT] as number,
        stimulus[L.LINE_PORT + 1] as number,
        stimulus[L.LINE_PORT + 2] as number,
        rm,
        rh,
      );
    } else if (port === L.LINE_PORT) {
      circuit.theveninLine(
        stimulus[L.HEATER_PORT] as number,
        stimulus[L.HEATER_PORT + 1] as number,
        stimulus[L.HEATER_PORT + 2] as number,
        rm,
        rh,
      );
    } else {
      out[0] = 0;
      out[1] = vteamResistance(
        state[L.STANDALONE_STATE] as number,
        p[L.SA_R_ON] as number,
        p[L.SA_R_OFF] as number,
        p[L.SA_W_ON] as number,
        p[L.SA_W_OFF] as number,
      );
      return;
    }
    out[0] = circuit.theveninVoltage;
    out[1] = circuit.theveninResistance;
  }

  // ------------------------------------------------------------------ optics

  /** Power transmission fibre to fibre of `path` (RING_PATH or REFERENCE_PATH) at `wavelength` (m). */
  transmission(state: Float64Array, wavelength: number, path: number): number {
    return this.optics(state, wavelength, path, null);
  }

  /** `transmission`, with ∂T/∂state into dState (6) and ∂T/∂params into dParams (63). */
  transmissionGradient(
    state: Float64Array,
    wavelength: number,
    path: number,
    dState: Float64Array,
    dParams: Float64Array,
  ): number {
    const g = this.gradient;
    const value = this.optics(state, wavelength, path, g);
    for (let j = 0; j < L.STATE_SIZE; j++) dState[j] = g[j] as number;
    for (let k = 0; k < L.PARAMETER_COUNT; k++) dParams[k] = g[P(k)] as number;
    return value;
  }

  /**
   * T = η_in(λ) η_out(λ) |A_busIn A_busOut|² · (|H|² on the ring path, 1 on
   * the reference path): grating couplers (Gaussian passband), bus
   * waveguides (loss only: their phase drops out of a power), and the
   * all-pass ring (portable/optics.ts) whose loop is ring waveguide × heater
   * × patch: amplitude a = A_ring g_heater A_patch, and e^{iφ} the product of
   * the three sections' phasors (φ_ring = 2π n_eff(λ) L/λ; φ_heater =
   * π P_eq/P_π with P_eq = (ΔT_h + ΔT_amb)/R_th, the power that would hold
   * that rise in steady state, negative if the chip has cooled; φ_patch and
   * the patch's loss from Δn_eff = Γ(n_GST(X) − n_clad) as
   * src/models/phase-change/patch.ts) — the netlist of
   * src/models/circuit/demo-chip.ts in closed form.
   */
  private optics(state: Float64Array, wavelength: number, path: number, grad: Float64Array | null): number {
    const p = this.p;
    const xIn = (wavelength - (p[L.GC_IN_CENTRE] as number)) / (p[L.GC_IN_BANDWIDTH] as number);
    const xOut = (wavelength - (p[L.GC_OUT_CENTRE] as number)) / (p[L.GC_OUT_BANDWIDTH] as number);
    const shapeIn = exponential(-ONE_DB_EXPONENT * xIn * xIn);
    const shapeOut = exponential(-ONE_DB_EXPONENT * xOut * xOut);
    const etaIn = (p[L.GC_IN_PEAK] as number) * shapeIn;
    const etaOut = (p[L.GC_OUT_PEAK] as number) * shapeOut;
    const bus = exponential(
      -2 *
        AMPLITUDE_PER_DB *
        ((p[L.BUS_IN_LOSS] as number) * (p[L.BUS_IN_LENGTH] as number) +
          (p[L.BUS_OUT_LOSS] as number) * (p[L.BUS_OUT_LENGTH] as number)),
    );
    const outer = etaIn * etaOut * bus;
    if (path === L.REFERENCE_PATH) {
      if (grad) {
        grad.fill(0);
        this.outerGradient(grad, outer, xIn, xOut, shapeIn, shapeOut, etaIn, etaOut, bus, 1);
      }
      return outer;
    }
    const k0 = TWO_PI / wavelength;
    // Ring waveguide.
    const ringLength = p[L.RING_LENGTH] as number;
    const ringIndex = effectiveIndex(p, L.RING_NEFF, wavelength);
    const ringPhase = k0 * ringIndex * ringLength;
    // Heater.
    const rth = p[L.THERMAL_RESISTANCE] as number;
    const piPower = p[L.PI_POWER] as number;
    const equivalentPower = ((state[L.HEATER_RISE] as number) + (state[L.AMBIENT_RISE] as number)) / rth;
    const heaterPhase = (Math.PI * equivalentPower) / piPower;
    // Patch.
    const fraction = state[L.CELL_FRACTION] as number;
    optics.gstMix(
      p[L.GST_AMORPHOUS_INDEX] as number,
      p[L.GST_AMORPHOUS_EXTINCTION] as number,
      p[L.GST_CRYSTALLINE_INDEX] as number,
      p[L.GST_CRYSTALLINE_EXTINCTION] as number,
      fraction,
    );
    const gamma = p[L.PATCH_CONFINEMENT] as number;
    const cladding = p[L.PATCH_CLADDING] as number;
    const patchLength = p[L.PATCH_LENGTH] as number;
    const dnRe = gamma * (optics.gstIndex - cladding);
    const dnIm = gamma * optics.gstExtinction;
    const patchIndex = effectiveIndex(p, L.PATCH_NEFF, wavelength);
    const patchPhase = k0 * (patchIndex + dnRe) * patchLength;
    // Loop amplitude a and phasor e^{iφ}.
    const logLoop =
      -AMPLITUDE_PER_DB * (p[L.RING_LOSS] as number) * ringLength -
      AMPLITUDE_PER_DB * (p[L.HEATER_LOSS] as number) -
      AMPLITUDE_PER_DB * (p[L.PATCH_LOSS] as number) * patchLength -
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
    const g = exponential(-AMPLITUDE_PER_DB * (p[L.COUPLER_LOSS] as number));
    const t = Math.sqrt(1 - (p[L.COUPLING] as number));
    const u = g * loop;
    const ring = optics.allPassPower(g, t, u, cos);
    const value = outer * ring;
    if (grad) {
      grad.fill(0);
      this.outerGradient(grad, outer, xIn, xOut, shapeIn, shapeOut, etaIn, etaOut, bus, ring);
      const byT = outer * optics.powerDt;
      const byU = outer * optics.powerDu;
      const byPhase = -outer * optics.powerDc * sin;
      // dT = outer·(∂|H|²/∂t dt + ∂|H|²/∂u du + ∂|H|²/∂φ dφ + 2|H|²/g dg), du = a dg + u d(ln a).
      const add = (j: number, dLogLoop: number, dPhase: number) => {
        grad[j] = (grad[j] as number) + byU * u * dLogLoop + byPhase * dPhase;
      };
      const c = p[L.COUPLING] as number;
      grad[P(L.COUPLING)] = (grad[P(L.COUPLING)] as number) + (byT * -0.5) / Math.sqrt(1 - c);
      const dg = -AMPLITUDE_PER_DB * g;
      grad[P(L.COUPLER_LOSS)] =
        (grad[P(L.COUPLER_LOSS)] as number) + ((2 * outer * ring) / g) * dg + byU * loop * dg;
      const disperse = (neff: number, length: number) => {
        const lambda0 = p[neff + 2] as number;
        add(P(neff), 0, (TWO_PI * length) / lambda0);
        add(P(neff + 1), 0, -k0 * length * ((wavelength - lambda0) / lambda0));
        add(
          P(neff + 2),
          0,
          (TWO_PI * length * ((p[neff + 1] as number) - (p[neff] as number))) / (lambda0 * lambda0),
        );
      };
      add(P(L.RING_LENGTH), -AMPLITUDE_PER_DB * (p[L.RING_LOSS] as number), k0 * ringIndex);
      add(P(L.RING_LOSS), -AMPLITUDE_PER_DB * ringLength, 0);
      disperse(L.RING_NEFF, ringLength);
      add(P(L.PI_POWER), 0, (-Math.PI * equivalentPower) / (piPower * piPower));
      add(P(L.THERMAL_RESISTANCE), 0, (-Math.PI * equivalentPower) / (piPower * rth));
      add(L.HEATER_RISE, 0, Math.PI / (rth * piPower));
      add(L.AMBIENT_RISE, 0, Math.PI / (rth * piPower));
      add(P(L.HEATER_LOSS), -AMPLITUDE_PER_DB, 0);
      add(
        P(L.PATCH_LENGTH),
        -AMPLITUDE_PER_DB * (p[L.PATCH_LOSS] as number) - k0 * dnIm,
        k0 * (patchIndex + dnRe),
      );
      add(
        P(L.PATCH_CONFINEMENT),
        -k0 * patchLength * optics.gstExtinction,
        k0 * patchLength * (optics.gstIndex - cladding),
      );
      add(P(L.PATCH_CLADDING), 0, -k0 * patchLength * gamma);
      add(P(L.PATCH_LOSS), -AMPLITUDE_PER_DB * patchLength, 0);
      disperse(L.PATCH_NEFF, patchLength);
      const gst = k0 * patchLength * gamma;
      add(P(L.GST_AMORPHOUS_INDEX), -gst * optics.extinctionDna, gst * optics.indexDna);
      add(P(L.GST_AMORPHOUS_EXTINCTION), -gst * optics.extinctionDka, gst * optics.indexDka);
      add(P(L.GST_CRYSTALLINE_INDEX), -gst * optics.extinctionDnc, gst * optics.indexDnc);
      add(P(L.GST_CRYSTALLINE_EXTINCTION), -gst * optics.extinctionDkc, gst * optics.indexDkc);
      add(L.CELL_FRACTION, -gst * optics.extinctionDx, gst * optics.indexDx);
    }
    return value;
  }

  /** ∂(η_in η_out |A_bus|²)/∂… times `inner` (|H|², or 1) into grad. */
  private outerGradient(
    grad: Float64Array,
    outer: number,
    xIn: number,
    xOut: number,
    shapeIn: number,
    shapeOut: number,
    etaIn: number,
    etaOut: number,
    bus: number,
    inner: number,
  ): void {
    const p = this.p;
    const value = outer * inner;
    grad[P(L.GC_IN_PEAK)] = shapeIn * etaOut * bus * inner;
    grad[P(L.GC_OUT_PEAK)] = etaIn * shapeOut * bus * inner;
    // ln shape = −c x², x = (λ − λc)/B: ∂/∂λc = 2c x/B, ∂/∂B = 2c x²/B.
    const bIn = p[L.GC_IN_BANDWIDTH] as number;
    const bOut = p[L.GC_OUT_BANDWIDTH] as number;
    grad[P(L.GC_IN_CENTRE)] = (value * 2 * ONE_DB_EXPONENT * xIn) / bIn;
    grad[P(L.GC_IN_BANDWIDTH)] = (value * 2 * ONE_DB_EXPONENT * xIn * xIn) / bIn;
    grad[P(L.GC_OUT_CENTRE)] = (value * 2 * ONE_DB_EXPONENT * xOut) / bOut;
    grad[P(L.GC_OUT_BANDWIDTH)] = (value * 2 * ONE_DB_EXPONENT * xOut * xOut) / bOut;
    grad[P(L.BUS_IN_LENGTH)] = -2 * AMPLITUDE_PER_DB * (p[L.BUS_IN_LOSS] as number) * value;
    grad[P(L.BUS_IN_LOSS)] = -2 * AMPLITUDE_PER_DB * (p[L.BUS_IN_LENGTH] as number) * value;
    grad[P(L.BUS_OUT_LENGTH)] = -2 * AMPLITUDE_PER_DB * (p[L.BUS_OUT_LOSS] as number) * value;
    grad[P(L.BUS_OUT_LOSS)] = -2 * AMPLITUDE_PER_DB * (p[L.BUS_OUT_LENGTH] as number) * value;
  }
}

/**
 * Adds one RK4 substep's tangent of the line memristor to `local`
 * ([x0, v, R_on, R_off, D, μ_v]): each stage K = f_x·s + f_θ at the stage
 * state, s advanced like the state; a stage or result projected onto a
 * bound (0 or 1, fixed) has a zero tangent.
 */
function lineTangent(
  local: Float64Array,
  x: number,
  x2: number,
  x3: number,
  x4: number,
  raw: number,
  h: number,
  v: number,
  rOn: number,
  rOff: number,
  drift: number,
  thickness: number,
  mobility: number,
): void {
  const s1 = [0, 0, 0, 0, 0, 0];
  const k1 = [0, 0, 0, 0, 0, 0];
  const k2 = [0, 0, 0, 0, 0, 0];
  const k3 = [0, 0, 0, 0, 0, 0];
  const k4 = [0, 0, 0, 0, 0, 0];
  const rates = (y: number, sIn: ArrayLike<number>, out: number[]) => {
    const m = memristance(y, rOn, rOff);
    const f = drift * (v / m);
    const fx = (-f * (rOn - rOff)) / m;
    const direct = [
      0,
      drift / m,
      f / rOn - (f * y) / m,
      (-f * (1 - y)) / m,
      (-2 * f) / thickness,
      f / mobility,
    ];
    for (let j = 0; j < 6; j++) out[j] = fx * (sIn[j] as number) + (direct[j] as number);
  };
  const stage = (y: number, c: number, k: number[], out: number[]) => {
    const outside = y < 0 || y > 1;
    for (let j = 0; j < 6; j++) out[j] = outside ? 0 : (local[j] as number) + c * (k[j] as number);
  };
  rates(x, local, k1);
  stage(x2, 0.5 * h, k1, s1);
  rates(project(x2, 0, 1), s1, k2);
  stage(x3, 0.5 * h, k2, s1);
  rates(project(x3, 0, 1), s1, k3);
  stage(x4, h, k3, s1);
  rates(project(x4, 0, 1), s1, k4);
  const outside = raw < 0 || raw > 1;
  for (let j = 0; j < 6; j++) {
    local[j] = outside
      ? 0
      : (local[j] as number) +
        (h / 6) * ((k1[j] as number) + 2 * (k2[j] as number) + 2 * (k3[j] as number) + (k4[j] as number));
  }
}

/**
 * Adds h·∂g/∂… of the VTEAM speed (Kvatinsky et al. 2015, vteam.ts) to
 * `local` ([w0, v, R_on, R_off, w_on, w_off, k_on, k_off, α_on, α_off,
 * v_on, v_off]): beyond v_off, g = k_off u^α_off with u = v/v_off − 1, so
 * ∂g/∂v = k_off α_off u^{α_off−1}/v_off, ∂g/∂k_off = u^α_off,
 * ∂g/∂α_off = g ln u, ∂g/∂v_off = −k_off α_off u^{α_off−1} v/v_off²; the
 * same with "on" below v_on; 0 between.
 */
function vteamSpeedPartials(
  v: number,
  kOn: number,
  kOff: number,
  alphaOn: number,
  alphaOff: number,
  vOn: number,
  vOff: number,
  h: number,
  local: Float64Array,
): void {
  if (v > vOff) {
    const u = v / vOff - 1;
    const slope = kOff * alphaOff * power(u, alphaOff - 1);
    const ua = power(u, alphaOff);
    local[1] = (local[1] as number) + (h * slope) / vOff;
    local[7] = (local[7] as number) + h * ua;
    local[9] = (local[9] as number) + h * kOff * ua * logarithm(u);
    local[11] = (local[11] as number) - (h * slope * v) / (vOff * vOff);
  } else if (v < vOn) {
    const u = v / vOn - 1;
    const slope = kOn * alphaOn * power(u, alphaOn - 1);
    const ua = power(u, alphaOn);
    local[1] = (local[1] as number) + (h * slope) / vOn;
    local[6] = (local[6] as number) + h * ua;
    local[8] = (local[8] as number) + h * kOn * ua * logarithm(u);
    local[10] = (local[10] as number) - (h * slope * v) / (vOn * vOn);
  }
}
