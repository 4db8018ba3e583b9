/**
 * Window functions f(x) for the linear ion drift model: they multiply the
 * drift speed so that the state x = w/D slows down at the film edges and
 * stays in [0, 1].
 *
 * - none:        f = 1 (Strukov et al., Nature 453, 80 (2008), eq. (6) as
 *                written); the state is held in [0, 1] by the integrator's
 *                projection alone.
 * - Joglekar:    f = 1 − (2x − 1)^{2p}
 *                (Joglekar & Wolf, "The elusive memristor: properties of
 *                basic electrical circuits", Eur. J. Phys. 30(4), 661–675
 *                (2009), arXiv:0807.3994: the window function F of their
 *                nonlinear drift model. We could not check its equation
 *                number there; the form is as given in Biolek et al. (2009),
 *                eq. (5), and in Kvatinsky et al., "Verilog-A for Memristor
 *                Models" (Technion report, 2011), Table 3.)
 * - Biolek:      f = 1 − (x − stp(−i))^{2p}, stp(z) = 1 for z ≥ 0 else 0
 *                (Biolek, Biolek & Biolková, "SPICE model of memristor with
 *                nonlinear dopant drift", Radioengineering 18(2), 210–214
 *                (2009), eq. (10), with stp from eq. (11); there i > 0 is
 *                the current that drives x towards 1, as here). Unlike
 *                Joglekar's it is 1 at an edge when the current drives the
 *                state away from it, so a device pushed to an edge comes
 *                straight back.
 * - Prodromakis: f = j (1 − [(x − 0.5)² + 0.75]^p)
 *                (Prodromakis, Peh, Papavassiliou & Toumazou, "A versatile
 *                memristor model with nonlinear dopant kinetics", IEEE
 *                Trans. Electron Devices 58(9), 3099–3105 (2011): their
 *                proposed window, with scale j and exponent p. Equation
 *                number not checked; form as given in Kvatinsky et al.'s
 *                Verilog-A report, Table 3.)
 *
 * Joglekar's and Prodromakis' windows vanish at both edges whatever the
 * current: a state that reaches an edge cannot leave it (the "terminal
 * state" problem that Biolek et al. (2009), Section 5, point out for
 * Joglekar's window). The true solution only approaches an edge
 * exponentially, and how deep it went sets when it comes back: x alone
 * cannot say (1 − x below 2⁻⁵³ is 0 in a double), so the linear drift
 * under these two windows keeps the logit of x as its state
 * (linear-ion-drift.ts), and each gives its form in c = x(1 − x) (`edge`).
 *
 * Joglekar's and Biolek's windows take p to be a positive integer (Biolek
 * et al. (2009), eqs. (5) and (10)). We write |u|^{2p} for u^{2p}: equal
 * for integer p, and defined for real p so that calibration can treat p as
 * a continuous parameter.
 *
 * The values come from portable/physics.ts (shared with the WASM kernel);
 * each window adds ∂f/∂x and its parameter partials, for the sensitivities
 * in `sensitivity.ts`.
 */
import type { ParameterSpec } from "../parameters.js";
import {
  biolekWindow as biolek,
  edgeWindowRatio,
  joglekarWindow as joglekar,
  logOnePlus,
  power,
  prodromakisWindow as prodromakis,
} from "./portable/physics.js";

export type WindowName = "none" | "joglekar" | "biolek" | "prodromakis";

/**
 * A window that vanishes at both edges whatever the current (Joglekar's,
 * Prodromakis'), in c = x(1 − x): f = j·c·R(c), R(c) = (1 − (1 − s·c)^p)/c
 * (portable/physics.ts). The linear drift under it keeps the logit state
 * (linear-ion-drift.ts), whose speed is k·i·j·R(c).
 */
export interface EdgeForm<W extends Record<string, number>> {
  /** s: 4 for Joglekar's (1 − 4c)^p, 1 for Prodromakis' (1 − c)^p. */
  readonly sharpness: number;
  /** p. */
  exponent(p: W): number;
  /** j. */
  scale(p: W): number;
  /** ∂(j·R)/∂c. */
  dc(c: number, p: W): number;
  /** Writes ∂(j·R)/∂(window parameter k) into out[offset + k]. */
  dParams(c: number, p: W, out: Float64Array, offset: number): void;
}

export interface WindowFunction<W extends Record<string, number>> {
  readonly name: WindowName;
  readonly citation: string;
  /** The window's own parameters, appended to the drift parameters. */
  readonly parameters: readonly ParameterSpec[];
  /** f(x) for a current of sign `current` (only Biolek's depends on it). */
  value(x: number, current: number, p: W): number;
  /** ∂f/∂x. */
  dx(x: number, current: number, p: W): number;
  /** Writes ∂f/∂(window parameter k) into out[offset + k]. */
  dParams(x: number, current: number, p: W, out: Float64Array, offset: number): void;
  /** Present for a window that vanishes at both edges whatever the current. */
  readonly edge?: EdgeForm<W>;
}

/** Below this s·c, ∂R/∂c by its series (the closed form cancels as c → 0). */
const SERIES_LIMIT = 1e-3;

/**
 * ∂R/∂c for R(c) = (1 − (1 − z)^p)/c, z = s·c: (s·p·(1 − z)^{p−1} − R)/c,
 * or by the series s²·Σ_{n≥2} (−1)^{n+1} C(p, n)(n − 1) z^{n−2} to n = 7
 * below SERIES_LIMIT (next term < 2e-14 of the first for p ≤ 10).
 */
function ratioDc(c: number, sharpness: number, exponent: number): number {
  const z = sharpness * c;
  if (z < SERIES_LIMIT) {
    let binomial = exponent; // C(p, 1)
    let sum = 0;
    let zPower = 1;
    for (let n = 2; n <= 7; n++) {
      binomial = (binomial * (exponent - n + 1)) / n;
      sum += (n % 2 === 0 ? -1 : 1) * binomial * (n - 1) * zPower;
      zPower *= z;
    }
    return sharpness * sharpness * sum;
  }
  const ratio = edgeWindowRatio(c, sharpness, exponent);
  return (sharpness * exponent * power(1 - z, exponent - 1) - ratio) / c;
}

/** ∂R/∂p = −(1 − z)^p·ln(1 − z)/c (0 where 1 − z = 0). */
function ratioDExponent(c: number, sharpness: number, exponent: number): number {
  const z = sharpness * c;
  if (z === 0) return sharpness;
  if (z >= 1) return 0;
  const logBase = z <= 0.25 ? logOnePlus(-z) : Math.log(1 - z);
  return (-power(1 - z, exponent) * logBase) / c;
}

/** Partials of |u|^{2p}, shared by the Joglekar and Biolek windows. */
function evenPowerDu(u: number, exponent: number): number {
  if (u === 0) return 0;
  return 2 * exponent * power(Math.abs(u), 2 * exponent - 1) * Math.sign(u);
}
function evenPowerDExponent(u: number, exponent: number): number {
  if (u === 0) return 0;
  const a = Math.abs(u);
  return 2 * Math.log(a) * power(a, 2 * exponent);
}

/** Biolek's shift: stp(−i) = 1 when the current is ≤ 0, else 0. */
function biolekShift(current: number): number {
  return current <= 0 ? 1 : 0;
}

const exponentSpec: ParameterSpec<"windowExponent"> = {
  name: "windowExponent",
  unit: "1",
  default: 2,
  min: 1,
  max: 10,
  meaning: "p: window exponent; larger p gives a flatter window with sharper edges",
};

export type NoWindowParams = Record<never, number>;
export type ExponentWindowParams = { windowExponent: number };
export type ProdromakisWindowParams = { windowExponent: number; windowScale: number };

export const noWindow: WindowFunction<NoWindowParams> = {
  name: "none",
  citation: "no window (Strukov et al., Nature 453, 80 (2008), eq. (6))",
  parameters: [],
  value: () => 1,
  dx: () => 0,
  dParams: () => {},
};

export const joglekarWindow: WindowFunction<ExponentWindowParams> = {
  name: "joglekar",
  citation: "Joglekar & Wolf, Eur. J. Phys. 30(4), 661 (2009), window F(x) = 1 - (2x - 1)^{2p}",
  parameters: [exponentSpec],
  value: (x, _i, p) => joglekar(x, p.windowExponent),
  dx: (x, _i, p) => -2 * evenPowerDu(2 * x - 1, p.windowExponent),
  dParams: (x, _i, p, out, offset) => {
    out[offset] = -evenPowerDExponent(2 * x - 1, p.windowExponent);
  },
  edge: {
    sharpness: 4,
    exponent: (p) => p.windowExponent,
    scale: () => 1,
    dc: (c, p) => ratioDc(c, 4, p.windowExponent),
    dParams: (c, p, out, offset) => {
      out[offset] = ratioDExponent(c, 4, p.windowExponent);
    },
  },
};

export const biolekWindow: WindowFunction<ExponentWindowParams> = {
  name: "biolek",
  citation: "Biolek et al., Radioengineering 18(2), 210 (2009), eq. (10): f(x) = 1 - (x - stp(-i))^{2p}",
  parameters: [exponentSpec],
  value: (x, i, p) => biolek(x, i, p.windowExponent),
  dx: (x, i, p) => -evenPowerDu(x - biolekShift(i), p.windowExponent),
  dParams: (x, i, p, out, offset) => {
    out[offset] = -evenPowerDExponent(x - biolekShift(i), p.windowExponent);
  },
};

/** (x − 0.5)² + 0.75: in [0.75, 1] on the state interval, so its powers are always defined. */
function prodromakisBase(x: number): number {
  return (x - 0.5) * (x - 0.5) + 0.75;
}

export const prodromakisWindow: WindowFunction<ProdromakisWindowParams> = {
  name: "prodromakis",
  citation:
    "Prodromakis et al., IEEE Trans. Electron Devices 58(9), 3099 (2011), window f(x) = j(1 - [(x - 0.5)^2 + 0.75]^p)",
  parameters: [
    {
      ...exponentSpec,
      default: 7,
      meaning: "p: window exponent; f(0.5) = j(1 - 0.75^p), so p = 7 makes the centre 87 % of j",
    },
    {
      name: "windowScale",
      unit: "1",
      default: 1,
      min: 0.1,
      max: 10,
      meaning: "j: window scale, multiplies the drift speed everywhere",
    },
  ],
  value: (x, _i, p) => prodromakis(x, p.windowExponent, p.windowScale),
  dx: (x, _i, p) =>
    -p.windowScale * p.windowExponent * power(prodromakisBase(x), p.windowExponent - 1) * 2 * (x - 0.5),
  dParams: (x, _i, p, out, offset) => {
    const b = prodromakisBase(x);
    const bp = power(b, p.windowExponent);
    out[offset] = -p.windowScale * bp * Math.log(b);
    out[offset + 1] = 1 - bp;
  },
  edge: {
    sharpness: 1,
    exponent: (p) => p.windowExponent,
    scale: (p) => p.windowScale,
    dc: (c, p) => p.windowScale * ratioDc(c, 1, p.windowExponent),
    dParams: (c, p, out, offset) => {
      out[offset] = p.windowScale * ratioDExponent(c, 1, p.windowExponent);
      out[offset + 1] = edgeWindowRatio(c, 1, p.windowExponent);
    },
  },
};
