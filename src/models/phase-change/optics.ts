/**
 * Complex refractive index of partially crystallised GST by effective-
 * medium mixing of its amorphous and crystalline permittivities with the
 * Lorentz–Lorenz (Clausius–Mossotti) rule:
 *
 *   (ε_eff − 1)/(ε_eff + 2) = X (ε_c − 1)/(ε_c + 2) + (1 − X)(ε_a − 1)/(ε_a + 2),
 *   ε = n², n_eff = √ε_eff (principal root: Re, Im ≥ 0).
 *
 * The rule GST photonics uses for intermediate states (e.g. the laser-
 * crystallisation code of Wang et al., arXiv:2107.02035, which solves it
 * for ε_eff exactly as here; Frantz et al. (below) fit ellipsometry of
 * partially crystallised films with an effective medium of the two
 * phases). Sign convention: n + iκ with κ ≥ 0 absorbing, for fields
 * e^{i(kz − ωt)} (a wave through length L gains e^{i k0 n L}, as in
 * src/models/photonic/waveguide.ts).
 *
 * Defaults, GST-225 at 1550 nm: amorphous 4.073 + 0.009i, crystalline
 * 6.464 + 0.918i — the ellipsometric optical constants of sputtered
 * Ge2Sb2Te5 films (fcc crystalline phase) of Frantz et al., "Optical
 * constants of germanium antimony telluride (GST) in amorphous,
 * crystalline, and intermediate states", Opt. Mater. Express 13, 3631
 * (2023), doi:10.1364/OME.506019, supplementary tables, read at 1550.7 nm
 * (as tabulated in the refractiveindex.info database, Ge2Sb2Te5
 * "Frantz-amorphous" and "Frantz-crystal"). Published values vary with
 * deposition (Gemo et al., Opt. Mater. Express 10, 1675 (2020)): measure
 * and fit them. The indices are taken as constant over the band the model
 * is used in (Frantz's crystalline κ falls from 0.94 to 0.87 between 1540
 * and 1570 nm).
 */
import { add, type Complex, div, mul, scale, sqrt, sub } from "../complex.js";
import type { ParameterSpec } from "../parameters.js";

export type GstOpticalParams = {
  amorphousIndex: number;
  amorphousExtinction: number;
  crystallineIndex: number;
  crystallineExtinction: number;
};

export const gstOpticalParameters: readonly ParameterSpec<keyof GstOpticalParams>[] = [
  {
    name: "amorphousIndex",
    unit: "1",
    default: 4.073,
    min: 1,
    max: 10,
    meaning: "n_a: real part of the amorphous phase's refractive index",
  },
  {
    name: "amorphousExtinction",
    unit: "1",
    default: 0.009,
    min: 0,
    max: 5,
    meaning: "kappa_a: extinction coefficient (imaginary part) of the amorphous phase",
  },
  {
    name: "crystallineIndex",
    unit: "1",
    default: 6.464,
    min: 1,
    max: 10,
    meaning: "n_c: real part of the crystalline phase's refractive index",
  },
  {
    name: "crystallineExtinction",
    unit: "1",
    default: 0.918,
    min: 0,
    max: 5,
    meaning: "kappa_c: extinction coefficient (imaginary part) of the crystalline phase",
  },
];

const ONE: Complex = { re: 1, im: 0 };
const TWO: Complex = { re: 2, im: 0 };
const THREE: Complex = { re: 3, im: 0 };
const I: Complex = { re: 0, im: 1 };

/** Lorentz–Lorenz factor (ε − 1)/(ε + 2). */
export function lorentzLorenz(permittivity: Complex): Complex {
  return div(sub(permittivity, ONE), add(permittivity, TWO));
}

/** ε from its Lorentz–Lorenz factor L: (1 + 2L)/(1 − L). */
function permittivityOf(factor: Complex): Complex {
  return div(add(ONE, scale(factor, 2)), sub(ONE, factor));
}

/** The mixing rule interpolates between the phases; outside [0, 1] it would extrapolate silently. */
function checkFraction(fraction: number): void {
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`GST optics: crystalline fraction ${fraction} is outside [0, 1]`);
  }
}

function phaseIndices(p: GstOpticalParams): { amorphous: Complex; crystalline: Complex } {
  return {
    amorphous: { re: p.amorphousIndex, im: p.amorphousExtinction },
    crystalline: { re: p.crystallineIndex, im: p.crystallineExtinction },
  };
}

/** ε_eff of a crystalline fraction X ∈ [0, 1]. */
export function gstPermittivity(p: GstOpticalParams, fraction: number): Complex {
  checkFraction(fraction);
  const { amorphous, crystalline } = phaseIndices(p);
  const la = lorentzLorenz(mul(amorphous, amorphous));
  const lc = lorentzLorenz(mul(crystalline, crystalline));
  return permittivityOf(add(scale(lc, fraction), scale(la, 1 - fraction)));
}

/** n_eff + iκ_eff of a crystalline fraction X ∈ [0, 1]. */
export function gstIndex(p: GstOpticalParams, fraction: number): Complex {
  return sqrt(gstPermittivity(p, fraction));
}

export interface ComplexGradient {
  readonly value: Complex;
  /** gradient[j] = ∂value/∂p_j, in the parameter table's order. */
  readonly gradient: readonly Complex[];
  /** ∂value/∂X. */
  readonly dFraction: Complex;
}

/**
 * `gstIndex` and its partials (analytic: n is holomorphic in each phase
 * index, so ∂/∂(real part) = dn/dn_phase and ∂/∂(imaginary part) = i·that).
 */
export function gstIndexWithGradient(p: GstOpticalParams, fraction: number): ComplexGradient {
  checkFraction(fraction);
  const { amorphous, crystalline } = phaseIndices(p);
  const ea = mul(amorphous, amorphous);
  const ec = mul(crystalline, crystalline);
  const la = lorentzLorenz(ea);
  const lc = lorentzLorenz(ec);
  const l = add(scale(lc, fraction), scale(la, 1 - fraction));
  const n = sqrt(permittivityOf(l));
  // dn/dL = (1/(2n))·3/(1 − L)²; dL_phase/dn_phase = 3/(ε + 2)²·2n_phase.
  const dndl = div(THREE, mul(scale(n, 2), mul(sub(ONE, l), sub(ONE, l))));
  const dlPhase = (e: Complex, index: Complex) => div(scale(index, 6), mul(add(e, TWO), add(e, TWO)));
  const dA = mul(dndl, scale(dlPhase(ea, amorphous), 1 - fraction));
  const dC = mul(dndl, scale(dlPhase(ec, crystalline), fraction));
  return {
    value: n,
    gradient: [dA, mul(I, dA), dC, mul(I, dC)],
    dFraction: mul(dndl, sub(lc, la)),
  };
}
