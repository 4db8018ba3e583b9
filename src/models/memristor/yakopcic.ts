/**
 * Yakopcic's generalised memristor model: Yakopcic, Taha, Subramanyam,
 * Pino & Rogers, "A memristor device model", IEEE Electron Device Lett.
 * 32(10), 1436–1438 (2011), and its SPICE form in Yakopcic, Taha,
 * Subramanyam & Pino, "Generalized memristive device SPICE model and its
 * application in circuit design", IEEE Trans. CAD 32(8), 1201–1214 (2013).
 * We could not open either paper; the equations below are those of the
 * authors' SPICE subcircuit ("SPICE model for memristive devices, created
 * by Chris Yakopcic", last update 12/21/2011), which defines the functions
 * by name:
 *
 *   I-V (MIM tunnelling, hyperbolic sine):
 *     i = a1·x·sinh(b·v)  for v ≥ 0,    i = a2·x·sinh(b·v)  for v < 0
 *   threshold function G(v):
 *     g = A_p (e^v − e^{V_p})     for v > V_p
 *       = −A_n (e^{−v} − e^{V_n}) for v < −V_n
 *       = 0                       otherwise
 *   motion function F(v, x), with w_p = (x_p − x)/(1 − x_p) + 1 = (1 − x)/(1 − x_p)
 *   and w_n = x/(1 − x_n):
 *     v ≥ 0:  e^{−α_p (x − x_p)} w_p(x)  for x ≥ x_p,  1 otherwise
 *     v < 0:  e^{α_n (x + x_n − 1)} w_n(x) for x ≤ 1 − x_n,  1 otherwise
 *   state:  dx/dt = η·g(v)·F(v, x),  x ∈ [0, 1]
 *
 * (v in volts inside the exponentials, as in the paper: e^v means e^{v/1 V}.)
 * η = +1 here (state rises under positive voltage); a device with η = −1
 * is this one with its terminals swapped. F makes the speed vanish at
 * x = 1 under positive and at x = 0 under negative voltage, and equals 1
 * in the direction away from a bound, so a saturated device leaves its
 * bound at once when the voltage reverses.
 *
 * Resistance. The I-V at fixed state is not ohmic (sinh), so `resistance`
 * is the small-signal resistance at 0 V approached from positive voltage,
 * R(x) = (di/dv at v → 0⁺)⁻¹ = 1/(a1·b·x) — what a low-voltage read (|v| ≪
 * 1/b) measures; it is infinite at x = 0, where no current flows at any
 * voltage. At finite v the current is `current(x, v)`, not v/R.
 *
 * Defaults: the parameter set shipped with the authors' LTspice symbol and
 * commonly attributed to their fit of the Ag-chalcogenide device of Oblea
 * et al. (IJCNN 2010) in the 2011 letter: a1 = a2 = 0.17 A, b = 0.05 V⁻¹,
 * V_p = 0.16 V, V_n = 0.15 V, A_p = A_n = 4000 s⁻¹, x_p = 0.3, x_n = 0.5,
 * α_p = 1, α_n = 5, x0 = 0.11. It switches in milliseconds (a 100 Hz
 * ±0.45 V sine gives a wide pinched loop), faster than the bench defaults
 * of the other models.
 */
import type { ParameterSpec } from "../parameters.js";
import type { DifferentiableMemristorModel } from "./types.js";

export type YakopcicParams = {
  a1: number;
  a2: number;
  b: number;
  vp: number;
  vn: number;
  ap: number;
  an: number;
  xp: number;
  xn: number;
  alphap: number;
  alphan: number;
};

export const yakopcicParameters: readonly ParameterSpec<keyof YakopcicParams>[] = [
  {
    name: "a1",
    unit: "A",
    default: 0.17,
    min: 1e-12,
    max: 1e3,
    meaning: "a1: current scale of i = a1 x sinh(b v), v >= 0",
  },
  {
    name: "a2",
    unit: "A",
    default: 0.17,
    min: 1e-12,
    max: 1e3,
    meaning: "a2: current scale of i = a2 x sinh(b v), v < 0",
  },
  { name: "b", unit: "1/V", default: 0.05, min: 1e-4, max: 20, meaning: "b: nonlinearity of the sinh I-V" },
  {
    name: "vp",
    unit: "V",
    default: 0.16,
    min: 0,
    max: 10,
    meaning: "V_p: positive threshold of the state motion",
  },
  {
    name: "vn",
    unit: "V",
    default: 0.15,
    min: 0,
    max: 10,
    meaning: "V_n: negative threshold (motion below -V_n)",
  },
  {
    name: "ap",
    unit: "1/s",
    default: 4000,
    min: 1e-12,
    max: 1e12,
    meaning: "A_p: state speed scale above V_p, per unit of e^v - e^V_p",
  },
  {
    name: "an",
    unit: "1/s",
    default: 4000,
    min: 1e-12,
    max: 1e12,
    meaning: "A_n: state speed scale below -V_n, per unit of e^-v - e^V_n",
  },
  {
    name: "xp",
    unit: "1",
    default: 0.3,
    min: 0,
    max: 0.99,
    meaning: "x_p: state above which positive motion slows",
  },
  {
    name: "xn",
    unit: "1",
    default: 0.5,
    min: 0,
    max: 0.99,
    meaning: "x_n: negative motion slows below x = 1 - x_n",
  },
  {
    name: "alphap",
    unit: "1",
    default: 1,
    min: 0,
    max: 100,
    meaning: "alpha_p: decay rate of positive motion past x_p",
  },
  {
    name: "alphan",
    unit: "1",
    default: 5,
    min: 0,
    max: 100,
    meaning: "alpha_n: decay rate of negative motion past 1 - x_n",
  },
];

/** Parameter indices, in `yakopcicParameters` order. */
const A1 = 0;
const A2 = 1;
const B = 2;
const VP = 3;
const VN = 4;
const AP = 5;
const AN = 6;
const XP = 7;
const XN = 8;
const ALPHAP = 9;
const ALPHAN = 10;

/** Initial state of the published fit. */
const INITIAL_STATE = 0.11;

/** Threshold function g(v), 1/s. */
function threshold(v: number, p: YakopcicParams): number {
  if (v > p.vp) return p.ap * (Math.exp(v) - Math.exp(p.vp));
  if (v < -p.vn) return -p.an * (Math.exp(-v) - Math.exp(p.vn));
  return 0;
}

/** Motion function F(v, x). */
function motion(x: number, v: number, p: YakopcicParams): number {
  if (v >= 0) return x >= p.xp ? (Math.exp(-p.alphap * (x - p.xp)) * (1 - x)) / (1 - p.xp) : 1;
  return x <= 1 - p.xn ? (Math.exp(p.alphan * (x + p.xn - 1)) * x) / (1 - p.xn) : 1;
}

export const yakopcic: DifferentiableMemristorModel<YakopcicParams> = {
  id: "yakopcic",
  citation:
    "Yakopcic et al., IEEE EDL 32, 1436 (2011) and IEEE TCAD 32, 1201 (2013): sinh I-V, threshold G(v), motion F(v, x), eta = +1",
  parameters: yakopcicParameters,
  defaults: Object.freeze(
    Object.fromEntries(yakopcicParameters.map((s) => [s.name, s.default])) as YakopcicParams,
  ),
  stateName: "x",
  stateUnit: "1",
  stateBounds: () => [0, 1],
  initialState: () => INITIAL_STATE,
  resistance: (x, p) => 1 / (p.a1 * p.b * x),
  current: (x, v, p) => (v >= 0 ? p.a1 : p.a2) * x * Math.sinh(p.b * v),
  // The motion function's kink: where its decay sets in, x_p (v ≥ 0) or 1 − x_n (v < 0).
  kink: (v, p) => (v > p.vp ? p.xp : v < -p.vn ? 1 - p.xn : Number.NaN),
  dxdt: (x, v, p) => {
    const g = threshold(v, p);
    return g === 0 ? 0 : g * motion(x, v, p);
  },
  dxdtPartials(x, v, p, dp) {
    dp.fill(0);
    const g = threshold(v, p);
    if (g === 0) return 0;
    const f = motion(x, v, p);
    if (v > p.vp) {
      dp[AP] = (Math.exp(v) - Math.exp(p.vp)) * f;
      dp[VP] = -p.ap * Math.exp(p.vp) * f;
    } else {
      dp[AN] = -(Math.exp(-v) - Math.exp(p.vn)) * f;
      dp[VN] = p.an * Math.exp(p.vn) * f;
    }
    if (v >= 0 && x >= p.xp) {
      const decay = Math.exp(-p.alphap * (x - p.xp));
      // f = decay·(1 − x)/(1 − x_p)
      dp[XP] = g * f * (p.alphap + 1 / (1 - p.xp));
      dp[ALPHAP] = -g * f * (x - p.xp);
      return (-g * decay * (p.alphap * (1 - x) + 1)) / (1 - p.xp);
    }
    if (v < 0 && x <= 1 - p.xn) {
      const growth = Math.exp(p.alphan * (x + p.xn - 1));
      // f = growth·x/(1 − x_n)
      dp[XN] = g * f * (p.alphan + 1 / (1 - p.xn));
      dp[ALPHAN] = g * f * (x + p.xn - 1);
      return (g * growth * (p.alphan * x + 1)) / (1 - p.xn);
    }
    return 0;
  },
  currentPartials(x, v, p, dp) {
    dp.fill(0);
    const s = Math.sinh(p.b * v);
    const a = v >= 0 ? p.a1 : p.a2;
    dp[v >= 0 ? A1 : A2] = x * s;
    dp[B] = a * x * v * Math.cosh(p.b * v);
    return a * s;
  },
  stateBoundsPartials(_p, lower, upper) {
    lower.fill(0);
    upper.fill(0);
  },
};
