/**
 * Recipe 5 (issue 18): the power meter's dark level and the transfer from
 * the laser's monitor to the meter through the reference waveguide, at one
 * wavelength, measured by the detector plan (src/plans/detector.ts) through
 * the optical job on a bench file or the embedded virtual bench, the run
 * kept in the store.
 *
 * What one laser and one meter can tell apart: the meter reads
 * F·P_laser + D, with F the product of the couplers' and buses' loss and
 * the meter's own calibration factor, and P_laser what left the laser. The
 * recipe takes the laser's built-in monitor (`:POW:ACT?`) as the known
 * reference: F is the meter's reading per watt of monitored light, and
 * the couplers' loss and the meter's factor are known only as that product
 * (either follows from F once the other is known: a calibrated meter gives
 * the couplers, known couplers give the meter's factor). D is the dark
 * level: the meter's reading with no light, its head's dark current over
 * its responsivity less any dark zero the meter already holds (the recipe
 * takes none).
 *
 * The fit: each level's mean reading against its mean monitor (the dark
 * at 0), y = D + F·x, weighted by their standard errors from the level's
 * own scatter (the meter's noise grows with the light: shot noise,
 * ranges; the monitor's moves with the light's intensity noise and enters
 * through the slope), taken as absolute; χ² checks them. Linearity: the same with a
 * term Q·x²; a Q beyond 3σ is reported as a non-linear response, and the
 * card is marked not usable (a response that bends is not one factor).
 * Two weighted lines are Gaussian–Markov estimates of straight-line
 * calibration (ISO 11095, "Linear calibration using reference materials").
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CardContext, cardOf, type ModelCard } from "../src/fit/card.js";
import { type FitModel, type FitResult, fitLeastSquares } from "../src/fit/levenberg-marquardt.js";
import type { DetectorSummary } from "../src/plans/detector.js";
import { type OpticalJobHooks, runOpticalJob } from "../src/plans/optical-job.js";
import { recordingOptionsOf } from "../src/plans/records.js";
import { svgPlot } from "../src/plans/svg-plot.js";
import { instrumentOf, type OpticalRecipeOptions, opticalJobOptionsOf, virtualRunOf } from "./common.js";

export const DETECTOR_RECIPE = { name: "detector", version: "0.1.0" } as const;

export interface DetectorRecipeOptions extends OpticalRecipeOptions {
  /** Wavelength, m (default 1550 nm). */
  readonly wavelength?: number;
  /** Laser power setpoints, W (default 0.1, 1, 0.4, 0.8, 0.2, 0.6 mW: within the embedded bench's 1 mW, in a mixed order). */
  readonly powers?: readonly number[];
  /** Meter readings per level (default 10) and with the light off (default 20). */
  readonly readings?: number;
  readonly darkReadings?: number;
  readonly settle?: number;
}

export interface DetectorRecipeResult {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly plotFile: string;
  /** The straight line through the levels' means: darkLevel (W) and transfer (1). */
  readonly line: FitResult;
  /** The line with a quadratic term, and whether that term is resolved (beyond 3σ). */
  readonly curved: FitResult;
  readonly nonLinear: boolean;
  readonly summary: DetectorSummary;
  readonly runs: readonly string[];
}

export const DEFAULT_DETECTOR_POWERS = [0.1e-3, 1e-3, 0.4e-3, 0.8e-3, 0.2e-3, 0.6e-3] as const;

/** Runs recipe 5 (see the module doc). */
export async function calibrateDetector(
  options: DetectorRecipeOptions,
  hooks: OpticalJobHooks = {},
): Promise<DetectorRecipeResult> {
  hooks.stage?.("measuring the dark level and the meter against the laser's monitor");
  const job = await runOpticalJob(
    {
      ...recordingOptionsOf(options),
      plan: {
        kind: "detector",
        options: {
          wavelength: options.wavelength ?? 1550e-9,
          powers: options.powers ?? DEFAULT_DETECTOR_POWERS,
          ...(options.readings !== undefined && { readings: options.readings }),
          ...(options.darkReadings !== undefined && { darkReadings: options.darkReadings }),
          ...(options.settle !== undefined && { settle: options.settle }),
        },
      },
      path: "reference",
      outDir: options.outDir,
      ...opticalJobOptionsOf(options),
      ...virtualRunOf(options, 0),
    },
    hooks,
  );
  if (job.kind !== "detector") throw new Error("unreachable: the recipe runs the detector plan");
  const summary = job.summary;

  hooks.stage?.("fitting the meter's response");
  // One point per level: the mean reading against the mean monitor, each with its standard error; the
  // monitor's moves into y's through the slope (effective variance, Orear, Am. J. Phys. 50, 912 (1982)).
  const groups = [
    { setpoint: 0, monitored: new Float64Array(summary.dark.length), readings: summary.dark },
    ...summary.levels.map((l) => ({ setpoint: l.setpoint, monitored: l.monitored, readings: l.readings })),
  ];
  const stuck = groups.find((g) => scatter(g.readings) === 0);
  if (stuck) {
    throw new Error(
      `detector recipe: the ${stuck.setpoint === 0 ? "dark" : `${(stuck.setpoint * 1e3).toPrecision(3)} mW`} readings ` +
        "do not scatter at all (a stuck or saturated meter?): their mean has no error to weigh it by",
    );
  }
  const x = Float64Array.from(groups, (g) => mean(g.monitored));
  const y = Float64Array.from(groups, (g) => mean(g.readings));
  const σy = Float64Array.from(groups, (g) => scatter(g.readings) / Math.sqrt(g.readings.length));
  const σx = Float64Array.from(groups, (g) =>
    g.setpoint === 0 ? 0 : scatter(g.monitored) / Math.sqrt(g.monitored.length),
  );
  const last = groups.length - 1;
  const slopeGuess = ((y[last] as number) - (y[0] as number)) / ((x[last] as number) || 1);
  const weighted = (slope: number) =>
    Float64Array.from(σy, (s, k) => Math.hypot(s, slope * (σx[k] as number)));
  // The slope sets the monitor's share of each point's variance: fitted once, then again with its own slope.
  let line = fitLeastSquares(
    responseModel(x),
    { y, sigma: weighted(slopeGuess) },
    { free: ["darkLevel", "transfer"], initial: { darkLevel: y[0] as number, transfer: slopeGuess } },
  );
  line = fitLeastSquares(
    responseModel(x),
    { y, sigma: weighted(line.values.transfer as number) },
    { free: ["darkLevel", "transfer"], initial: line.values },
  );
  const curved = fitLeastSquares(
    responseModel(x),
    { y, sigma: weighted(line.values.transfer as number) },
    { free: ["darkLevel", "transfer", "quadratic"], initial: line.values },
  );
  const q = curved.parameters.find((p) => p.name === "quadratic");
  const nonLinear = q !== undefined && Math.abs(q.value) > 3 * (q.standardError ?? Number.POSITIVE_INFINITY);

  const runs = [job.record.uid];
  const transfer = line.parameters.find((p) => p.name === "transfer");
  const context: CardContext = {
    chipId: options.chipId ?? "demo-chip",
    recipe: DETECTOR_RECIPE,
    model: {
      name: "straight-line response, meter = D + F·(laser monitor)",
      citation: "ISO 11095: linear calibration using reference materials (weighted least squares)",
    },
    instruments: [job.laser, job.meter].map(instrumentOf),
    identifiability: [
      "Taken as known: the laser's own monitor (:POW:ACT?). F is the meter's reading per watt of monitored light: " +
        "the couplers' and buses' loss on the reference path times the meter's calibration factor (times the monitor's own, " +
        "taken as 1). One laser and one meter cannot split that product: a calibrated meter gives the couplers, known couplers the meter's factor.",
      "D is the meter's reading with the light off (the recipe takes no dark zero): its head's dark current over its responsivity at the set wavelength, " +
        "less whatever dark zero the meter already held (none on a fresh meter; a spectrum run with darkZero leaves one).",
      `One point per level (${groups.length}, the dark included): the mean reading against the mean monitor, weighted by their ` +
        `standard errors from each level's own scatter (the monitor's through the slope); these are absolute, so the errors are not ` +
        `scaled, and χ²/dof = ${line.reducedChiSquare.toFixed(2)} on ${line.degreesOfFreedom} degrees of freedom checks them.`,
      nonLinear
        ? `The response is NOT linear: a quadratic term of ${(q?.value ?? 0).toExponential(3)} 1/W is resolved (beyond 3σ); F is not one factor, and the card is not usable.`
        : `Linear within the data: a quadratic term is not resolved (${(q?.value ?? 0).toExponential(2)} ± ${(q?.standardError ?? 0).toExponential(2)} 1/W).`,
    ],
    derived: [
      {
        name: "transferDb",
        unit: "dB",
        value: 10 * Math.log10(transfer?.value ?? Number.NaN),
        standardError: ((10 / Math.LN10) * (transfer?.standardError ?? Number.NaN)) / (transfer?.value ?? 1),
        note: "F in dB: the reference path's insertion loss as this meter and monitor see it",
      },
    ],
    runs,
    points: y.length,
  };
  const lineCard = cardOf(line, context);
  // A resolved curvature makes the straight line's card unusable, with a diagnostic that says why.
  const card: ModelCard = nonLinear
    ? {
        ...lineCard,
        fit: { ...lineCard.fit, usable: false },
        diagnostics: [
          ...lineCard.diagnostics,
          {
            kind: "non-linear",
            message: `the meter's response bends: a quadratic term of ${(q?.value ?? 0).toExponential(3)} ± ${(q?.standardError ?? 0).toExponential(2)} 1/W is resolved`,
          },
        ],
      }
    : lineCard;
  const cardFile = join(options.outDir, "card.json");
  writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  const plotFile = join(options.outDir, "detector-fit.svg");
  writeFileSync(plotFile, responsePlot(x, y, line));
  return { card, cardFile, plotFile, line, curved, nonLinear, summary, runs };
}

/** y = D + F·x + Q·x² at each monitored power x (W). */
export function responseModel(x: Float64Array): FitModel {
  return {
    name: "meter response",
    parameters: [
      {
        name: "darkLevel",
        unit: "W",
        default: 0,
        min: -1,
        max: 1,
        meaning: "the meter's reading with no light, D",
      },
      {
        name: "transfer",
        unit: "1",
        default: 0.1,
        min: 0,
        max: 10,
        meaning: "meter reading per watt of monitored light, F",
      },
      {
        name: "quadratic",
        unit: "1/W",
        default: 0,
        min: -1e6,
        max: 1e6,
        meaning: "curvature of the response, Q",
      },
    ],
    evaluate(p, prediction, jacobian) {
      for (let i = 0; i < x.length; i++) {
        const xi = x[i] as number;
        prediction[i] = (p[0] as number) + (p[1] as number) * xi + (p[2] as number) * xi * xi;
        if (jacobian) {
          jacobian[3 * i] = 1;
          jacobian[3 * i + 1] = xi;
          jacobian[3 * i + 2] = xi * xi;
        }
      }
    },
  };
}

function mean(values: Float64Array): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The sample standard deviation. */
function scatter(values: Float64Array): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/** The readings against the monitor with the fitted line, and the residuals magnified below. */
function responsePlot(x: Float64Array, y: Float64Array, line: FitResult): string {
  const D = line.values.darkLevel as number;
  const F = line.values.transfer as number;
  const mw = Float64Array.from(x, (v) => v * 1e3);
  const top = Math.max(...mw);
  const lineX = Float64Array.of(0, top);
  const lineY = Float64Array.from(lineX, (v) => (D + (F * v) / 1e3) * 1e3);
  const residuals = Float64Array.from(y, (v, i) => (v - (D + F * (x[i] as number))) * 1e3);
  const largest = residuals.reduce((m, r) => Math.max(m, Math.abs(r)), 0);
  const span = Math.max(...lineY);
  const gain = largest > 0 ? 10 ** Math.floor(Math.log10((0.1 * span) / largest)) : 1;
  return svgPlot({
    title: "Meter against the laser's monitor: readings, fitted line, residuals",
    xLabel: "laser monitor (mW)",
    yLabel: "meter (mW)",
    series: [
      {
        name: "readings",
        x: mw,
        y: Float64Array.from(y, (v) => v * 1e3),
        color: "#1f4e9c",
        markers: true,
        markerRadius: 2,
      },
      { name: "fit", x: lineX, y: lineY, color: "#c0392b" },
      {
        name: `residual × ${gain.toExponential(0)} − ${(0.1 * span).toPrecision(2)} mW`,
        x: mw,
        y: Float64Array.from(residuals, (r) => gain * r - 0.1 * span),
        color: "#555555",
        markers: true,
        markerRadius: 2,
      },
    ],
  });
}
