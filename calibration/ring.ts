/**
 * Recipe 1 (issue 18): the grating couplers and the microring, from two
 * transmission spectra of the chip, the reference waveguide's and the
 * ring's path, measured through the optical job (src/plans/optical-job.ts)
 * on a bench file or the embedded virtual bench, each kept in the run store.
 *
 * 1. **Couplers**, from the reference path: two Gaussian passbands in
 *    series are one Gaussian, so the sweep determines the product of the
 *    peaks (bus losses included), the combined centre and the combined
 *    1 dB width; they are fitted as identical couplers (η0, λc, B each),
 *    which the card says.
 * 2. **Ring**, from its path normalised by the reference, point by point
 *    (the couplers and buses cancel): the all-pass |t|² with the ring's
 *    self-coupling r, round-trip amplitude a, effective and group index,
 *    and the scale and tilt the normalisation leaves
 *    (src/fit/models/ring-all-pass.ts), from starting values read off the
 *    dips, with multi-start from the over-coupled reading. The ring's path
 *    reads its first 10 nm again after the sweep, and the fit takes the
 *    chip's drift against each point's time
 *    (src/fit/models/wavelength-drift.ts): in a one-way sweep a drift is
 *    the same as a change of the FSR, which the revisit tells apart.
 * 3. **Derived**: loaded Q = π n_g L √(ra)/(λ(1 − ra)) and intrinsic
 *    Q = π n_g L √a/(λ(1 − a)) at the middle resonance of the span (Bogaerts et al.,
 *    Laser Photonics Rev. 6, 47 (2012)), with errors propagated from the
 *    covariance; the resonance wavelengths in the span.
 *
 * The classic ambiguity: |t|² is symmetric in r and a, so a transmission
 * spectrum cannot tell an under-coupled ring (r > a) from an over-coupled
 * one (r < a). This recipe cannot break the tie (it takes no phase or
 * heater-loss measurement yet), so the card gives the fitted solution and
 * the swapped one as equally good, says so, and derives both intrinsic Qs.
 *
 * The ring is fitted twice: unweighted, then weighted by each point's
 * noise (`pointNoise`: the laser's wavelength scatter on the dip's steep
 * flanks, the meter's on the flat), the model setting the weights and the
 * scatter their level (errors scaled by the reduced χ²); the card says so.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CardContext, cardOf, type ModelCard } from "../src/fit/card.js";
import { type FitModel, type FitResult, fitLeastSquares } from "../src/fit/levenberg-marquardt.js";
import { gratingPairFitModel } from "../src/fit/models/grating-pair.js";
import { RING_SPECTRUM_FREE, ringAllPassFitModel } from "../src/fit/models/ring-all-pass.js";
import { wavelengthDrifted } from "../src/fit/models/wavelength-drift.js";
import { wavelengthJitterAveraged } from "../src/fit/models/wavelength-jitter.js";
import { fitWithRestarts, type MultiStartResult } from "../src/fit/multi-start.js";
import { type OpticalJobHooks, runOpticalJob } from "../src/plans/optical-job.js";
import { recordingOptionsOf } from "../src/plans/records.js";
import { svgPlot } from "../src/plans/svg-plot.js";
import {
  instrumentOf,
  type OpticalRecipeOptions,
  opticalJobOptionsOf,
  propagate,
  virtualRunOf,
} from "./common.js";
import { ringStart } from "./ring-start.js";

export const RING_RECIPE = { name: "ring-and-couplers", version: "0.1.0" } as const;

/** Recipe 1's options (the virtual reference run takes `seed`, the ring run `seed + 100`). */
export interface RingRecipeOptions extends OpticalRecipeOptions {
  /** The sweep, m: first and last wavelength and the step (default 1540–1570 nm in 10 pm). */
  readonly start?: number;
  readonly stop?: number;
  readonly step?: number;
  /** Span at the start of the ring's sweep read again after it, m (default 10 nm, an FSR and some; 0: none). */
  readonly revisit?: number;
  /** Laser power, W (default 1 mW). */
  readonly power?: number;
  /** What the layout says: the ring's round-trip length (m), the design's effective index and its reference wavelength. */
  readonly design?: {
    readonly circumference: number;
    readonly effectiveIndex: number;
    readonly referenceWavelength: number;
  };
  /** The laser's wavelength repeatability, m: each tune lands within ± this (default 1 pm, uniform). */
  readonly wavelengthRepeatability?: number;
}

export interface RingRecipeResult {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly plotFile: string;
  readonly couplers: FitResult;
  readonly ring: MultiStartResult;
  /** The run uids of the two spectra (reference, ring). */
  readonly runs: readonly string[];
}

/** The demo chip's layout: a 10 µm-radius ring, n_eff 2.4 at 1550 nm. */
export const DEMO_RING_DESIGN = {
  circumference: 2 * Math.PI * 10e-6,
  effectiveIndex: 2.4,
  referenceWavelength: 1.55e-6,
};

/** Runs recipe 1 (see the module doc): two spectra, two fits, a card and a plot in `outDir`. */
export async function calibrateRing(
  options: RingRecipeOptions,
  hooks: OpticalJobHooks = {},
): Promise<RingRecipeResult> {
  const design = options.design ?? DEMO_RING_DESIGN;
  const sweep = {
    start: options.start ?? 1540e-9,
    stop: options.stop ?? 1570e-9,
    step: options.step ?? 10e-12,
    power: options.power ?? 1e-3,
    // The meter's responsivity correction follows the laser at every step: left 1 nm behind (the plan's
    // default), it leaves a 1e-3 sawtooth on the reference that the couplers' fit would take for noise.
    correctionTolerance: 0,
    // The head's dark current (2 nW on the virtual S144C) is not light: left in, it raised the couplers'
    // fitted peak by about 1e-5 relative, four of its standard errors (the 50-chip coverage study).
    darkZero: true,
  };
  // The ring's path then reads its first 10 nm again (an FSR of the demo ring is 9.1 nm): the chip's drift
  // during the one-way sweep moves every resonance alike, which the sweep alone takes for a change of the
  // FSR (on the demo chip's −2e-4 K/s, n_g came out 20 standard errors high).
  const revisit = options.revisit ?? 10e-9;
  const spectra = [];
  for (const path of ["reference", "ring"] as const) {
    hooks.stage?.(`measuring the ${path} path`);
    spectra.push(
      await runOpticalJob(
        {
          // The recording options (store, durability, report) pass through; the recipe's own stay here.
          ...recordingOptionsOf(options),
          plan: {
            kind: "spectrum",
            mode: "stepped",
            options: path === "ring" && revisit > 0 ? { ...sweep, revisit } : sweep,
          },
          path,
          outDir: join(options.outDir, path),
          ...opticalJobOptionsOf(options),
          ...virtualRunOf(options, path === "ring" ? 100 : 0),
        },
        hooks,
      ),
    );
  }
  const [reference, ring] = spectra.map((job) => {
    if (job.kind !== "spectrum") throw new Error("unreachable: the recipe runs spectra");
    return job;
  }) as [
    Extract<(typeof spectra)[number], { kind: "spectrum" }>,
    Extract<(typeof spectra)[number], { kind: "spectrum" }>,
  ];
  const wavelengths = reference.summary.spectrum.wavelength;
  const referenceT = reference.summary.spectrum.transmission;
  const ringT = ring.summary.spectrum.transmission;
  if (
    ring.summary.spectrum.wavelength.length !== wavelengths.length ||
    !ring.summary.spectrum.wavelength.every((λ, i) => λ === wavelengths[i])
  ) {
    throw new Error(
      "the two spectra were not taken at the same wavelengths: the ring cannot be normalised point by point",
    );
  }

  // 1. Couplers, identical, from the reference.
  hooks.stage?.("fitting the couplers");
  let peakAt = 0;
  for (let i = 1; i < referenceT.length; i++)
    if ((referenceT[i] as number) > (referenceT[peakAt] as number)) peakAt = i;
  const couplers = fitLeastSquares(
    gratingPairFitModel(wavelengths, "identical"),
    { y: referenceT },
    {
      free: ["peakEfficiency", "centreWavelength", "bandwidth1dB"],
      initial: {
        peakEfficiency: Math.sqrt(referenceT[peakAt] as number),
        centreWavelength: wavelengths[peakAt] as number,
        bandwidth1dB: 30e-9,
      },
    },
  );

  // 2. Ring, normalised by the reference point by point; the revisited points by the reference at theirs.
  hooks.stage?.("fitting the ring");
  const normalised = Float64Array.from(ringT, (value, i) => value / (referenceT[i] as number));
  const start = ringStart(wavelengths, normalised, design);
  const again = ring.summary.revisit;
  const allWavelengths = Float64Array.from([...wavelengths, ...(again?.wavelength ?? [])]);
  const allNormalised = Float64Array.from([
    ...normalised,
    ...Array.from(again?.transmission ?? [], (value, k) => value / (referenceT[k] as number)),
  ]);
  const times = Float64Array.from([...ring.summary.spectrum.time, ...(again?.time ?? [])]);
  // The chip as it was in the middle of the sweep.
  const middle = ring.summary.spectrum.time[wavelengths.length >> 1] as number;
  // The laser lands within ± its repeatability of each wavelength: the data are |t|² averaged over that
  // window (raised dip bottom), which the model takes in (src/fit/models/wavelength-jitter.ts); the chip
  // drifts while it is read (src/fit/models/wavelength-drift.ts), which the revisit separates from the FSR.
  const repeatability = options.wavelengthRepeatability ?? 1e-12;
  const jittered = (λ: Float64Array) =>
    wavelengthJitterAveraged((x) => ringAllPassFitModel(x), λ, repeatability);
  const ringModel = again
    ? wavelengthDrifted(jittered, allWavelengths, times, middle)
    : jittered(allWavelengths);
  const ringFree = again ? [...RING_SPECTRUM_FREE, "driftRate"] : RING_SPECTRUM_FREE;
  // A drift within ±1 pm/s (a ring's resonance moves ~0.08 nm/K: 0.0125 K/s), for the restarts' draws.
  const driftBounds: Readonly<Record<string, readonly [number, number]>> = again
    ? { driftRate: [-1e-12, 1e-12] }
    : {};
  const first = fitWithRestarts(
    ringModel,
    { y: allNormalised },
    {
      free: ringFree,
      initial: start.values,
      bounds: driftBounds,
    },
    { starts: [start.overCoupled], random: 10 },
  );
  // Then weighted by each point's noise (below): the laser's tuning scatter is an error in λ, which the
  // dip's flanks turn into large errors in T; unweighted, their scatter is spread over every point and
  // the dip's parameters come out with error bars several times too small.
  const noise = pointNoise(ringModel, first.best, allWavelengths, repeatability);
  // The noise model sets each point's relative weight; its overall level is taken from the scatter (the
  // errors scaled by the reduced χ²): a laser's or meter's stated noise is rarely its actual one.
  const ringFit = fitWithRestarts(
    ringModel,
    { y: allNormalised, sigma: noise.sigma },
    { free: ringFree, initial: first.best.values, absoluteSigma: false, bounds: driftBounds },
    { starts: [start.overCoupled], random: 10 },
  );
  const fit = ringFit.best;

  // 3. Derived quantities, with first-order errors from the covariance.
  const derived = derivedQuantities(
    fit,
    couplers,
    start.dips.map((dip) => dip.wavelength),
  );
  const instruments = [reference.laser, reference.meter].map(instrumentOf);
  const runs = [reference.record.uid, ring.record.uid];
  const context: CardContext = {
    chipId: options.chipId ?? "demo-chip",
    recipe: RING_RECIPE,
    model: {
      name: "all-pass ring, normalised by the reference path",
      citation: "Bogaerts et al., Laser Photonics Rev. 6, 47 (2012): all-pass ring transmission",
    },
    instruments,
    identifiability: [
      "The spectrum determines r·a and |a − r| but not which is which: under- (r > a) and over-coupling (r < a) give the same dip. " +
        "This recipe cannot break the tie; the 'ambiguous' warning gives the other solution, and both intrinsic Qs are derived.",
      `n_eff0 is known only modulo λ0/L = ${(design.referenceWavelength / design.circumference).toFixed(5)} (the resonance order); the design's ${design.effectiveIndex} chose it.`,
      "The couplers: a sweep through two in series determines the product of their peaks (bus losses included), one centre and one width; " +
        "they are given per coupler assuming the two identical.",
      `The ring's points are weighted by a noise model, σ² = σ_T² + (∂T/∂λ)²σ_λ², with σ_T = ${noise.transmission.toExponential(2)} ` +
        `(the flattest half's scatter) and σ_λ = ${(noise.wavelength * 1e12).toFixed(2)} pm (the laser's repeatability, uniform); ` +
        `its level is taken from the scatter: the errors are scaled by the reduced χ² (${fit.reducedChiSquare.toFixed(2)}). ` +
        `The model is |t|² averaged over the laser's ±${(repeatability * 1e12).toFixed(2)} pm landing window (a raised dip bottom otherwise pulls r and a together). ` +
        "The couplers' errors are scaled by their fit's reduced χ².",
      ...(couplers.usable
        ? []
        : [
            `The couplers' fit is NOT usable (${couplers.reason}): ${couplers.diagnostics.map((d) => d.message).join("; ") || "it did not converge"}.`,
          ]),
      again
        ? `The chip's drift while it was read is fitted (driftRate, the resonances' move per second): the ring's path read its first ` +
          `${(revisit * 1e9).toFixed(1)} nm again after the sweep (${again.time.length} points), which tells a drift from the free ` +
          "spectral range; n_eff0 and n_g are the chip's in the middle of the sweep."
        : "n_eff0 and n_g take up whatever moved the resonances during the sweep (the chip's temperature drift, ~0.08 nm/K): " +
          "a one-way sweep cannot tell a drift from the free spectral range, so their errors leave it out (revisit 0).",
      "n_g is the loop's: the ring's waveguide and the patch's, whose amorphous index adds Γ(n_a − n_clad)·L_p/L to it.",
    ],
    derived,
    runs,
    points: allWavelengths.length,
  };
  const card = cardOf(fit, context);
  const cardFile = join(options.outDir, "card.json");
  writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  const plotFile = join(options.outDir, "ring-fit.svg");
  const predicted = new Float64Array(allWavelengths.length);
  ringModel.evaluate(
    Float64Array.from(ringModel.parameters, (spec) => fit.values[spec.name] as number),
    predicted,
  );
  writeFileSync(plotFile, fitPlot(wavelengths, normalised, predicted.subarray(0, wavelengths.length)));
  return { card, cardFile, plotFile, couplers, ring: ringFit, runs };
}

/**
 * Each point's standard uncertainty by the effective-variance method
 * (Orear, Am. J. Phys. 50, 912 (1982)): σ_i² = σ_T² + (∂T/∂λ)_i² σ_λ²,
 * with ∂T/∂λ from the first fit, σ_λ = the laser's repeatability/√3 (a
 * uniform scatter), and σ_T the scatter of the first fit's residuals where
 * the spectrum is flattest (the half of the points with the smallest
 * slope; 1.4826 × their median absolute residual).
 */
function pointNoise(
  model: FitModel,
  fit: FitResult,
  wavelengths: Float64Array,
  repeatability: number,
): { readonly sigma: Float64Array; readonly transmission: number; readonly wavelength: number } {
  const vector = Float64Array.from(model.parameters, (spec) => fit.values[spec.name] as number);
  const shift = 0.1e-12;
  const up = new Float64Array(wavelengths.length);
  const down = new Float64Array(wavelengths.length);
  ringAllPassFitModel(Float64Array.from(wavelengths, (λ) => λ + shift)).evaluate(vector, up);
  ringAllPassFitModel(Float64Array.from(wavelengths, (λ) => λ - shift)).evaluate(vector, down);
  const slope = Float64Array.from(up, (value, i) => (value - (down[i] as number)) / (2 * shift));
  const order = [...slope.keys()].sort((i, j) => Math.abs(slope[i] as number) - Math.abs(slope[j] as number));
  const flat = order
    .slice(0, Math.max(1, order.length >> 1))
    .map((i) => Math.abs(fit.residuals[i] as number))
    .sort((x, y) => x - y);
  const transmission = 1.4826 * (flat[flat.length >> 1] as number);
  const wavelength = repeatability / Math.sqrt(3);
  const sigma = Float64Array.from(slope, (s) => Math.sqrt(transmission ** 2 + (s * wavelength) ** 2));
  return { sigma, transmission, wavelength };
}

function derivedQuantities(
  fit: FitResult,
  couplers: FitResult,
  resonances: readonly number[],
): ModelCard["derived"] {
  const λ = resonances[Math.floor(resonances.length / 2)] ?? (fit.values.referenceWavelength as number);
  const q = (product: number, values: Readonly<Record<string, number>>) =>
    (Math.PI * (values.groupIndex as number) * (values.circumference as number) * Math.sqrt(product)) /
    (λ * (1 - product));
  const [loaded, loadedError] = propagate(fit, (v) =>
    q((v.selfCoupling as number) * (v.roundTripAmplitude as number), v),
  );
  const [intrinsic, intrinsicError] = propagate(fit, (v) => q(v.roundTripAmplitude as number, v));
  const [swapped, swappedError] = propagate(fit, (v) => q(v.selfCoupling as number, v));
  const regime =
    (fit.values.selfCoupling as number) > (fit.values.roundTripAmplitude as number) ? "under" : "over";
  const couplerValue = (name: string) => couplers.parameters.find((p) => p.name === name);
  const product = couplerValue("peakEfficiency");
  return [
    {
      name: "loadedQ",
      unit: "1",
      value: loaded,
      standardError: loadedError,
      note: `at ${(λ * 1e9).toFixed(3)} nm`,
    },
    {
      name: "intrinsicQ",
      unit: "1",
      value: intrinsic,
      standardError: intrinsicError,
      note: `from a, as fitted (${regime}-coupled reading)`,
    },
    {
      name: "intrinsicQSwapped",
      unit: "1",
      value: swapped,
      standardError: swappedError,
      note: `from r: the intrinsic Q if the ring is ${regime === "under" ? "over" : "under"}-coupled instead`,
    },
    ...resonances.map((wavelength, k) => ({
      name: `resonance${k + 1}`,
      unit: "m",
      value: wavelength,
      standardError: null,
      note: "dip of the normalised spectrum (Lorentzian-refined)",
    })),
    ...(product
      ? [
          {
            name: "couplerPeakEfficiency",
            unit: "1",
            value: product.value,
            standardError: product.standardError,
            note: "each coupler, taken identical: the square root of the pair's product (buses included)",
          },
        ]
      : []),
    ...["centreWavelength", "bandwidth1dB"].flatMap((name) => {
      const p = couplerValue(name);
      return p
        ? [
            {
              name: `coupler${name[0]?.toUpperCase()}${name.slice(1)}`,
              unit: p.unit,
              value: p.value,
              standardError: p.standardError,
              note: "each coupler, taken identical",
            },
          ]
        : [];
    }),
  ];
}

/**
 * The normalised spectrum (markers), the fit (line) and, below them, the
 * residuals magnified to span a tenth of the plot (the factor in their
 * name): a fit this good would otherwise show them as a flat line.
 */
function fitPlot(wavelengths: Float64Array, measured: Float64Array, predicted: Float64Array): string {
  const nm = Float64Array.from(wavelengths, (λ) => λ * 1e9);
  const residuals = Float64Array.from(measured, (value, i) => value - (predicted[i] as number));
  const largest = residuals.reduce((m, r) => Math.max(m, Math.abs(r)), 0);
  const gain = largest > 0 ? 10 ** Math.floor(Math.log10(0.05 / largest)) : 1;
  return svgPlot({
    title: "Ring, normalised by the reference: data, fit, residuals",
    xLabel: "wavelength (nm)",
    yLabel: "transmission (linear)",
    series: [
      { name: "measured", x: nm, y: measured, color: "#1f4e9c", markers: true, markerRadius: 1 },
      { name: "fit", x: nm, y: predicted, color: "#c0392b" },
      {
        name: `residual × ${gain.toExponential(0)} − 0.1`,
        x: nm,
        y: Float64Array.from(residuals, (r) => gain * r - 0.1),
        color: "#555555",
        markers: true,
        markerRadius: 1,
      },
    ],
  });
}
