/**
 * Linear ion drift memristor (HP TiO2 device), Strukov, Snider, Stewart &
 * Williams, "The missing memristor found", Nature 453, 80–83 (2008),
 * eqs. (5)–(6) with the state normalised to x = w/D:
 *
 *   v = M(x) i,    M(x) = R_on x + R_off (1 − x)                      (5)
 *   dx/dt = (μ_v R_on / D²) i f(x)                                    (6)
 *
 * The paper writes (6) for w, dw/dt = μ_v (R_on/D) i; dividing by D gives
 * the form above. (Its eqs. (1)–(2) are Chua's memristor and (3)–(4) Chua
 * & Kang's memristive system; eq. (7), w = μ_v (R_on/D) q, inserted into
 * (5) gives the unnumbered charge-controlled closed form
 * M(q) = R_off (1 − μ_v R_on q / D²) for R_on ≪ R_off.) Eq. (6) has
 * f(x) = 1; the paper's Fig. 3c multiplies it by the window w(D − w)/D²
 * (as corrected in Nature 459, 1154 (2009)), which we do not implement.
 * The windows from `windows.ts` are those of Joglekar & Wolf (2009),
 * Biolek et al. (2009) and Prodromakis et al. (2011).
 *
 * ```
 *   + ──[ doped: R_on·x | undoped: R_off·(1−x) ]── −
 *        |← w = xD →|
 * ```
 *
 * Defaults are Strukov's published device of Fig. 2b (caption: i₀ = v₀/R_on
 * = 10 mA at v₀ = 1 V, so R_on = 100 Ω; R_off/R_on = 160, so R_off = 16 kΩ;
 * D = 10 nm; μ_v = 1e-10 cm²/(V·s) = 1e-14 m²/(V·s)). Its drift constant
 * k = μ_v R_on/D² = 1e4 C⁻¹ moves the state across the whole film per
 * 100 µC; a 1 s half-cycle at ±1 V through the initial ~14 kΩ passes ~45 µC,
 * so bench sweeps at 0.1–10 Hz show a clear pinched loop
 * (test/models/hysteresis.test.ts).
 * The window exponent default p = 2 keeps f ≥ 0.94 over the middle half of
 * the film, where the device then is Strukov's linear drift, and slows it
 * gradually towards the edges (p = 1 would bend the whole I-V; large p makes
 * the edges abrupt and stiff). Prodromakis' window gets the same flat middle
 * at p = 7 (windows.ts). The initial state x = 0.1 is high resistance but
 * off the edge, where Joglekar's and Prodromakis' windows vanish.
 *
 * Under those two windows the model's state is u = ln(x/(1 − x)), the logit
 * of x, not x (`logitDrift` below says why); it starts at u = −ln 9 (x =
 * 0.1), `stateFraction` gives x back and `stateAtFraction` (or `logitOf`)
 * gives u from x.
 */
import type { ParameterSpec } from "../parameters.js";
import {
  edgeDistance,
  edgeWindowRatio,
  logitDriftRate,
  logitMemristance,
  logitReach,
  memristance as portableMemristance,
} from "./portable/physics.js";
import { LOGIT_BOUND, LOGIT_SCALE } from "./portable/scheme.js";
import type { DifferentiableMemristorModel } from "./types.js";
import {
  biolekWindow,
  type EdgeForm,
  type ExponentWindowParams,
  joglekarWindow,
  type NoWindowParams,
  noWindow,
  type ProdromakisWindowParams,
  prodromakisWindow,
  type WindowFunction,
  type WindowName,
} from "./windows.js";

export type DriftParams = { rOn: number; rOff: number; thickness: number; mobility: number };

export const driftParameters: readonly ParameterSpec<keyof DriftParams>[] = [
  {
    name: "rOn",
    unit: "Ohm",
    default: 100,
    min: 1,
    max: 1e7,
    meaning: "R_on: resistance of the fully doped film (x = 1)",
  },
  {
    name: "rOff",
    unit: "Ohm",
    default: 16e3,
    min: 1,
    max: 1e9,
    meaning: "R_off: resistance of the undoped film (x = 0)",
  },
  {
    name: "thickness",
    unit: "m",
    default: 10e-9,
    min: 1e-9,
    max: 1e-6,
    meaning: "D: film thickness over which the doped region moves",
  },
  {
    name: "mobility",
    unit: "m^2/(V*s)",
    default: 1e-14,
    min: 1e-20,
    max: 1e-8,
    meaning: "mu_v: average dopant (oxygen vacancy) mobility",
  },
];

/** Initial state: mostly undoped (M ≈ 0.9 R_off), off the edge where two of the windows vanish. */
const INITIAL_STATE = 0.1;
/** The same on the logit state: ln(0.1/0.9). */
const INITIAL_LOGIT = -Math.log(9);

/** Index of the first window parameter in the parameter order. */
const WINDOW_OFFSET = driftParameters.length;

function memristance(x: number, p: DriftParams): number {
  return portableMemristance(x, p.rOn, p.rOff);
}

/** Builds the linear ion drift model with one window function (on the logit state where `window.edge` is given). */
export function linearIonDrift<W extends Record<string, number>>(
  window: WindowFunction<W>,
): DifferentiableMemristorModel<DriftParams & W> {
  type P = DriftParams & W;
  const parameters = [...driftParameters, ...window.parameters];
  const defaults = Object.freeze(
    Object.fromEntries(parameters.map((s) => [s.name, s.default])),
  ) as Readonly<P>;
  if (window.edge) return logitDrift(window, window.edge, parameters, defaults);
  const windowPartials = new Float64Array(window.parameters.length);
  return {
    id: window.name === "none" ? "linear-ion-drift" : `linear-ion-drift-${window.name}`,
    citation: `Strukov et al., Nature 453, 80 (2008), eqs. (5)-(6); ${window.citation}`,
    parameters,
    defaults,
    stateName: "x",
    stateUnit: "1",
    stateBounds: () => [0, 1],
    initialState: () => INITIAL_STATE,
    resistance: (x, p) => memristance(x, p),
    current: (x, v, p) => v / memristance(x, p),
    dxdt(x, v, p) {
      const i = v / memristance(x, p);
      return ((p.mobility * p.rOn) / (p.thickness * p.thickness)) * i * window.value(x, i, p);
    },
    dxdtPartials(x, v, p, dp) {
      const m = memristance(x, p);
      const i = v / m;
      const k = (p.mobility * p.rOn) / (p.thickness * p.thickness);
      const f = window.value(x, i, p);
      const rate = k * i * f;
      // i = v/M: ∂i/∂M = −i/M; ∂M/∂x = R_on − R_off, ∂M/∂R_on = x, ∂M/∂R_off = 1 − x.
      const kf = k * f;
      dp[0] = rate / p.rOn - (kf * i * x) / m;
      dp[1] = (-kf * i * (1 - x)) / m;
      dp[2] = (-2 * rate) / p.thickness;
      dp[3] = rate / p.mobility;
      window.dParams(x, i, p, windowPartials, 0);
      for (let j = 0; j < windowPartials.length; j++) {
        dp[WINDOW_OFFSET + j] = k * i * (windowPartials[j] as number);
      }
      // The window's dependence on the sign of i (Biolek) is a step: no derivative.
      return k * i * window.dx(x, i, p) - (kf * i * (p.rOn - p.rOff)) / m;
    },
    currentPartials(x, v, p, dp) {
      const m = memristance(x, p);
      const di = -v / (m * m);
      dp.fill(0);
      dp[0] = di * x;
      dp[1] = di * (1 - x);
      return di * (p.rOn - p.rOff);
    },
    stateBoundsPartials(_p, lower, upper) {
      lower.fill(0);
      upper.fill(0);
    },
  };
}

/**
 * The linear drift on the logit state u = ln(x/(1 − x)), for a window that
 * vanishes at both edges: du/dt = (dx/dt)/(x(1 − x)) = k·i·j·R(c), c =
 * x(1 − x) (portable/physics.ts). The state x itself cannot hold how deep
 * at an edge such a device is (1 − x = e⁻¹⁹⁰ is 0 in a double), and how
 * deep sets when it comes back: on x, a device driven into an edge either
 * came back far too early (from 2⁻⁵² instead of e⁻¹⁹⁰) or never (from x = 1
 * exactly, where the window is 0). On u it goes as deep as the drive takes
 * it, to |u| = LOGIT_BOUND (e⁻⁷⁰⁰), and returns when the charge says so
 * (test/models/strukov.test.ts: Joglekar's p = 1, where u = u₀ + 4k·q).
 */
function logitDrift<W extends Record<string, number>>(
  window: WindowFunction<W>,
  edge: EdgeForm<W>,
  parameters: readonly ParameterSpec[],
  defaults: Readonly<DriftParams & W>,
): DifferentiableMemristorModel<DriftParams & W> {
  type P = DriftParams & W;
  const windowPartials = new Float64Array(window.parameters.length);
  const drift = (p: P) => (p.mobility * p.rOn) / (p.thickness * p.thickness);
  return {
    id: `linear-ion-drift-${window.name}`,
    citation: `Strukov et al., Nature 453, 80 (2008), eqs. (5)-(6) on the state logit(w/D); ${window.citation}`,
    parameters,
    defaults,
    stateName: "u",
    stateUnit: "1",
    stateBounds: () => [-LOGIT_BOUND, LOGIT_BOUND],
    initialState: () => INITIAL_LOGIT,
    fraction: (u) => {
      const e = edgeDistance(u);
      return u >= 0 ? 1 - e : e;
    },
    stateReach: (u, direction, step) => logitReach(u, direction, step),
    stateScale: LOGIT_SCALE,
    fromFraction: (x) => logitOf(x),
    resistance: (u, p) => logitMemristance(u, edgeDistance(u), p.rOn, p.rOff),
    current: (u, v, p) => v / logitMemristance(u, edgeDistance(u), p.rOn, p.rOff),
    dxdt: (u, v, p) =>
      logitDriftRate(u, v, p.rOn, p.rOff, drift(p), edge.sharpness, edge.exponent(p), edge.scale(p)),
    dxdtPartials(u, v, p, dp) {
      const e = edgeDistance(u);
      const x = u >= 0 ? 1 - e : e;
      const y = u >= 0 ? e : 1 - e;
      const c = e * (1 - e);
      const m = logitMemristance(u, e, p.rOn, p.rOff);
      const i = v / m;
      const k = drift(p);
      const w = edge.scale(p) * edgeWindowRatio(c, edge.sharpness, edge.exponent(p));
      const rate = k * i * w;
      // As the x-state's partials with f → j·R(c); dx/du = c, dc/du = (1 − 2x)·c.
      const kw = k * w;
      // ∂/∂R_on = rate/R_on − kw·i·x/M, written without its cancellation at x → 1 (M − R_on·x = R_off·(1 − x)).
      dp[0] = (kw * i * p.rOff * y) / (p.rOn * m);
      dp[1] = (-kw * i * y) / m;
      dp[2] = (-2 * rate) / p.thickness;
      dp[3] = rate / p.mobility;
      edge.dParams(c, p, windowPartials, 0);
      for (let j = 0; j < windowPartials.length; j++) {
        dp[WINDOW_OFFSET + j] = k * i * (windowPartials[j] as number);
      }
      const di = (-i * (p.rOn - p.rOff) * c) / m;
      return k * (di * w + i * edge.dc(c, p) * (y - x) * c);
    },
    currentPartials(u, v, p, dp) {
      const e = edgeDistance(u);
      const x = u >= 0 ? 1 - e : e;
      const y = u >= 0 ? e : 1 - e;
      const m = logitMemristance(u, e, p.rOn, p.rOff);
      const di = -v / (m * m);
      dp.fill(0);
      dp[0] = di * x;
      dp[1] = di * y;
      return di * (p.rOn - p.rOff) * e * (1 - e);
    },
    stateBoundsPartials(_p, lower, upper) {
      lower.fill(0);
      upper.fill(0);
    },
  };
}

/** The logit of a doped fraction x ∈ [0, 1], ln(x/(1 − x)), held to ±LOGIT_BOUND: the logit models' state for x. */
export function logitOf(x: number): number {
  if (!(x >= 0 && x <= 1)) throw new RangeError(`doped fraction x = ${x} is outside [0, 1]`);
  return Math.max(-LOGIT_BOUND, Math.min(LOGIT_BOUND, Math.log(x) - Math.log1p(-x)));
}

/** Strukov's model without a window: the state stops only at the film edges. */
export const linearIonDriftIdeal = linearIonDrift<NoWindowParams>(noWindow);
export const linearIonDriftJoglekar = linearIonDrift<ExponentWindowParams>(joglekarWindow);
export const linearIonDriftBiolek = linearIonDrift<ExponentWindowParams>(biolekWindow);
export const linearIonDriftProdromakis = linearIonDrift<ProdromakisWindowParams>(prodromakisWindow);

/** The four variants by window name (the WASM kernel selects its window the same way). */
export const linearIonDriftByWindow: Readonly<Record<WindowName, DifferentiableMemristorModel<DriftParams>>> =
  {
    none: linearIonDriftIdeal,
    joglekar: linearIonDriftJoglekar,
    biolek: linearIonDriftBiolek,
    prodromakis: linearIonDriftProdromakis,
  };

export type IdealDriftParams = DriftParams;
export type JoglekarDriftParams = DriftParams & ExponentWindowParams;
export type BiolekDriftParams = DriftParams & ExponentWindowParams;
export type ProdromakisDriftParams = DriftParams & ProdromakisWindowParams;
