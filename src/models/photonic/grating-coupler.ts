/**
 * Grating coupler: fibre-to-chip power efficiency with a Gaussian passband
 * in wavelength, described by its peak efficiency η0, centre wavelength
 * λc and 1 dB bandwidth — the three figures grating couplers are specified
 * in datasheets and in Chrostowski & Hochberg, "Silicon Photonics Design"
 * (Cambridge University Press, 2015), chapter "Optical I/O". The Gaussian
 * shape is the model's choice: it is the simplest passband those three
 * figures define, and close to measured grating spectra near their peak.
 *
 * ```
 *        fiber
 *          ╲
 *   ───▤▤▤▤▤▤════════ waveguide        S[waveguide][fiber] = S[fiber][waveguide] = √η(λ)
 * ```
 *
 * Gaussian in wavelength, η(λ) = η0 exp(−c ((λ − λc)/B)²). The 1 dB
 * bandwidth B is the full width where η is 1 dB below η0: at λc ± B/2,
 * exp(−c/4) = 10^(−1/10), so c = 4 ln(10^0.1) = 0.4 ln 10, and
 *
 *   η(λ) = η0 exp(−4 ln(10^0.1) ((λ − λc)/B)²),   10 log10(η/η0) = −4 ((λ − λc)/B)² dB.
 *
 * The field transmission is √η, taken real: the coupler's fixed phase is a
 * reference plane choice. No back-reflection. η0 = 0 (a coupler that
 * passes nothing) is allowed; there ∂S/∂η0 = +∞, the slope of √η0.
 */
import type { ParameterSpec } from "../parameters.js";
import { patternModel, timesSlope } from "./component.js";

export type GratingCouplerParams = { peakEfficiency: number; centreWavelength: number; bandwidth1dB: number };

export const gratingCouplerParameters: readonly ParameterSpec<keyof GratingCouplerParams>[] = [
  {
    name: "peakEfficiency",
    unit: "1",
    default: 0.5,
    min: 0,
    max: 1,
    meaning: "eta0: fibre-to-waveguide power efficiency at the centre wavelength",
  },
  {
    name: "centreWavelength",
    unit: "m",
    default: 1.55e-6,
    min: 1e-7,
    max: 1e-5,
    meaning: "lambda_c: wavelength of peak efficiency",
  },
  {
    name: "bandwidth1dB",
    unit: "m",
    default: 30e-9,
    min: 1e-12,
    max: 1e-6,
    meaning: "B: full width of the passband 1 dB below the peak",
  },
];

/** c = 4 ln(10^0.1): the Gaussian's exponent per ((λ − λc)/B)². */
const ONE_DB_EXPONENT = 0.4 * Math.LN10;

/** η(λ) = η0 exp(−4 ln(10^0.1) ((λ − λc)/B)²). */
export function gratingEfficiency(p: GratingCouplerParams, wavelength: number): number {
  const x = (wavelength - p.centreWavelength) / p.bandwidth1dB;
  return p.peakEfficiency * Math.exp(-ONE_DB_EXPONENT * x * x);
}

export const gratingCoupler = patternModel<GratingCouplerParams>({
  id: "grating-coupler",
  citation: "Gaussian passband by peak efficiency, centre and 1 dB bandwidth (Chrostowski & Hochberg 2015)",
  ports: ["fiber", "waveguide"],
  parameters: gratingCouplerParameters,
  pattern: [
    ["waveguide", "fiber", 0],
    ["fiber", "waveguide", 0],
  ],
  values: (p, wavelength) => [{ re: Math.sqrt(gratingEfficiency(p, wavelength)), im: 0 }],
  entries(p, wavelength) {
    const x = (wavelength - p.centreWavelength) / p.bandwidth1dB;
    const shape = Math.exp(-0.5 * ONE_DB_EXPONENT * x * x);
    const t = Math.sqrt(p.peakEfficiency) * shape;
    // t = √η0 · exp(−c x²/2): ∂t/∂x = −c x t, ∂x/∂λc = −1/B, ∂x/∂B = −x/B.
    // ∂t/∂η0 = exp(−c x²/2)/(2√η0): +∞ at η0 = 0, as √η0 is (0 where the shape underflows).
    const dx = -ONE_DB_EXPONENT * x * t;
    const real = (re: number) => [{ re, im: 0 }];
    return {
      values: real(t),
      partials: [
        [timesSlope({ re: shape, im: 0 }, 1 / (2 * Math.sqrt(p.peakEfficiency)))],
        real(-dx / p.bandwidth1dB),
        real((-dx * x) / p.bandwidth1dB),
      ],
    };
  },
});
