/**
 * Microring resonators, all-pass and add-drop, in the notation of
 * Bogaerts et al., "Silicon microring resonators", Laser Photonics Rev. 6,
 * 47–73 (2012), section on ring theory: self-coupling r (r1, r2) and
 * cross-coupling κ of each coupler (r² + κ² = 1), single-pass amplitude
 * transmission a of the ring (|a|² the power left after one round trip),
 * round-trip phase φ = β L = 2π n_eff(λ) L/λ with the waveguide dispersion
 * of waveguide.ts.
 *
 * ```
 *   all-pass                         add-drop
 *                                      add ───────────── drop
 *        ╭──────╮                            ╭──────╮
 *        │ ring │  L                         │ ring │
 *        ╰──────╯                            ╰──────╯
 *   in ─────────── out                  in ───────────── through
 * ```
 *
 * With the coupler of coupler.ts ([[r, iκ], [iκ, r]]) and propagation
 * e^{+iφ}, solving the ring's loop (test/models/circuit does it as a
 * netlist) gives, z = e^{iφ}:
 *
 *   all-pass   t = (r − a z)/(1 − r a z)
 *              |t|² = (a² − 2ra cos φ + r²)/(1 − 2ar cos φ + (ra)²)
 *   add-drop   through = (r1 − r2 a z)/(1 − r1 r2 a z)
 *              drop    = −κ1 κ2 √a e^{iφ/2}/(1 − r1 r2 a z)
 *              |through|² = (r2²a² − 2r1r2a cos φ + r1²)/(1 − 2r1r2a cos φ + (r1r2a)²)
 *              |drop|²    = (1 − r1²)(1 − r2²) a/(1 − 2r1r2a cos φ + (r1r2a)²)
 *
 * which are Bogaerts et al.'s all-pass and add-drop intensity transmissions
 * (their field expressions differ from these by a constant phase that
 * comes from their coupler convention). Resonance at φ = 2πm, where the
 * all-pass dip is ((a − r)/(1 − ar))², zero at critical coupling a = r.
 * Near resonance φ − 2πm ≈ −2π n_g L (λ − λ_m)/λ², so the spectrum repeats
 * every FSR = λ²/(n_g L), and the dip's full width at half depth is
 * FWHM = (1 − ra) λ²/(π n_g L √(ra)), loaded Q = λ/FWHM =
 * π n_g L √(ra)/(λ (1 − ra)) (Bogaerts et al., same section; for the
 * add-drop ring, ra → r1 r2 a).
 *
 * The code evaluates equivalent half-angle forms (h = φ/2; numerator and
 * denominator multiplied by e^{−ih}, 1 − cos φ = 2 sin² h), which keep
 * full relative accuracy in and near the dip, where the textbook forms
 * subtract nearly equal terms:
 *
 *   |t|² = ((a − r)² + 4ra sin² h)/((1 − ra)² + 4ra sin² h)
 *   t    = ((r − a)(1 − ra) cos² h + (r + a)(1 + ra) sin² h − 2i a(1 − r²) sin h cos h)
 *          /((1 − ra)² + 4ra sin² h)
 *   drop = −κ1 κ2 √a ((1 − q) cos h + i (1 + q) sin h)/((1 − q)² + 4q sin² h),  q = r1 r2 a
 *
 * At r1 = 1, r2 = 1 or a = 0 (a coupler that does not couple, a loop
 * that passes nothing: allowed) the drop goes as κ1 = √(1 − r1²), κ2 or
 * √a, and its partial in that parameter is infinite, as the square root's
 * slope is — like the coupler's at κ² = 0 and 1 (coupler.ts); never NaN.
 *
 * S[out][in] = S[in][out] = t (a ring is reciprocal: light entering `out`
 * runs the loop the other way and sees the same t). Add-drop:
 * S[through][in] = through, S[drop][in] = drop, S[drop][add] = the through
 * expression with r1 and r2 swapped, S[through][add] = drop, and the
 * reciprocal entries.
 */
import { add, type Complex, mul, scale } from "../complex.js";
import type { ParameterSpec } from "../parameters.js";
import { type PhotonicModel, patternModel, timesSlope } from "./component.js";
import {
  checkDispersedWavelength,
  dispersionParameters,
  type PropagationPhase,
  phaseOf,
  propagationPhase,
} from "./waveguide.js";

type Dispersion = { effectiveIndex: number; groupIndex: number; referenceWavelength: number };

export type AllPassParams = Dispersion & {
  selfCoupling: number;
  roundTripAmplitude: number;
  circumference: number;
};

export type AddDropParams = Dispersion & {
  selfCoupling1: number;
  selfCoupling2: number;
  roundTripAmplitude: number;
  circumference: number;
};

const selfCoupling = (name: string, meaning: string): ParameterSpec => ({
  name,
  unit: "1",
  default: 0.98,
  min: 0,
  max: 1,
  meaning,
});

const roundTrip: readonly ParameterSpec[] = [
  {
    name: "roundTripAmplitude",
    unit: "1",
    default: 0.998,
    min: 0,
    max: 1,
    meaning: "a: field amplitude left after one round trip (0.998: about 3 dB/cm over 63 um)",
  },
  {
    name: "circumference",
    unit: "m",
    default: 2 * Math.PI * 10e-6,
    min: 1e-7,
    max: 1,
    meaning: "L: round-trip length (default: a ring of 10 um radius)",
  },
];

export const allPassParameters = [
  selfCoupling("selfCoupling", "r: field self-coupling of the bus coupler (r^2 + kappa^2 = 1)"),
  ...roundTrip,
  ...dispersionParameters,
] as readonly ParameterSpec<keyof AllPassParams>[];

export const addDropParameters = [
  selfCoupling("selfCoupling1", "r1: field self-coupling of the input (through) bus coupler"),
  selfCoupling("selfCoupling2", "r2: field self-coupling of the drop bus coupler"),
  ...roundTrip,
  ...dispersionParameters,
] as readonly ParameterSpec<keyof AddDropParams>[];

/** Round-trip phase φ = 2π n_eff(λ) L/λ and its partials. */
export function roundTripPhase(p: AllPassParams | AddDropParams, wavelength: number): PropagationPhase {
  return propagationPhase(p.circumference, p, wavelength);
}

/**
 * A ring seen from a coupler of self-coupling r while the rest of the loop
 * passes q (q = a for the all-pass ring; r2·a seen from the add-drop
 * ring's first coupler), at half round-trip phase h: the denominator
 * |1 − rq e^{iφ}|² = (1 − rq)² + 4rq sin² h, the power and the field of
 * (r − q e^{iφ})/(1 − rq e^{iφ}).
 */
function throughDenominator(r: number, q: number, sinHalf: number): number {
  const rq = r * q;
  return (1 - rq) * (1 - rq) + 4 * rq * sinHalf * sinHalf;
}

function throughPower(r: number, q: number, sinHalf: number): number {
  return ((q - r) * (q - r) + 4 * r * q * sinHalf * sinHalf) / throughDenominator(r, q, sinHalf);
}

function throughField(r: number, q: number, sinHalf: number, cosHalf: number): Complex {
  const rq = r * q;
  const denominator = throughDenominator(r, q, sinHalf);
  return {
    re: ((r - q) * (1 - rq) * (cosHalf * cosHalf) + (r + q) * (1 + rq) * (sinHalf * sinHalf)) / denominator,
    im: (-2 * q * (1 - r * r) * sinHalf * cosHalf) / denominator,
  };
}

/** All-pass field transmission t = S[out][in]. */
export function allPassField(p: AllPassParams, wavelength: number): Complex {
  const h = phaseOf(p.circumference, p, wavelength) / 2;
  return throughField(p.selfCoupling, p.roundTripAmplitude, Math.sin(h), Math.cos(h));
}

/** All-pass power |t|² and field t, sharing one phase. */
export function allPassResponse(p: AllPassParams, wavelength: number): { power: number; field: Complex } {
  const h = phaseOf(p.circumference, p, wavelength) / 2;
  const s = Math.sin(h);
  return {
    power: throughPower(p.selfCoupling, p.roundTripAmplitude, s),
    field: throughField(p.selfCoupling, p.roundTripAmplitude, s, Math.cos(h)),
  };
}

/** All-pass power transmission |t|². */
export function allPassPower(p: AllPassParams, wavelength: number): number {
  const h = phaseOf(p.circumference, p, wavelength) / 2;
  return throughPower(p.selfCoupling, p.roundTripAmplitude, Math.sin(h));
}

export interface AddDropResponse {
  /** S[through][in] (= S[in][through]). */
  readonly through: Complex;
  /** S[drop][in] (= S[through][add] and the reciprocal entries). */
  readonly drop: Complex;
  /** S[drop][add] (= S[add][drop]). */
  readonly addToDrop: Complex;
  /** |through|² and |drop|². */
  readonly throughPower: number;
  readonly dropPower: number;
}

/**
 * u = drop/(κ1 κ2 √a) = −e^{iφ/2}/(1 − r1 r2 a z), in the half-angle form:
 * −((1 − q) cos h + i (1 + q) sin h)/((1 − q)² + 4q sin² h).
 */
function addDropUnit(p: AddDropParams, h: number): Complex {
  const s = Math.sin(h);
  const { selfCoupling1: r1, selfCoupling2: r2, roundTripAmplitude: a } = p;
  const q = r1 * r2 * a;
  const k = -1 / throughDenominator(r1, r2 * a, s);
  return { re: k * (1 - q) * Math.cos(h), im: k * (1 + q) * s };
}

/** Every distinct field and power of the add-drop ring at one wavelength. */
export function addDropResponse(p: AddDropParams, wavelength: number): AddDropResponse {
  const h = phaseOf(p.circumference, p, wavelength) / 2;
  const s = Math.sin(h);
  const c = Math.cos(h);
  const { selfCoupling1: r1, selfCoupling2: r2, roundTripAmplitude: a } = p;
  const q = r1 * r2 * a;
  const denominator = throughDenominator(r1, r2 * a, s);
  const k = -Math.sqrt((1 - r1 * r1) * (1 - r2 * r2) * a) / denominator;
  return {
    through: throughField(r1, r2 * a, s, c),
    drop: { re: k * (1 - q) * c, im: k * (1 + q) * s },
    addToDrop: throughField(r2, r1 * a, s, c),
    throughPower: throughPower(r1, r2 * a, s),
    dropPower: ((1 - r1 * r1) * (1 - r2 * r2) * a) / denominator,
  };
}

/** Order m of the resonance nearest `wavelength` (φ(λ_m) = 2πm). */
export function resonanceOrder(p: AllPassParams | AddDropParams, wavelength: number): number {
  return Math.round(phaseOf(p.circumference, p, wavelength) / (2 * Math.PI));
}

/**
 * λ_m, m-th resonance: φ(λ) = 2πm with n_eff linear in λ solves exactly to
 * λ_m = n_g L/(m + L(n_g − n_eff0)/λ0).
 */
export function resonanceWavelength(p: AllPassParams | AddDropParams, order: number): number {
  const L = p.circumference;
  return (p.groupIndex * L) / (order + (L * (p.groupIndex - p.effectiveIndex)) / p.referenceWavelength);
}

/** FSR = λ²/(n_g L), m: spacing of resonances near λ. */
export function freeSpectralRange(p: AllPassParams | AddDropParams, wavelength: number): number {
  return (wavelength * wavelength) / (p.groupIndex * p.circumference);
}

/** Loaded Q = π n_g L √(ra)/(λ(1 − ra)); ra → r1 r2 a for the add-drop ring. */
export function loadedQ(p: AllPassParams | AddDropParams, wavelength: number): number {
  const ra =
    "selfCoupling" in p
      ? p.selfCoupling * p.roundTripAmplitude
      : p.selfCoupling1 * p.selfCoupling2 * p.roundTripAmplitude;
  return (Math.PI * p.groupIndex * p.circumference * Math.sqrt(ra)) / (wavelength * (1 - ra));
}

const I = { re: 0, im: 1 };

/** ∂φ/∂ of the dispersion parameters and L, in parameter-table order after a and r. */
function phasePartials(φ: PropagationPhase): readonly number[] {
  return [φ.dLength, φ.dEffectiveIndex, φ.dGroupIndex, φ.dReferenceWavelength];
}

/**
 * t = (r − qz)/(1 − rqz) and its partials: ∂t/∂r = (1 − q²z²)/D²,
 * ∂t/∂q = −z(1 − r²)/D², ∂t/∂φ = −iqz(1 − r²)/D², D = 1 − rqz.
 */
function throughPartials(r: number, q: number, z: Complex) {
  const d = { re: 1 - r * q * z.re, im: -r * q * z.im };
  const d2 = mul(d, d);
  const over = (x: Complex) => {
    const n = d2.re * d2.re + d2.im * d2.im;
    return { re: (x.re * d2.re + x.im * d2.im) / n, im: (x.im * d2.re - x.re * d2.im) / n };
  };
  const z2 = mul(z, z);
  const dq = over(scale(z, -(1 - r * r)));
  return {
    dr: over({ re: 1 - q * q * z2.re, im: -q * q * z2.im }),
    dq,
    dPhase: mul(dq, scale(I, q)),
  };
}

function phasor(φ: number): Complex {
  return { re: Math.cos(φ), im: Math.sin(φ) };
}

export const ringAllPass: PhotonicModel<AllPassParams> = patternModel<AllPassParams>({
  id: "ring-all-pass",
  citation: "Bogaerts et al., Laser Photonics Rev. 6, 47 (2012): all-pass ring transmission",
  ports: ["in", "out"],
  parameters: allPassParameters,
  pattern: [
    ["out", "in", 0],
    ["in", "out", 0],
  ],
  checkWavelength: (p, wavelength) => checkDispersedWavelength("ring-all-pass", p, wavelength),
  values: (p, wavelength) => [allPassField(p, wavelength)],
  entries(p, wavelength) {
    const φ = roundTripPhase(p, wavelength);
    const t = allPassField(p, wavelength);
    const { dr, dq, dPhase } = throughPartials(p.selfCoupling, p.roundTripAmplitude, phasor(φ.phase));
    return {
      values: [t],
      partials: [[dr], [dq], ...phasePartials(φ).map((x) => [scale(dPhase, x)])],
    };
  },
});

export const ringAddDrop: PhotonicModel<AddDropParams> = patternModel<AddDropParams>({
  id: "ring-add-drop",
  citation: "Bogaerts et al., Laser Photonics Rev. 6, 47 (2012): add-drop ring through and drop",
  ports: ["in", "through", "add", "drop"],
  parameters: addDropParameters,
  pattern: [
    ["through", "in", 0],
    ["in", "through", 0],
    ["drop", "in", 1],
    ["in", "drop", 1],
    ["through", "add", 1],
    ["add", "through", 1],
    ["drop", "add", 2],
    ["add", "drop", 2],
  ],
  checkWavelength: (p, wavelength) => checkDispersedWavelength("ring-add-drop", p, wavelength),
  values(p, wavelength) {
    const response = addDropResponse(p, wavelength);
    return [response.through, response.drop, response.addToDrop];
  },
  entries(p, wavelength) {
    const φ = roundTripPhase(p, wavelength);
    const { selfCoupling1: r1, selfCoupling2: r2, roundTripAmplitude: a } = p;
    const { through: t1, drop, addToDrop: t2 } = addDropResponse(p, wavelength);
    const z = phasor(φ.phase);
    // Through: q = r2 a seen from coupler 1; add → drop: q = r1 a seen from coupler 2.
    const one = throughPartials(r1, r2 * a, z);
    const two = throughPartials(r2, r1 * a, z);
    // Drop = κ1 κ2 √a · u, u = −e^{iφ/2}/(1 − r1 r2 a z): ln drop = ln κ1 + ln κ2 + ½ ln a + ln u.
    // ∂drop/∂x = (∂(κ1κ2√a)/∂x)·u + drop·∂ln u/∂x. The first term's slope is ±∞ where κ1, κ2 or
    // √a is 0 (r1 = 1, r2 = 1, a = 0), as that square root's is; its cofactor, the drop with
    // that factor left out, is finite there, and `timesSlope` keeps its exact zeros at 0.
    const d = { re: 1 - r1 * r2 * a * z.re, im: -r1 * r2 * a * z.im };
    const zOverD = (factor: number) => {
      const n = d.re * d.re + d.im * d.im;
      return scale({ re: (z.re * d.re + z.im * d.im) / n, im: (z.im * d.re - z.re * d.im) / n }, factor);
    };
    const dropBy = (logDerivative: Complex) => mul(drop, logDerivative);
    const plus = (x: Complex, re: number) => ({ re: x.re + re, im: x.im });
    const dropPhase = dropBy(mul(I, plus(zOverD(r1 * r2 * a), 0.5)));
    const phaseRow = (x: number) => [scale(one.dPhase, x), scale(dropPhase, x), scale(two.dPhase, x)];
    const kappa1 = Math.sqrt(1 - r1 * r1);
    const kappa2 = Math.sqrt(1 - r2 * r2);
    const rootA = Math.sqrt(a);
    const u = addDropUnit(p, φ.phase / 2);
    const dropSlope = (cofactor: number, slope: number, logU: Complex) =>
      add(timesSlope(scale(u, cofactor), slope), dropBy(logU));
    return {
      values: [t1, drop, t2],
      partials: [
        [one.dr, dropSlope(kappa2 * rootA, -r1 / kappa1, zOverD(r2 * a)), scale(two.dq, a)],
        [scale(one.dq, a), dropSlope(kappa1 * rootA, -r2 / kappa2, zOverD(r1 * a)), two.dr],
        [scale(one.dq, r2), dropSlope(kappa1 * kappa2, 1 / (2 * rootA), zOverD(r1 * r2)), scale(two.dq, r1)],
        ...phasePartials(φ).map(phaseRow),
      ],
    };
  },
});
