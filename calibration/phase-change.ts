/**
 * Recipe 4 (issue 18): the phase-change patch on the ring, from the ring's
 * resonance after each heater pulse, measured through the optical job
 * (src/plans/optical-job.ts: a spectrum, then the pcm-scan plan) on a
 * bench file or the embedded virtual bench, each run kept in the run store.
 *
 * 1. **Free spectral range**, patch amorphous, heater off: as recipe 2
 *    (calibration/heater.ts `freeSpectralRange`), from a spectrum over two
 *    FSRs. It turns the shift into the patch's index change.
 * 2. **Pulses**, each followed by a scan of the resonance. The schedule
 *    adapts to a patch whose speed is not known within decades (the rate
 *    is Arrhenius in a temperature the recipe does not know): the amplitude
 *    steps up from below the threshold until a pulse moves the resonance;
 *    pulses at that amplitude A₁ take the patch a third of the way, pulses
 *    at A₁ − 0.05 V to two thirds, then pulses at A₁ + 0.1 V (or the
 *    bench's most) finish it; at each level the widths alternate between
 *    two; a pulse that moves
 *    nothing doubles the next one's width, one that moves a lot halves it;
 *    it stops when three pulses in a row at the upper level move nothing
 *    after the resonance has moved most of the expected way. Three levels
 *    are what separate the rate from its temperature dependence.
 * 3. **Fit** (src/fit/models/jmak-pulses.ts): every scan's resonance (the
 *    ring's Airy line shape, src/fit/models/airy-dip.ts, weighted as
 *    recipe 2 weighs a dip, with the line shape's own accuracy added)
 *    against the pulses
 *    before it, with JMAK kinetics under the additivity rule and an
 *    Arrhenius rate above T_x: the shift S from amorphous to crystalline,
 *    the rate k at A₁, the patch's temperature rise per V² α, the Avrami
 *    exponent n, λ₀ and the drift δ. E_a, T_x and the ambient are taken
 *    from the literature (GST: 2.34 eV, 423 K) and the bench (300 K); the
 *    shift's form g(X) from GST's optical constants (Lorentz–Lorenz mix).
 *    The centres' errors are absolute (each dip's from its own scatter),
 *    not scaled by the fit's reduced χ².
 * 4. **Derived**: the optical contrast as the patch's phase, Δφ = 2π S/FSR,
 *    and the confinement factor Γ = S λ₀/(FSR L_p Re(n_c − n_a)) for the
 *    patch's length and GST's indices; the Arrhenius prefactor
 *    ν = k exp(E_a/(k_B T(A₁))) for the chip model; the transmission change
 *    at the amorphous resonance.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KNOWN_BENCH_DRIVERS } from "../src/bench/drivers.js";
import { loadBenchFile } from "../src/bench/file.js";
import {
  DEFAULT_SAFETY_LIMITS,
  resolveSafetyLimits,
  type SafetyLimits,
} from "../src/drivers/instruments/safety.js";
import { type CardContext, cardOf, type ModelCard } from "../src/fit/card.js";
import { type FitResult, fitLeastSquares } from "../src/fit/levenberg-marquardt.js";
import { airyDipFitModel } from "../src/fit/models/airy-dip.js";
import {
  JMAK_PULSE_FREE,
  jmakPulseFitModel,
  jmakPulseParameters,
  type PulseShape,
  pulseStaircase,
} from "../src/fit/models/jmak-pulses.js";
import { SILICON_THERMO_OPTIC } from "../src/models/chip/parameters.js";
import { type GstOpticalParams, gstIndex, gstIndexWithGradient } from "../src/models/phase-change/optics.js";
import { patchDefaults } from "../src/models/phase-change/patch.js";
import { DEFAULT_HEATER_SOURCE, type OpticalJobHooks, runOpticalJob } from "../src/plans/optical-job.js";
import type { ProgrammedPulse, ScannedReadout } from "../src/plans/pcm-programming.js";
import { recordingOptionsOf } from "../src/plans/records.js";
import { findDips } from "../src/plans/spectrum-analysis.js";
import { svgPlot } from "../src/plans/svg-plot.js";
import {
  instrumentOf,
  type OpticalRecipeOptions,
  opticalJobOptionsOf,
  propagate,
  virtualRunOf,
} from "./common.js";
import { DEMO_HEATER_RESONANCE, type DipShape, measureFsr, refineDip } from "./heater.js";

export const PCM_RECIPE = { name: "pcm", version: "0.1.0" } as const;

/**
 * How closely the Airy centre follows the resonance's phase, m: on the
 * noise-free demo chip, windows centred or 0.4 nm off, the centres depart
 * from S·g(X) by 0.09 pm rms and 0.17 pm at most
 * (test/calibration/phase-change.test.ts checks every one within
 * 1.2 × this). Added in quadrature to each centre's error; the departures
 * are smooth in X, not independent, which is why it sits above the rms.
 */
export const LINE_SHAPE_ACCURACY = 0.15e-12;

/**
 * How closely the Airy centres' shift from amorphous to crystalline follows
 * the resonance's phase, relative: 0.05 % (0.6 pm of 1.2 nm) on the
 * noise-free demo chip (test/calibration/phase-change.test.ts); a scale
 * error common to every point, added to S's error where it is used.
 */
export const SHIFT_SCALE_ACCURACY = 5e-4;

const ELECTRONVOLT = 1.602176634e-19;
const BOLTZMANN = 1.380649e-23;

/** Recipe 4's options (the virtual FSR run takes `seed`, the pulses `seed + 100`). */
export interface PcmRecipeOptions extends OpticalRecipeOptions {
  /** The bench's source-meter on the heater under the patch (default: the optical job's, "smu2"). */
  readonly sourceMeter?: string;
  /** Where the resonance is before any pulse, roughly, m (default: the demo chip's, 1553.94 nm). */
  readonly resonance?: number;
  /** Span and step of the FSR spectrum, m (default 22 nm in 10 pm). */
  readonly fsrSpan?: number;
  readonly fsrStep?: number;
  /** First pulse amplitude, V (default 1.5 V: below the demo patch's threshold), and the search's step (0.05 V). */
  readonly firstAmplitude?: number;
  readonly searchStep?: number;
  /** Highest amplitude, V (default 2 V, or the source's maxAbsVoltage if lower; refused above it). */
  readonly maxAmplitude?: number;
  /** The upper level above the first that moved the resonance, V (default 0.1 V; the lower level is half of it below). */
  readonly levelStep?: number;
  /** First pulse width, the shortest and the longest, s (defaults 0.2 s, 50 ms and 5 s). */
  readonly firstWidth?: number;
  readonly minWidth?: number;
  readonly maxWidth?: number;
  /** Most pulses (default 40). */
  readonly maxPulses?: number;
  /** The shift expected from amorphous to crystalline, m (default 1.2 nm, the demo design's), for the schedule. */
  readonly expectedShift?: number;
  /** A resonance move below this counts as none, m (default 5 pm). */
  readonly moved?: number;
  /** The source's ramp step, V (default: the bench's `maxVoltageStep` for the source, 0.1 V unless the file says otherwise): the pulses' staircase. */
  readonly rampStep?: number;
  /** Current compliance of the pulses, A (default 10 mA). */
  readonly compliance?: number;
  /** Rest after each pulse before its scan, s (default 20 ms). */
  readonly interval?: number;
  /** Laser power, W (default 1 mW). */
  readonly power?: number;
  /** The laser's wavelength repeatability, m (default 1 pm). */
  readonly wavelengthRepeatability?: number;
  /** Added in quadrature to each resonance's error, m (default {@link LINE_SHAPE_ACCURACY}, 0.15 pm). */
  readonly lineShapeAccuracy?: number;
  /** Held fixed in the fit: E_a, J (default 2.34 eV), T_x, K (423), the patch's ambient, K (300). */
  readonly activationEnergy?: number;
  readonly crystallisationTemperature?: number;
  readonly ambientTemperature?: number;
  /**
   * The resonance's temperature coefficient dλ/dT, m/K, which turns its drift into the patch's (default:
   * FSR·L·(dn/dT)/λ for silicon's 1.8e-4 /K and the ring's length), and that length, m (default 2π·10 µm).
   */
  readonly temperatureCoefficient?: number;
  readonly ringLength?: number;
  /** The patch's length, m (default 2 µm, the demo design's), and GST's optical constants (default: the model's). */
  readonly patchLength?: number;
  readonly gst?: GstOpticalParams;
}

export interface PcmRecipeResult {
  readonly card: ModelCard;
  readonly cardFile: string;
  readonly plotFile: string;
  readonly fit: FitResult;
  /** k at the reference amplitude (1/s), α (K/V²), n, S (m), Γ, ν (1/s): value and standard error. */
  readonly rate: { readonly value: number; readonly error: number; readonly amplitude: number };
  readonly heating: { readonly value: number; readonly error: number };
  readonly avramiExponent: { readonly value: number; readonly error: number };
  readonly fullShift: { readonly value: number; readonly error: number };
  readonly confinementFactor: { readonly value: number; readonly error: number };
  readonly prefactor: { readonly value: number; readonly error: number };
  readonly fsr: { readonly value: number; readonly error: number };
  readonly readouts: readonly ScannedReadout[];
  /** The resonance of each scan the fit used: its Airy centre and standard error, m. */
  readonly resonances: readonly {
    readonly pulse: number;
    readonly time: number;
    readonly centre: number;
    readonly error: number;
  }[];
  /** The amplitudes the schedule settled on: the first that moved the resonance, the lower, the upper. */
  readonly levels: readonly number[];
  readonly runs: readonly string[];
}

/** GST's shift share g(X) = Re(n(X) − n_a)/Re(n_c − n_a), and dg/dX. */
export function shiftShareOf(gst: GstOpticalParams): (fraction: number) => { value: number; slope: number } {
  const na = gstIndex(gst, 0).re;
  const contrast = gstIndex(gst, 1).re - na;
  return (fraction) => {
    const x = Math.min(1, Math.max(0, fraction));
    const g = gstIndexWithGradient(gst, x);
    return { value: (g.value.re - na) / contrast, slope: g.dFraction.re / contrast };
  };
}

/** Runs recipe 4 (see the module doc). */
export async function calibratePcm(
  options: PcmRecipeOptions,
  hooks: OpticalJobHooks = {},
): Promise<PcmRecipeResult> {
  const resonanceGuess = options.resonance ?? DEMO_HEATER_RESONANCE;
  const repeatability = options.wavelengthRepeatability ?? 1e-12;
  const power = options.power ?? 1e-3;
  const common = { ...recordingOptionsOf(options), path: "ring" as const, ...opticalJobOptionsOf(options) };
  const virtual = (offset: number) => virtualRunOf(options, offset);

  // The pulses stay within the source's limits: checked before anything runs (a refusal halfway would have
  // used up part of the patch), and the staircase the fit models is the one those limits make the driver ramp.
  const limits = await sourceLimitsOf(options);
  const maxAmplitude = options.maxAmplitude ?? Math.min(2, limits.maxAbsVoltage);
  if (!(maxAmplitude <= limits.maxAbsVoltage)) {
    throw new RangeError(
      `phase-change recipe: the highest pulse, ${maxAmplitude} V, is above the limit on the heater's source ` +
        `(maxAbsVoltage ${limits.maxAbsVoltage} V${options.bench ? ` in ${options.bench}` : ""}); lower it or raise the limit`,
    );
  }

  // 1. The FSR, patch amorphous.
  const { run: wide, fsr } = await measureFsr(
    {
      ...common,
      ...virtual(0),
      resonance: resonanceGuess,
      span: options.fsrSpan ?? 22e-9,
      step: options.fsrStep ?? 10e-12,
      power,
      repeatability,
      outDir: join(options.outDir, "fsr"),
    },
    hooks,
    "patch amorphous, heater off",
    "phase-change recipe",
  );

  // 2. The pulses and their scans.
  const schedule = new PulseSchedule({
    first: options.firstAmplitude ?? 1.5,
    searchStep: options.searchStep ?? 0.05,
    max: maxAmplitude,
    levelStep: options.levelStep ?? 0.1,
    firstWidth: options.firstWidth ?? 0.2,
    minWidth: options.minWidth ?? 0.05,
    maxWidth: options.maxWidth ?? 5,
    expectedShift: options.expectedShift ?? 1.2e-9,
    moved: options.moved ?? 5e-12,
  });
  const maxPulses = options.maxPulses ?? 40;
  hooks.stage?.("pulsing the heater under the patch");
  const run = await runOpticalJob(
    {
      ...common,
      ...virtual(100),
      ...(options.sourceMeter !== undefined && { sourceMeter: options.sourceMeter }),
      plan: {
        kind: "pcm-scan",
        options: {
          mode: "voltage",
          compliance: options.compliance ?? 10e-3,
          interval: options.interval ?? 20e-3,
          power,
          resonance: fsr.resonance,
          scan: { span: 1.2e-9, step: 10e-12 },
          pulses: (readouts) => schedule.next(readouts),
          maxPulses,
        },
      },
      outDir: join(options.outDir, "pulses"),
    },
    hooks,
  );
  if (run.kind !== "pcm-scan") throw new Error("unreachable: the recipe runs the pcm-scan plan second");
  const readouts = run.summary.readouts;

  // 3. Each scan's resonance, refined; the pulses as the patch saw them.
  hooks.stage?.("fitting the kinetics");
  const rampStep = options.rampStep ?? limits.maxVoltageStep;
  const pulses: PulseShape[] = readouts
    .slice(1)
    .map((r) => pulseStaircase(r.pulseStart, r.amplitude, r.width, rampStep, r.rampUp, r.rampDown));
  // Each dip with the ring's own line shape over the whole scan: a crystallising patch's loss widens it to a
  // tenth of the FSR, where a Lorentzian's tails are wrong and pull its centre (10 pm on the demo chip).
  const airy: DipShape = {
    model: (λ) => airyDipFitModel(λ, fsr.value, fsr.resonance),
    free: ["roundTripLoss", "depth", "baselineCurvature"],
    initial: (dip) => {
      // FWHM → ℓ: at half depth 4(1 − ℓ) sin²(πδ/FSR) = ℓ², so ℓ/(2√(1 − ℓ)) = sin(π FWHM/(2 FSR)).
      const v = Math.sin((Math.PI * (dip.fwhm ?? 100e-12)) / (2 * fsr.value));
      return {
        roundTripLoss: 1 - (Math.sqrt(v * v + 1) - v) ** 2,
        depth: Math.min(0.999, Math.max(1e-3, dip.depth)),
      };
    },
    window: Number.POSITIVE_INFINITY,
  };
  const centres: { readonly readout: ScannedReadout; readonly centre: number; readonly error: number }[] = [];
  for (const readout of readouts) {
    const dips = findDips(readout.spectrum, { minProminenceDb: 0.5 });
    const deepest = [...dips].sort((a, b) => a.minTransmission - b.minTransmission)[0];
    if (!deepest) continue;
    try {
      const refined = refineDip(readout.spectrum, deepest, repeatability, "phase-change recipe", airy);
      centres.push({ readout, ...refined });
    } catch {
      // A scan whose dip does not fit is left out; its pulse still counts in every later readout's Θ.
    }
  }
  const first = centres[0];
  if (first?.readout.pulse !== 0 || centres.length < 8) {
    throw new Error(
      `phase-change recipe: the resonance was found in ${centres.length} of ${readouts.length} scans` +
        `${first && first.readout.pulse !== 0 ? ", not in the one before the first pulse" : ""}; ` +
        "the fit needs the amorphous resonance and 7 scans after pulses (is the resonance inside the scans?)",
    );
  }
  const moved = Math.max(...centres.map((c) => c.centre)) - first.centre;
  if (!(moved > 10 * (options.moved ?? 5e-12))) {
    throw new Error(
      `phase-change recipe: ${readouts.length - 1} pulses up to ${Math.max(...readouts.map((r) => r.amplitude))} V ` +
        `moved the resonance by ${(moved * 1e12).toFixed(1)} pm: the patch did not crystallise, and there are no ` +
        "kinetics to fit (a higher --max, longer --max-width, or is the source on the heater under the patch?)",
    );
  }
  const levels = schedule.levels();
  const reference = levels[0] ?? options.maxAmplitude ?? 2;
  const gst = options.gst ?? patchDefaults;
  const shiftShare = shiftShareOf(gst);
  const model = jmakPulseFitModel({
    times: Float64Array.from(centres, (c) => c.readout.time),
    pulsesBefore: centres.map((c) => c.readout.pulse),
    pulses,
    referenceAmplitude: reference,
    shiftShare,
  });
  const E = options.activationEnergy ?? 2.34 * ELECTRONVOLT;
  const Tx = options.crystallisationTemperature ?? 423;
  const Ta = options.ambientTemperature ?? 300;
  const last = centres[centres.length - 1] as (typeof centres)[number];
  const shift0 = Math.max(last.centre - first.centre, 0.2 * (options.expectedShift ?? 1.2e-9));
  // α's branch: the rates' ratio between two levels, (E_a/k_B)(1/T(A₁) − 1/T(A₂)), rises with α up to
  // α* = T_a/(A₁A₂) and falls beyond, so each ratio has two solutions; the other one puts the patch past
  // 2T_a (near melting). Below: T(A_max) must pass T_x, since the patch moved.
  const highest = Math.max(...readouts.slice(1).map((r) => Math.abs(r.amplitude)));
  // Every pair of levels has its turning point T_a/(A_i A_j); the highest amplitude's square bounds them all.
  const heatingBounds: readonly [number, number] = [
    (Tx - Ta) / (highest * highest),
    Ta / (highest * highest),
  ];
  // The first level moved the patch: assume it 15 K above T_x, and the time held there to X ≈ 0.4 (Θ ≈ 0.8).
  const heating0 = Math.min(
    Math.max((Tx + 15 - Ta) / (reference * reference), heatingBounds[0] * 1.01),
    heatingBounds[1] * 0.99,
  );
  const heldAtFirst = readouts.filter((r) => r.amplitude === reference).reduce((sum, r) => sum + r.width, 0);
  const rate0 = 0.8 / Math.max(heldAtFirst, 1e-3);
  const free = JMAK_PULSE_FREE;
  // The patch drifts with the chip's ambient, which the resonance's drift δ shows through dλ/dT = FSR L (dn/dT)/λ
  // (the ring's thermo-optic phase, 2π L (dn/dT) ΔT/λ, moving the resonance by FSR per 2π).
  const coefficient =
    options.temperatureCoefficient ??
    (fsr.value * (options.ringLength ?? 2 * Math.PI * 10e-6) * SILICON_THERMO_OPTIC) / fsr.resonance;
  const fixed = {
    activationEnergy: E,
    crystallisationTemperature: Tx,
    ambientTemperature: Ta,
    driftCoupling: 1 / coefficient,
  };
  // Two stages from each of three heatings across the branch: first the rate, n and the optics with α
  // and t_e held (the rate's scale is set by the first level whatever α is), then everything.
  // Each centre's error with the line shape's own accuracy added (LINE_SHAPE_ACCURACY), while the scatter
  // alone puts a narrow dip's centre within 0.06 pm.
  const accuracy = options.lineShapeAccuracy ?? LINE_SHAPE_ACCURACY;
  const data = {
    y: Float64Array.from(centres, (c) => c.centre),
    sigma: Float64Array.from(centres, (c) => Math.hypot(c.error, accuracy)),
  };
  const [low, high] = heatingBounds;
  const starts = [heating0, Math.sqrt(low * high), low + 0.8 * (high - low)];
  const fit = bestOf(
    starts.map((heating) => {
      const held = fitLeastSquares(model, data, {
        free: ["resonanceWavelength", "fullShift", "driftRate", "rate", "avramiExponent"],
        logScale: ["rate"],
        absoluteSigma: false,
        initial: {
          resonanceWavelength: first.centre,
          fullShift: shift0,
          driftRate: 0,
          rate: rate0,
          heating,
          avramiExponent: 3,
          edgeTime: 1e-3,
          ...fixed,
        },
      });
      return fitLeastSquares(model, data, {
        free,
        logScale: ["rate"],
        absoluteSigma: true,
        // The rate and the edge time correlate at about −0.99 by construction (t_e is a 1 % correction to
        // the widths, separated only by their alternation); the covariance carries it into the rate's error.
        correlationLimit: 0.999,
        bounds: { heating: heatingBounds },
        initial: held.values,
      });
    }),
  );
  const fitted = (name: string) => {
    const p = fit.parameters.find((q) => q.name === name);
    return { value: p?.value ?? Number.NaN, error: p?.standardError ?? Number.NaN };
  };

  // 4. Derived quantities.
  const Lp = options.patchLength ?? 2e-6;
  const indexContrast = gstIndex(gst, 1).re - gstIndex(gst, 0).re;
  const [Γ, ΓError] = propagate(
    fit,
    (v) => ((v.fullShift as number) * (v.resonanceWavelength as number)) / (fsr.value * Lp * indexContrast),
  );
  const ΓTotalError = Math.hypot(ΓError, (Γ * fsr.error) / fsr.value, Γ * SHIFT_SCALE_ACCURACY);
  const [ν, νError] = propagate(fit, (v) => {
    const T = Ta + (v.heating as number) * reference * reference;
    return (v.rate as number) * Math.exp(E / (BOLTZMANN * T));
  });
  const [phase, phaseError] = propagate(fit, (v) => (2 * Math.PI * (v.fullShift as number)) / fsr.value);
  const [Tref, TrefError] = propagate(fit, (v) => Ta + (v.heating as number) * reference * reference);
  // The transmission at λ, interpolated; NaN outside the scan.
  const transmissionAt = (r: ScannedReadout, λ: number) => {
    const { wavelength, transmission } = r.spectrum;
    if (!(λ >= (wavelength[0] as number) && λ <= (wavelength[wavelength.length - 1] as number)))
      return Number.NaN;
    let k = 1;
    while (k < wavelength.length - 1 && (wavelength[k] as number) < λ) k++;
    const [λa, λb] = [wavelength[k - 1] as number, wavelength[k] as number];
    const [ta, tb] = [transmission[k - 1] as number, transmission[k] as number];
    return ta + ((tb - ta) * (λ - λa)) / (λb - λa);
  };
  const contrastDb =
    10 * Math.log10(transmissionAt(last.readout, first.centre) / transmissionAt(first.readout, first.centre));

  const runs = [wide.record.uid, run.record.uid];
  const pulsesGiven = readouts.length - 1;
  const identifiability = [
    "The resonance moves with the patch's real index only (a ring's resonance sits where the round-trip phase is 2πm, " +
      "whatever its loss), so the scans give the shift S from amorphous to crystalline and, through GST's Lorentz–Lorenz " +
      "mix g(X), the crystalline fraction after each pulse; the loss the crystalline patch adds widens the dip and is not fitted.",
    `Γ = S λ₀/(FSR L_p Re(n_c − n_a)) assumes the patch's length (${(Lp * 1e6).toFixed(2)} µm) and GST's indices ` +
      `(n_a = ${gstIndex(gst, 0).re.toFixed(3)}, n_c = ${gstIndex(gst, 1).re.toFixed(3)}): only Γ·Re(n_c − n_a)·L_p is measured.`,
    `The rate is fitted at A_ref = ${reference.toFixed(3)} V, where the patch moved first (ν sits at 1/T = 0, far from ` +
      `any measurement). E_a (${(E / ELECTRONVOLT).toFixed(2)} eV${options.activationEnergy === undefined ? ", GST's at low heating rates" : ""}), T_x (${Tx} K) and the ` +
      `ambient (${Ta} K) are held: the same data put E_a beside k and α to a few tenths of a per cent, but with the ` +
      "ambient freed too both come back loosely (E_a to ~4 %, the ambient to ~6 K, α to ~10 %). α is the patch's temperature rise per V² on the " +
      "heater: the heater's share of its power times the patch's thermal resistance over the heater's resistance; only " +
      "that combination is seen.",
    `The patch drifts with the chip: its ambient is taken to follow the resonance's drift δ through dλ/dT = ` +
      `${(coefficient * 1e12).toFixed(1)} pm/K (${options.temperatureCoefficient === undefined ? "silicon's dn/dT over the ring's length, assumed" : "given"}).`,
    levels.length < 2
      ? "The schedule reached one level only: α rests on the threshold (T_x) and the search's pulses, and is poorly determined."
      : `The schedule's levels (${levels.map((a) => a.toFixed(3)).join(", ")} V, in the order held): the rates' ratios between them give α.`,
    `Each pulse is modelled as the staircase the source ramps through (${rampStep} V steps, each held for its share of the ramp's ` +
      "time as the plan measured it), its top held for the programmed width plus a fitted edge time t_e: the source's commands " +
      "around the top, which the plan cannot time from outside the instrument (separable from the rate because the widths differ).",
    `${pulsesGiven} pulses; the resonance was refined in ${centres.length} of ${readouts.length} scans.`,
    "The crystallised patch stays: on a chip, only a melt-quench the heater's source cannot give makes it amorphous again, " +
      "so this recipe uses up the patch's amorphous state.",
  ];
  const context: CardContext = {
    chipId: options.chipId ?? "demo-chip",
    recipe: PCM_RECIPE,
    model: {
      name: "JMAK kinetics under heater pulses, read by the ring's resonance",
      citation: "Avrami, J. Chem. Phys. 7, 1103 (1939); Farjas & Roura, Acta Mater. 54, 5573 (2006)",
    },
    instruments: [run.laser, run.meter, run.source].map(instrumentOf),
    identifiability,
    derived: [
      {
        name: "confinementFactor",
        unit: "1",
        value: Γ,
        standardError: ΓTotalError,
        note: "Γ = S λ₀/(FSR L_p Re(n_c − n_a))",
      },
      {
        name: "phaseContrast",
        unit: "rad",
        value: phase,
        standardError: Math.hypot(phaseError, (phase * fsr.error) / fsr.value, phase * SHIFT_SCALE_ACCURACY),
        note: "the patch's round-trip phase from amorphous to crystalline, 2π S/FSR",
      },
      ...(Number.isFinite(contrastDb)
        ? [
            {
              name: "transmissionContrast",
              unit: "dB",
              value: contrastDb,
              standardError: null,
              note: `the ring path's transmission at the amorphous resonance (${(first.centre * 1e9).toFixed(3)} nm), after the last pulse over before the first`,
            },
          ]
        : []),
      {
        name: "referenceTemperature",
        unit: "K",
        value: Tref,
        standardError: TrefError,
        note: `T_a + α A_ref²: the patch during a pulse of ${reference.toFixed(3)} V`,
      },
      {
        name: "prefactor",
        unit: "1/s",
        value: ν,
        standardError: νError,
        note: "ν = k exp(E_a/(k_B T_ref)), for the chip model's cell (E_a held)",
      },
      {
        name: "freeSpectralRange",
        unit: "m",
        value: fsr.value,
        standardError: fsr.error,
        note: "(λ₊₁ − λ₋₁)/2 around the amorphous resonance, heater off",
      },
    ],
    runs,
    points: centres.length,
  };
  const card = cardOf(fit, context);
  const cardFile = join(options.outDir, "card.json");
  writeFileSync(cardFile, `${JSON.stringify(card, null, 2)}\n`);
  const plotFile = join(options.outDir, "pcm-fit.svg");
  writeFileSync(plotFile, kineticsPlot(centres, model, fit));
  return {
    card,
    cardFile,
    plotFile,
    fit,
    rate: { ...fitted("rate"), amplitude: reference },
    heating: fitted("heating"),
    avramiExponent: fitted("avramiExponent"),
    fullShift: fitted("fullShift"),
    confinementFactor: { value: Γ, error: ΓTotalError },
    prefactor: { value: ν, error: νError },
    fsr: { value: fsr.value, error: fsr.error },
    readouts,
    resonances: centres.map((c) => ({
      pulse: c.readout.pulse,
      time: c.readout.time,
      centre: c.centre,
      error: c.error,
    })),
    levels,
    runs,
  };
}

/** The safety limits of the recipe's source-meter: its bench file's, over the drivers' defaults (the embedded bench's). */
async function sourceLimitsOf(options: PcmRecipeOptions): Promise<SafetyLimits> {
  if (options.bench === undefined) return DEFAULT_SAFETY_LIMITS;
  const file = await loadBenchFile(options.bench, KNOWN_BENCH_DRIVERS);
  const name = options.sourceMeter ?? DEFAULT_HEATER_SOURCE;
  return resolveSafetyLimits(
    file.instruments[name]?.limits ?? {},
    `${options.bench}: instruments.${name}.limits`,
  );
}

/** The usable fit of lowest χ² (the first when none is usable). */
function bestOf(fits: readonly FitResult[]): FitResult {
  const usable = fits.filter((f) => f.usable);
  const pool = usable.length > 0 ? usable : fits;
  return pool.reduce((best, f) => (f.chiSquare < best.chiSquare ? f : best));
}

interface ScheduleOptions {
  readonly first: number;
  readonly searchStep: number;
  readonly max: number;
  readonly levelStep: number;
  readonly firstWidth: number;
  readonly minWidth: number;
  readonly maxWidth: number;
  readonly expectedShift: number;
  readonly moved: number;
}

/** The adaptive pulse schedule of step 2 (see the module doc), fed each readout as it comes. */
export class PulseSchedule {
  #phase: "search" | "first" | "lower" | "upper" = "search";
  #amplitude: number;
  #width: number;
  /** The width the first level ended on: the lower level starts 3× longer, the upper 8× shorter. */
  #firstWidth = 0;
  #atLevel = 0;
  #quiet = 0;
  /** The last scan's span, m. */
  #span = 1.2e-9;
  readonly #levels: number[] = [];

  constructor(readonly options: ScheduleOptions) {
    this.#amplitude = options.first;
    this.#width = options.firstWidth;
  }

  /** The amplitudes of the levels reached so far: the first that moved the patch, the lower, the upper. */
  levels(): number[] {
    return [...new Set(this.#levels)];
  }

  next(readouts: readonly ScannedReadout[]): ProgrammedPulse | undefined {
    const o = this.options;
    const found = readouts.filter((r) => Number.isFinite(r.resonance));
    const last = readouts[readouts.length - 1];
    const before = readouts[readouts.length - 2];
    const start = found[0]?.resonance ?? Number.NaN;
    const moved = before && last ? last.resonance - before.resonance : 0;
    const lost = last !== undefined && !Number.isFinite(last.resonance);
    // A scan that lost the dip counts as a move once the patch has moved (it went further than the window
    // looked; the next window is twice as wide), not while searching (nothing has moved yet).
    const move = Number.isFinite(moved) ? moved : this.#phase === "search" ? 0 : o.expectedShift;
    const shifted = last && Number.isFinite(last.resonance) ? last.resonance - start : 0;
    // The base width; every other pulse at a level is half of it (below).
    const clampWidth = (w: number) => Math.min(o.maxWidth, Math.max(2 * o.minWidth, w));
    const adapt = () => {
      if (move < o.moved) this.#width = clampWidth(2 * this.#width);
      else if (move > 0.12 * o.expectedShift) this.#width = clampWidth(this.#width / 2);
    };
    const enter = (phase: "first" | "lower" | "upper", amplitude: number, width: number) => {
      this.#phase = phase;
      this.#amplitude = round(amplitude);
      this.#width = clampWidth(width);
      this.#levels.push(this.#amplitude);
      this.#atLevel = 0;
    };
    if (readouts.length > 1) {
      switch (this.#phase) {
        case "search":
          if (move >= o.moved || this.#amplitude + o.searchStep > o.max + 1e-9) {
            // It moved (or the bench allows no more): the first level, the width adapted to the move.
            enter("first", this.#amplitude, this.#width);
            adapt();
          } else {
            this.#amplitude = round(this.#amplitude + o.searchStep);
          }
          break;
        case "first":
          this.#atLevel += 1;
          adapt();
          if (shifted >= 0.35 * o.expectedShift || this.#atLevel >= 12) {
            this.#firstWidth = this.#width;
            // Half a step down: a whole one would take a patch that first moved just above its threshold
            // back below it (k about a third, 7 K cooler on the demo chip, against about a tenth 15 K cooler).
            enter("lower", this.#amplitude - o.levelStep / 2, 3 * this.#width);
          }
          break;
        case "lower":
          this.#atLevel += 1;
          adapt();
          if (shifted >= 0.65 * o.expectedShift || this.#atLevel >= 10) {
            enter("upper", Math.min((this.#levels[0] as number) + o.levelStep, o.max), this.#firstWidth / 8);
            this.#quiet = 0;
          }
          break;
        case "upper":
          this.#atLevel += 1;
          if (move < o.moved) this.#quiet += 1;
          else this.#quiet = 0;
          adapt();
          if (this.#quiet >= 3 && shifted > 0.5 * o.expectedShift) return undefined;
          break;
      }
    }
    const fwhm = [...found].reverse().find((r) => Number.isFinite(r.fwhm))?.fwhm ?? 100e-12;
    this.#span = lost ? Math.min(2 * this.#span, 12e-9) : Math.min(6e-9, Math.max(1.2e-9, 8 * fwhm));
    const span = this.#span;
    // Two widths at each level, alternating: k·(w + t_e) with one width cannot tell the rate from the edge time.
    const halve = this.#phase !== "search" && this.#atLevel % 2 === 1;
    return {
      amplitude: this.#amplitude,
      width: halve ? this.#width / 2 : this.#width,
      scan: { span, step: Math.max(10e-12, span / 120) },
    };
  }
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

/** The resonance's shift after each scan (drift removed), the fit, and the residuals magnified. */
function kineticsPlot(
  centres: readonly { readonly readout: ScannedReadout; readonly centre: number }[],
  model: ReturnType<typeof jmakPulseFitModel>,
  fit: FitResult,
): string {
  const λ0 = fit.values.resonanceWavelength as number;
  const δ = fit.values.driftRate as number;
  const t0 = (centres[0] as (typeof centres)[number]).readout.time;
  const x = Float64Array.from(centres, (c) => c.readout.pulse);
  const predicted = new Float64Array(centres.length);
  model.evaluate(
    Float64Array.from(jmakPulseParameters, (s) => fit.values[s.name] as number),
    predicted,
  );
  const drift = (c: (typeof centres)[number]) => δ * (c.readout.time - t0);
  const shift = Float64Array.from(centres, (c) => (c.centre - drift(c) - λ0) * 1e12);
  const line = Float64Array.from(centres, (c, i) => ((predicted[i] as number) - drift(c) - λ0) * 1e12);
  const residuals = Float64Array.from(centres, (c, i) => (c.centre - (predicted[i] as number)) * 1e12);
  const largest = residuals.reduce((m, r) => Math.max(m, Math.abs(r)), 0);
  const span = line.reduce((m, y) => Math.max(m, Math.abs(y)), 0);
  const gain = largest > 0 ? 10 ** Math.floor(Math.log10((0.1 * span) / largest)) : 1;
  return svgPlot({
    title: "Phase-change patch: resonance shift after each pulse (drift removed), fit, residuals",
    xLabel: "pulses given",
    yLabel: "resonance shift (pm)",
    series: [
      { name: "measured", x, y: shift, color: "#1f4e9c", markers: true, markerRadius: 3 },
      { name: "JMAK fit", x, y: line, color: "#c0392b" },
      {
        name: `residual × ${gain.toExponential(0)} − ${(0.1 * span).toFixed(0)} pm`,
        x,
        y: Float64Array.from(residuals, (r) => gain * r - 0.1 * span),
        color: "#555555",
        markers: true,
        markerRadius: 2,
      },
    ],
  });
}
