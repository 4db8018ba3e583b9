/**
 * One resonance of an all-pass ring on a sloped baseline, with the ring's
 * exact (Airy) line shape, as a model the engine fits:
 *
 *   T(λ) = (b₀ + b₁(λ − λm) + b₂(λ − λm)²) · (1 − d ℓ² / (ℓ² + 4(1 − ℓ) sin²(Δφ/2)))
 *   Δφ = (2π λ₀²/FSR₀)(1/λ − 1/λc)
 *
 * from the through port of an all-pass ring, |t|² = 1 − (1 − r²)(1 − a²) /
 * ((1 − ra)² + 4ra sin²(φ/2)) (Bogaerts et al., Laser Photonics Rev. 6, 47
 * (2012), Eq. 3 rearranged), with ℓ = 1 − ra, the depth
 * d = (1 − r²)(1 − a²)/(1 − ra)² = 1 − T_min/T_baseline, and the
 * round-trip phase of a ring with a constant group index, φ = A/λ − B
 * (A = 2π n_g L = 2πλ₀²/FSR₀ for the FSR₀ measured apart at λ₀): its
 * 1/λ, not a phase linear in λ, which would tilt a dip a nanometre wide by
 * its width squared over λ (0.8 pm on the demo chip's crystallised patch). Unlike the Lorentzian of lorentzian-dip.ts it holds for
 * a low-finesse ring, whose dip is a sizeable part of an FSR wide (a
 * phase-change patch's loss makes one): there the Lorentzian's tails are
 * wrong and a window that is not centred on the dip pulls its centre.
 * Over a window of several nanometres the couplers' passband under the
 * dip is curved, not straight: b₂ takes that up (without it, a window
 * 0.6 nm off the dip moves a 1 nm wide dip's centre by 4 pm on the demo
 * chip). The baseline is expanded about the window's middle λm, not the
 * dip's centre, so that b₀ and b₁ stay apart when the dip sits off it.
 * The shape is symmetric in r and a, which it does not separate.
 */
import type { ParameterSpec } from "../../models/parameters.js";
import type { FitModel } from "../levenberg-marquardt.js";

export const airyDipParameters: readonly ParameterSpec[] = [
  { name: "centre", unit: "m", default: 1.55e-6, min: 1e-7, max: 1e-4, meaning: "resonance wavelength λc" },
  { name: "roundTripLoss", unit: "1", default: 0.05, min: 1e-6, max: 1, meaning: "ℓ = 1 − r·a" },
  { name: "depth", unit: "1", default: 0.5, min: 0, max: 1, meaning: "d = 1 − T_min/T_baseline" },
  {
    name: "baseline",
    unit: "1",
    default: 1,
    min: 0,
    max: 1e3,
    meaning: "baseline at the window's middle, b₀",
  },
  { name: "baselineSlope", unit: "1/m", default: 0, min: -1e12, max: 1e12, meaning: "baseline's slope b₁" },
  {
    name: "baselineCurvature",
    unit: "1/m²",
    default: 0,
    min: -1e24,
    max: 1e24,
    meaning: "baseline's curvature b₂",
  },
];

/** The Airy dip at `wavelengths` (m), for a free spectral range `fsr` (m) measured at `at` (m). */
export function airyDipFitModel(wavelengths: Float64Array, fsr: number, at: number): FitModel {
  // Δφ/2 = h (1/λ − 1/λc), h = π λ₀²/FSR₀.
  const h = (Math.PI * at * at) / fsr;
  const middle =
    wavelengths.length > 0
      ? ((wavelengths[0] as number) + (wavelengths[wavelengths.length - 1] as number)) / 2
      : 0;
  return {
    name: "Airy dip",
    parameters: airyDipParameters,
    evaluate(p, prediction, jacobian) {
      const [centre, ℓ, d, b0, b1, b2] = [p[0], p[1], p[2], p[3], p[4], p[5]] as number[] as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      for (let i = 0; i < wavelengths.length; i++) {
        const λ = wavelengths[i] as number;
        const half = h * (1 / λ - 1 / centre);
        const s = Math.sin(half);
        const c = Math.cos(half);
        const q = ℓ * ℓ + 4 * (1 - ℓ) * s * s;
        const shape = 1 - (d * ℓ * ℓ) / q;
        const m = (wavelengths[i] as number) - middle;
        const base = b0 + b1 * m + b2 * m * m;
        prediction[i] = base * shape;
        if (!jacobian) continue;
        // ∂shape/∂q = dℓ²/q², ∂q/∂λc = 8(1 − ℓ) s c h/λc²; ∂shape/∂ℓ = −dℓ s²(8 − 4ℓ)/q².
        const byQ = (base * d * ℓ * ℓ) / (q * q);
        const row = 6 * i;
        jacobian[row] = (byQ * 8 * (1 - ℓ) * s * c * h) / (centre * centre);
        jacobian[row + 1] = (-base * d * ℓ * s * s * (8 - 4 * ℓ)) / (q * q);
        jacobian[row + 2] = (-base * ℓ * ℓ) / q;
        jacobian[row + 3] = shape;
        jacobian[row + 4] = m * shape;
        jacobian[row + 5] = m * m * shape;
      }
    },
  };
}
