/**
 * Recipe 2 (issue 18): the ring's heater, from the resonance's shift
 * against the heater's own power, measured through the optical job's
 * spectrum and tune plans (src/plans/optical-job.ts) on a bench file or
 * the embedded virtual bench, each run kept in the run store.
 *
 * 1. **Free spectral range**, heater off: a stepped spectrum of the ring's
 *    path over about two FSRs around the resonance; FSR = (λ₊₁ − λ₋₁)/2
 *    from the dips either side of it, each a weighted Lorentzian fit (the
 *    symmetric difference is the FSR at the resonance itself to second
 *    order, dispersion included).
 * 2. **Tuning**: the heater's source steps through powers in a palindromic
 *    order (0, P1, P6, P2, P5, …, P5, P2, P6, P1, 0), so that the chip's slow drift,
 *    linear in time, is uncorrelated with the power; at each step the
 *    heater's V and I are read on its own terminals (P = V·I) and a narrow
 *    scan finds the resonance (Lorentzian-refined dip).
 * 3. **Fit**: λ_res = λ₀ + κP + c₂(κP)² + δ·t. The linear term is
 *    thermo-optic tuning, Δλ = λ (dn/dT) ΔT / n_g with ΔT = R_th P
 *    (Padmaraju & Bergman, Nanophotonics 3, 269 (2014), Eq. 1); the
 *    quadratic one is the second order of a phase shift Δφ moving a
 *    resonance of φ(λ) = 2π n_eff L/λ: Δλ = Δφ/φ' − φ''Δφ²/(2φ'³), so
 *    c₂ = −φ''/(2φ') = (dFSR/dλ)/(2 FSR), measured from the three dips of
 *    step 1 (1/λ₀ for a constant group index; the group index's own
 *    dispersion changes it by tens of per cent, and the term is 3e-4
 *    relative at 0.5 nm, on the order of the slope's error: taken as 1/λ₀,
 *    it biased P_π by half a standard error over 50 chips); δ is the
 *    drift. Each point weighs the same, and the errors are scaled by the
 *    reduced χ² (the dips' scatter sets the noise level).
 * 4. **Derived**: the tuning efficiency in nm/mW and
 *    P_π = FSR/(2κ) (a π phase shift moves the resonance by half an FSR),
 *    with first-order errors; the heater's resistance from the same V and
 *    I: V = I(R₀ + ρP), each V weighing the same. A temperature coefficient
 *    shows up as ρ = α R₀ R_th (α and R_th are not separable from
 *    electrical data); when |ρ| is not above 3σ the card says it is not
 *    resolved and gives R₀ from V = I R₀, its error by the jackknife.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CardContext, cardOf, type ModelCard } from "../src/fit/card.js";
import { type FitModel, type FitResult, fitLeastSquares } from "../src/fit/levenberg-marquardt.js";
import { lorentzianDipFitModel } from "../src/fit/models/lorentzian-dip.js";
import type { ParameterSpec } from "../src/models/parameters.js";
import type { TuningPoint } from "../src/plans/heater-tuning.js";
import {
  type OpticalJobHooks,
  type OpticalJobOptions,
  type OpticalJobResult,
  runOpticalJob,
} from "../src/plans/optical-job.js";
import { recordingOptionsOf } from "../src/plans/records.js";
import { type Dip, findDips } from "../src/plans/spectrum-analysis.js";
import { svgPlot } from "../src/plans/svg-plot.js";
import { instrumentOf, type OpticalRecipeOptions, opticalJobOptionsOf, virtualRunOf } from "./common.js";

export const HEATER_RECIPE = { name: "heater", version: "0.1.0" } as const;

/** Recipe 2's options (the virtual FSR run takes `seed`, the tuning run `seed + 100`). */
export interface HeaterRecipeOptions extends OpticalRecipeOptions {
  /** The bench's source-meter on the heater's terminals (default: the optical job's, "smu2"). */
  readonly sourceMeter?: string;
  /** Where the resonance is with the heater off, roughly, m (default: the demo chip's, 1553.94 nm). */
  readonly resonance?: number;
  /** Span of the heater-off spectrum that finds the FSR, m (default 22 nm: two FSRs of the demo ring and some). */
  readonly fsrSpan?: number;
  /** Its step, m (default 10 pm). */
  readonly fsrStep?: number;
  /**
   * Highest heater power, W, at the design resistance (default 2 mW: the demo chip's heater crystallises the
   * phase-change patch on the ring somewhere between 2.5 and 2.8 mW, and a heater 20 % above its design resistance takes 20 % more).
   */
  readonly maxPower?: number;
  /** Distinct powers from 0 to maxPower (default 7; each is visited twice). */
  readonly levels?: number;
  /** The heater's resistance as designed, Ω, to turn powers into currents (default 1.1 kΩ). */
  readonly designResistance?: number;
  /** Voltage compliance of the heater's source, V (default 2 V: the embedded bench's limit; 2.4 mW on 1.3 kΩ needs 1.8 V). */
  readonly compliance?: number;
  /** Width and step of each tuning scan, m (default 0.6 nm in 5 pm). */
  readonly span?: number;
  readonly step?: number;
  /** Wait after each heater step, s (default 10 ms). */
  readonly settle?: number;
  /** Laser power, W (default 1 mW). */
  readonly power?: number;
  /** The laser's wavelength repeatability, m: each tune lands within ± this (default 1 pm, uniform). */
  readonly wavelengthRepeatability?: number;
}

export interface HeaterRecipeResult {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly plotFile: string;
  /** The tuning fit: λ₀, κ, δ. */
  readonly tuning: FitResult;
  /** FSR at the resonance, m, and its standard error (corrected for the chip's drift during its scan). */
  readonly fsr: { readonly value: number; readonly error: number };
  /** P_π, W, and its standard error. */
  readonly piPower: { readonly value: number; readonly error: number };
  /** The heater's resistance: R₀ (Ω), and ρ (Ω/W) when resolved. */
  readonly resistance: {
    readonly value: number;
    readonly error: number;
    readonly perWatt?: { readonly value: number; readonly error: number };
  };
  readonly points: readonly TuningPoint[];
  /** The run uids (FSR spectrum, tuning). */
  readonly runs: readonly string[];
}

/** The demo chip's ring resonance near 1554 nm with the heater off. */
export const DEMO_HEATER_RESONANCE = 1553.94e-9;

/** The palindromic order of `levels` powers: 0, 1, top, 2, top − 1, …, then the same backwards (a step number k is power k·max/(levels − 1)). */
export function palindromicPowers(maxPower: number, levels: number): number[] {
  const indices: number[] = [];
  // 0 and 1 first: the tune plan centres each scan on the line through the resonances so far, which
  // needs two before it can follow a jump to the top.
  indices.push(0);
  for (let low = 1, high = levels - 1; low <= high; low++, high--) {
    indices.push(low);
    if (high !== low) indices.push(high);
  }
  const order = [...indices, ...[...indices].reverse()];
  return order.map((k) => (maxPower * k) / (levels - 1));
}

/** Runs recipe 2 (see the module doc). */
export async function calibrateHeater(
  options: HeaterRecipeOptions,
  hooks: OpticalJobHooks = {},
): Promise<HeaterRecipeResult> {
  const resonanceGuess = options.resonance ?? DEMO_HEATER_RESONANCE;
  const fsrSpan = options.fsrSpan ?? 22e-9;
  const fsrStep = options.fsrStep ?? 10e-12;
  const common = { ...recordingOptionsOf(options), path: "ring" as const, ...opticalJobOptionsOf(options) };
  const virtual = (offset: number) => virtualRunOf(options, offset);

  // 1. The FSR, heater off.
  const { run: wide, fsr } = await measureFsr(
    {
      ...common,
      ...virtual(0),
      resonance: resonanceGuess,
      span: fsrSpan,
      step: fsrStep,
      power: options.power ?? 1e-3,
      repeatability: options.wavelengthRepeatability ?? 1e-12,
      outDir: join(options.outDir, "fsr"),
    },
    hooks,
    "heater off",
  );

  // 2. The tuning run.
  const designResistance = options.designResistance ?? 1.1e3;
  const powers = palindromicPowers(options.maxPower ?? 2e-3, options.levels ?? 7);
  hooks.stage?.("stepping the heater");
  const tune = await runOpticalJob(
    {
      ...common,
      ...virtual(100),
      ...(options.sourceMeter !== undefined && { sourceMeter: options.sourceMeter }),
      plan: {
        kind: "tune",
        options: {
          currents: powers.map((p) => Math.sqrt(p / designResistance)),
          compliance: options.compliance ?? 2,
          resonance: fsr.resonance,
          span: options.span ?? 0.6e-9,
          step: options.step ?? 5e-12,
          power: options.power ?? 1e-3,
          settle: options.settle ?? 10e-3,
        },
      },
      outDir: join(options.outDir, "tuning"),
    },
    hooks,
  );
  if (tune.kind !== "tune") throw new Error("unreachable: the recipe runs the tune plan second");
  const points = tune.summary.points;
  const found = points.filter((p) => Number.isFinite(p.resonance));
  const missing = points.length - found.length;
  if (found.length < 5) {
    throw new Error(
      `heater recipe: the resonance was found at ${found.length} of ${points.length} heater steps; ` +
        "a line with a drift term needs 5 (is the resonance inside each scan's span?)",
    );
  }

  // 3. The tuning line.
  hooks.stage?.("fitting the tuning line");
  const t0 = (found[0] as TuningPoint).time;
  const model = tuningLineModel(
    Float64Array.from(found, (p) => p.heaterPower),
    Float64Array.from(found, (p) => p.time - t0),
    fsr.curvature,
  );
  const slopeGuess = fsr.value / (2 * 25e-3);
  const tuning = fitLeastSquares(
    model,
    { y: Float64Array.from(found, (p) => p.resonance) },
    {
      free: ["resonanceWavelength", "tuningSlope", "driftRate"],
      initial: { resonanceWavelength: fsr.resonance, tuningSlope: slopeGuess, driftRate: 0 },
    },
  );
  const κ = tuning.values.tuningSlope as number;
  const κError = tuning.parameters.find((p) => p.name === "tuningSlope")?.standardError ?? Number.NaN;
  // The heater-off scan took `span` seconds from one neighbour dip to the other while the chip drifted at
  // δ: the FSR as scanned is off by δ·span/2 (about 1 pm, 1e-4 relative, on the demo chip's −2e-4 K/s —
  // seventeen times the dips' own error). Corrected with the tuning run's δ, its error propagated with κ's
  // from the fit's covariance (free parameters in order λ0, κ, δ).
  const δ = tuning.values.driftRate as number;
  const span = Number.isFinite(fsr.span) ? fsr.span : 0;
  const fsrValue = fsr.value - (δ * span) / 2;
  const n = tuning.free.length;
  const covariance = (a: number, b: number) => tuning.covariance[a * n + b] as number;
  const [iκ, iδ] = [tuning.free.indexOf("tuningSlope"), tuning.free.indexOf("driftRate")];
  // P_π = (FSR_scanned − δ·span/2)/(2κ): ∂/∂κ = −P_π/κ, ∂/∂δ = −span/(4κ), ∂/∂FSR_scanned = 1/(2κ).
  const piValue = fsrValue / (2 * κ);
  const [gκ, gδ] = [-piValue / κ, -span / (4 * κ)];
  const piVariance =
    gκ * gκ * covariance(iκ, iκ) +
    2 * gκ * gδ * covariance(iκ, iδ) +
    gδ * gδ * covariance(iδ, iδ) +
    (fsr.error / (2 * κ)) ** 2;
  const piPower = { value: piValue, error: Math.sqrt(piVariance) };
  const fsrError = Math.hypot(fsr.error, (span / 2) * Math.sqrt(covariance(iδ, iδ)));

  // 4. The heater's resistance from the same V and I.
  const resistance = heaterResistance(points);

  const runs = [wide.record.uid, tune.record.uid];
  const identifiability = [
    "The resonance moves with the heater's phase, π P/P_π, so the spectrum gives the slope κ = FSR/(2 P_π); " +
      `P_π comes from κ and the FSR measured with the heater off (${(fsrValue * 1e9).toFixed(4)} nm ± ${(fsrError * 1e12).toFixed(2)} pm, ` +
      "from Lorentzian fits of the dips either side of the resonance, weighted for the laser's wavelength scatter, " +
      `and corrected by ${((-δ * span * 1e12) / 2).toFixed(2)} pm for the drift δ while the scan went from one dip to the other, ${span.toFixed(1)} s).`,
    "Thermal resistance R_th and the thermo-optic coefficient are not separable from P_π: only their product per watt is measured.",
    `The chip's slow drift is fitted as a rate δ against the scans' times; the powers were visited in a palindromic order (${powers.length} steps) so that δ and κ are uncorrelated.`,
    !Number.isFinite(resistance.value)
      ? "The heater's resistance is NOT measured: fewer than 3 steps read a current (it is null in the card)."
      : resistance.perWatt
        ? "The heater's resistance changes with its power (ρ resolved): ρ = α R₀ R_th, whose factors are not separable from electrical data."
        : "No change of the heater's resistance with its power is resolved (|ρ| ≤ 3σ): R₀ is the slope of V against I.",
    ...(missing > 0
      ? [`The resonance was not found at ${missing} of ${points.length} heater steps; they are left out.`]
      : []),
  ];
  const context: CardContext = {
    chipId: options.chipId ?? "demo-chip",
    recipe: HEATER_RECIPE,
    model: {
      name: "thermo-optic tuning line with drift, λ₀ + κP + c₂(κP)² + δt",
      citation: "Padmaraju & Bergman, Nanophotonics 3, 269 (2014), Eq. 1",
    },
    instruments: [tune.laser, tune.meter, tune.source].map(instrumentOf),
    identifiability,
    derived: [
      {
        name: "tuningEfficiency",
        unit: "nm/mW",
        value: κ * 1e6,
        standardError: κError * 1e6,
        note: "the slope κ",
      },
      {
        name: "piPower",
        unit: "W",
        value: piPower.value,
        standardError: piPower.error,
        note: "P_π = FSR/(2κ)",
      },
      {
        name: "freeSpectralRange",
        unit: "m",
        value: fsrValue,
        standardError: fsrError,
        note: `(λ₊₁ − λ₋₁)/2 around ${(fsr.resonance * 1e9).toFixed(3)} nm, heater off, corrected for the drift`,
      },
      {
        name: "tuningCurvature",
        unit: "1/m",
        value: fsr.curvature,
        standardError: null,
        note: `c₂ = (dFSR/dλ)/(2 FSR) from the three heater-off dips, held fixed (1/λ₀ would be ${(1 / fsr.resonance).toExponential(3)})`,
      },
      {
        name: "heaterResistance",
        unit: "Ohm",
        value: resistance.value,
        standardError: resistance.error,
        note: resistance.perWatt
          ? "R₀, at zero power"
          : "slope of V against I (no power dependence resolved)",
      },
      ...(resistance.perWatt
        ? [
            {
              name: "heaterResistancePerWatt",
              unit: "Ohm/W",
              value: resistance.perWatt.value,
              standardError: resistance.perWatt.error,
              note: "ρ = α R₀ R_th",
            },
          ]
        : []),
    ],
    runs,
    points: found.length,
  };
  const card = cardOf(tuning, context);
  const cardFile = join(options.outDir, "card.json");
  writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  const plotFile = join(options.outDir, "heater-fit.svg");
  writeFileSync(plotFile, tuningPlot(found, model, tuning, t0, fsr.curvature));
  return {
    card,
    cardFile,
    plotFile,
    tuning,
    fsr: { value: fsrValue, error: fsrError },
    piPower,
    resistance,
    points,
    runs,
  };
}

/** The tuning line's parameters (see {@link tuningLineModel}). */
export const tuningLineParameters: readonly ParameterSpec[] = [
  {
    name: "resonanceWavelength",
    unit: "m",
    default: 1.55e-6,
    min: 1e-6,
    max: 2e-6,
    meaning: "resonance wavelength with the heater off, at the first scan's time",
  },
  {
    name: "tuningSlope",
    unit: "m/W",
    default: 1.6e-7,
    min: -1e-4,
    max: 1e-4,
    meaning: "the resonance's shift per watt of heater power, κ",
  },
  {
    name: "driftRate",
    unit: "m/s",
    default: 0,
    min: -1e-6,
    max: 1e-6,
    meaning: "the resonance's drift per second (the chip's temperature drift), δ",
  },
];

/**
 * The tuning line at each point's power and time, λ₀ + κP + c₂(κP)² + δt,
 * with c₂ measured (see the module doc; 1/λ₀ for a constant group index).
 */
export function tuningLineModel(power: Float64Array, time: Float64Array, curvature: number): FitModel {
  return {
    name: "heater tuning line",
    parameters: tuningLineParameters,
    evaluate(p, prediction, jacobian) {
      const [λ0, κ, δ] = [p[0] as number, p[1] as number, p[2] as number];
      for (let i = 0; i < power.length; i++) {
        const P = power[i] as number;
        const t = time[i] as number;
        const shift = κ * P;
        prediction[i] = λ0 + shift + curvature * shift * shift + δ * t;
        if (!jacobian) continue;
        jacobian[3 * i] = 1;
        jacobian[3 * i + 1] = P + 2 * curvature * shift * P;
        jacobian[3 * i + 2] = t;
      }
    },
  };
}

/**
 * Step 1 of recipes 2 and 4: a stepped spectrum of `span` around the
 * resonance near `resonance`, its run kept, and the FSR from it
 * ({@link freeSpectralRange}); `what` says what is held off while it runs.
 */
export async function measureFsr(
  options: Omit<OpticalJobOptions, "plan"> & {
    readonly resonance: number;
    readonly span: number;
    readonly step: number;
    readonly power: number;
    readonly repeatability: number;
  },
  hooks: OpticalJobHooks,
  what: string,
  who = "heater recipe",
): Promise<{ run: OpticalJobResult & { kind: "spectrum" }; fsr: ReturnType<typeof freeSpectralRange> }> {
  const { resonance, span, step, power, repeatability, ...job } = options;
  hooks.stage?.(`measuring the free spectral range (${what})`);
  const run = await runOpticalJob(
    {
      ...job,
      plan: {
        kind: "spectrum",
        mode: "stepped",
        options: {
          start: resonance - span / 2,
          stop: resonance + span / 2,
          step,
          power,
          correctionTolerance: 0,
        },
      },
    },
    hooks,
  );
  if (run.kind !== "spectrum") throw new Error("unreachable: the FSR is a spectrum");
  return { run, fsr: freeSpectralRange(run.summary.spectrum, resonance, repeatability, who) };
}

/**
 * The FSR at the dip nearest `guess`: half the distance between its two
 * neighbours, each refined by {@link refineDip}, as the scan saw them (a
 * drift of the chip while the scan went from one to the other is in it:
 * `span` is that time, for the caller to correct with a drift it knows);
 * and the tuning line's second-order coefficient c₂ from how the FSR
 * changes across the three (a steady drift cancels in it).
 */
export function freeSpectralRange(
  spectrum: {
    readonly wavelength: Float64Array;
    readonly transmission: Float64Array;
    readonly time?: Float64Array;
  },
  guess: number,
  repeatability: number,
  who = "heater recipe",
): {
  readonly value: number;
  readonly error: number;
  readonly resonance: number;
  readonly curvature: number;
  /** When the scan passed the upper neighbour less when it passed the lower, s (NaN without the scan's times). */
  readonly span: number;
} {
  const dips = findDips(spectrum, { minProminenceDb: 3 }).sort((a, b) => a.wavelength - b.wavelength);
  let nearest = -1;
  for (let k = 0; k < dips.length; k++) {
    const distance = (j: number) => Math.abs((dips[j] as Dip).wavelength - guess);
    if (nearest < 0 || distance(k) < distance(nearest)) nearest = k;
  }
  if (nearest < 1 || nearest > dips.length - 2) {
    const λ = spectrum.wavelength;
    throw new Error(
      `${who}: the heater-off spectrum (${((λ[0] as number) * 1e9).toFixed(3)}–` +
        `${((λ[λ.length - 1] as number) * 1e9).toFixed(3)} nm) shows ${dips.length} dips; ` +
        `the FSR needs one either side of the resonance near ${(guess * 1e9).toFixed(3)} nm (widen fsrSpan)`,
    );
  }
  const below = refineDip(spectrum, dips[nearest - 1] as Dip, repeatability, who);
  const middle = refineDip(spectrum, dips[nearest] as Dip, repeatability, who);
  const above = refineDip(spectrum, dips[nearest + 1] as Dip, repeatability, who);
  const value = (above.centre - below.centre) / 2;
  const timeAt = (λ: number): number => {
    const { wavelength, time } = spectrum;
    if (!time) return Number.NaN;
    let k = 1;
    while (k < wavelength.length - 1 && (wavelength[k] as number) < λ) k++;
    const [λa, λb] = [wavelength[k - 1] as number, wavelength[k] as number];
    const [ta, tb] = [time[k - 1] as number, time[k] as number];
    return ta + ((tb - ta) * (λ - λa)) / (λb - λa);
  };
  return {
    value,
    span: timeAt(above.centre) - timeAt(below.centre),
    error: Math.hypot(above.error, below.error) / 2,
    resonance: middle.centre,
    // c₂ = (dFSR/dλ)/(2 FSR), dFSR/dλ ≈ (FSR₊ − FSR₋)/FSR: the second-order coefficient of the tuning line.
    curvature: (above.centre - 2 * middle.centre + below.centre) / (2 * value * value),
  };
}

/** Another line shape for {@link refineDip}: its model, its shape parameters and their start, and the window (m either side). */
export interface DipShape {
  readonly model: (wavelengths: Float64Array) => FitModel;
  readonly free: readonly string[];
  readonly initial: (dip: Dip) => Readonly<Record<string, number>>;
  readonly window?: number;
}

/**
 * A dip's centre and its standard error, from a Lorentzian fit
 * (src/fit/models/lorentzian-dip.ts) of the points within four widths of
 * it (or another line shape over its own window, `shape`; `who` names the
 * recipe in its errors), weighted as recipe 1 weighs the ring: σ² = σ_T² + (∂T/∂λ)²σ_λ²
 * (Orear, Am. J. Phys. 50, 912 (1982)), with σ_λ the laser's
 * repeatability/√3 (uniform) and σ_T from the flatter half's scatter; the
 * level from the scatter (errors scaled by the reduced χ²).
 */
export function refineDip(
  spectrum: { readonly wavelength: Float64Array; readonly transmission: Float64Array },
  dip: Dip,
  repeatability: number,
  who = "heater recipe",
  shape?: DipShape,
): { readonly centre: number; readonly error: number } {
  const halfWidth = (dip.fwhm ?? 100e-12) / 2;
  const window = shape?.window ?? 8 * halfWidth;
  const inside: number[] = [];
  for (let i = 0; i < spectrum.wavelength.length; i++) {
    if (Math.abs((spectrum.wavelength[i] as number) - dip.wavelength) <= window) inside.push(i);
  }
  const λ = Float64Array.from(inside, (i) => spectrum.wavelength[i] as number);
  const y = Float64Array.from(inside, (i) => spectrum.transmission[i] as number);
  const model = shape?.model(λ) ?? lorentzianDipFitModel(λ);
  const free = ["centre", ...(shape?.free ?? ["halfWidth", "depth"]), "baseline", "baselineSlope"];
  const initial = {
    centre: dip.wavelength,
    ...(shape?.initial(dip) ?? { halfWidth, depth: Math.min(0.999, Math.max(0.001, dip.depth)) }),
    baseline: dip.baseline,
    baselineSlope: 0,
  };
  const first = fitLeastSquares(model, { y }, { free, initial });
  const vector = Float64Array.from(model.parameters, (s) => first.values[s.name] as number);
  const columns = model.parameters.length;
  const jacobian = new Float64Array(λ.length * columns);
  model.evaluate(vector, new Float64Array(λ.length), jacobian);
  // ∂T/∂λ = −∂T/∂λc.
  const at = model.parameters.findIndex((p) => p.name === "centre");
  const slope = Float64Array.from(λ, (_, i) => -(jacobian[columns * i + at] as number));
  const order = [...slope.keys()].sort((i, j) => Math.abs(slope[i] as number) - Math.abs(slope[j] as number));
  const flat = order
    .slice(0, Math.max(1, order.length >> 1))
    .map((i) => Math.abs(first.residuals[i] as number))
    .sort((a, b) => a - b);
  const σT = Math.max(1.4826 * (flat[flat.length >> 1] as number), 1e-12 * dip.baseline);
  const σλ = repeatability / Math.sqrt(3);
  const sigma = Float64Array.from(slope, (s) => Math.hypot(σT, s * σλ));
  const fit = fitLeastSquares(model, { y, sigma }, { free, initial: first.values, absoluteSigma: false });
  const centre = fit.parameters.find((p) => p.name === "centre");
  if (!fit.usable || centre?.standardError === undefined || !Number.isFinite(centre.standardError)) {
    throw new Error(
      `${who}: the dip near ${(dip.wavelength * 1e9).toFixed(3)} nm could not be fitted ` +
        `(${fit.reason}${fit.diagnostics.length > 0 ? `: ${fit.diagnostics.map((d) => d.message).join("; ")}` : ""})`,
    );
  }
  return { centre: centre.value, error: centre.standardError };
}

/**
 * R = V/I at each step with current (the first, at zero, has none), fitted
 * as R₀ + ρP; ρ is kept when |ρ| > 3σ, else R₀ is refitted alone.
 */
function heaterResistance(points: readonly TuningPoint[]): HeaterRecipeResult["resistance"] {
  const used = points.filter((p) => Math.abs(p.measuredCurrent) > 1e-6 && Number.isFinite(p.voltage));
  if (used.length < 3) {
    return { value: Number.NaN, error: Number.NaN };
  }
  // V = I (R₀ + ρP) against the current read: each V weighs the same (the voltmeter's noise does not
  // grow as the current falls, while V/I's does: a plain mean of V/I weighs the low steps too much and
  // its error, scaled from their scatter, came out 18 % too small over 50 chips).
  const power = Float64Array.from(used, (p) => p.heaterPower);
  const current = Float64Array.from(used, (p) => p.measuredCurrent);
  const voltage = Float64Array.from(used, (p) => p.voltage);
  let [vi, ii] = [0, 0];
  for (let k = 0; k < used.length; k++) {
    vi += (voltage[k] as number) * (current[k] as number);
    ii += (current[k] as number) ** 2;
  }
  const mean = vi / ii;
  const model: FitModel = {
    name: "heater voltage against current and power",
    parameters: [
      { name: "r0", unit: "Ohm", default: mean, min: 0, max: 1e9, meaning: "resistance at zero power" },
      { name: "perWatt", unit: "Ohm/W", default: 0, min: -1e9, max: 1e9, meaning: "change per watt" },
    ],
    evaluate(p, prediction, jacobian) {
      for (let i = 0; i < power.length; i++) {
        const I = current[i] as number;
        prediction[i] = I * ((p[0] as number) + (p[1] as number) * (power[i] as number));
        if (jacobian) {
          jacobian[2 * i] = I;
          jacobian[2 * i + 1] = I * (power[i] as number);
        }
      }
    },
  };
  const sloped = fitLeastSquares(model, { y: voltage }, { free: ["r0", "perWatt"], initial: { r0: mean } });
  const errorOf = (fit: FitResult, name: string) =>
    fit.parameters.find((p) => p.name === name)?.standardError ?? Number.NaN;
  const ρ = sloped.values.perWatt as number;
  if (Math.abs(ρ) > 3 * errorOf(sloped, "perWatt")) {
    return {
      value: sloped.values.r0 as number,
      error: errorOf(sloped, "r0"),
      perWatt: { value: ρ, error: errorOf(sloped, "perWatt") },
    };
  }
  // R₀ = ΣVI/ΣI², its error by the jackknife (Efron & Stein, Ann. Stat. 9, 586 (1981)): the steps' noise
  // differs with the range each current is read on (2e-5 of a 10 mA range is 1.5e-4 of 1.3 mA), which an
  // error scaled from the scatter of all of them as one misses (its pulls over 50 chips spread 1.34).
  const n = used.length;
  const leftOut = Array.from({ length: n }, (_, k) => {
    const [v, i] = [voltage[k] as number, current[k] as number];
    return (vi - v * i) / (ii - i * i);
  });
  const centre = leftOut.reduce((sum, x) => sum + x, 0) / n;
  const jackknife = Math.sqrt(((n - 1) / n) * leftOut.reduce((sum, x) => sum + (x - centre) ** 2, 0));
  return { value: mean, error: jackknife };
}

/** Resonance shift against heater power (markers), the fitted line at the first scan's time, and the residuals. */
function tuningPlot(
  found: readonly TuningPoint[],
  model: FitModel,
  fit: FitResult,
  t0: number,
  curvature: number,
): string {
  const mw = Float64Array.from(found, (p) => p.heaterPower * 1e3);
  const λ0 = fit.values.resonanceWavelength as number;
  const δ = fit.values.driftRate as number;
  const c2 = curvature;
  // Each point with the fitted drift taken out, so it sits on the line.
  const shift = Float64Array.from(found, (p) => (p.resonance - δ * (p.time - t0) - λ0) * 1e12);
  const predicted = new Float64Array(found.length);
  model.evaluate(
    Float64Array.from(model.parameters, (s) => fit.values[s.name] as number),
    predicted,
  );
  const residuals = Float64Array.from(found, (p, i) => (p.resonance - (predicted[i] as number)) * 1e12);
  const order = [...mw.keys()].sort((i, j) => (mw[i] as number) - (mw[j] as number));
  const lineX = Float64Array.from(order, (i) => mw[i] as number);
  const κ = fit.values.tuningSlope as number;
  const lineY = Float64Array.from(lineX, (p) => {
    const s = κ * p * 1e-3;
    return (s + c2 * s * s) * 1e12;
  });
  const largest = residuals.reduce((m, r) => Math.max(m, Math.abs(r)), 0);
  const span = lineY.reduce((m, y) => Math.max(m, Math.abs(y)), 0);
  const gain = largest > 0 ? 10 ** Math.floor(Math.log10((0.1 * span) / largest)) : 1;
  return svgPlot({
    title: "Heater: resonance shift against heater power (drift removed), fit, residuals",
    xLabel: "heater power (mW)",
    yLabel: "resonance shift (pm)",
    series: [
      { name: "measured", x: mw, y: shift, color: "#1f4e9c", markers: true, markerRadius: 3 },
      { name: "fit", x: lineX, y: lineY, color: "#c0392b" },
      {
        name: `residual × ${gain.toExponential(0)} − ${(0.1 * span).toFixed(0)} pm`,
        x: mw,
        y: Float64Array.from(residuals, (r) => gain * r - 0.1 * span),
        color: "#555555",
        markers: true,
        markerRadius: 2,
      },
    ],
  });
}
