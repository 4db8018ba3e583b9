/**
 * `pms calibrate <recipe>`: the calibration recipes of calibration/ (issue
 * 18), on a bench file or the embedded virtual bench. Each measures
 * through the plans (its runs kept in the store), fits, and writes a model
 * card and a plot of data against fit; this file is their options in the
 * units people type, their progress, their signals and their report.
 */
import { type Command, Option } from "commander";
import { calibrateDetector, DEFAULT_DETECTOR_POWERS } from "../../../calibration/detector.js";
import { calibrateHeater } from "../../../calibration/heater.js";
import {
  calibrateMemristor,
  DEFAULT_MEMRISTOR_SWEEPS,
  type MemristorSweep,
} from "../../../calibration/memristor.js";
import { calibratePcm } from "../../../calibration/phase-change.js";
import { calibrateRing } from "../../../calibration/ring.js";
import { formatCard, type ModelCard } from "../../fit/card.js";
import type { OpticalJobHooks } from "../../plans/optical-job.js";
import { JobOptionError } from "../../plans/run-files.js";
import { CommandLineError, describeError } from "../errors.js";
import { type InterruptWording, listenForInterrupts } from "../interrupts.js";
import { parseNumber } from "../options.js";
import { createProgress, type Progress } from "../progress.js";
import { addRecordOptions, recordOptions } from "../record-report.js";
import { askPerson } from "./optical.js";

interface RingFlags {
  bench?: string;
  laser?: string;
  meter?: string;
  out: string;
  start: number;
  stop: number;
  step: number;
  power: number;
  chip?: string;
  circumference: number;
  neff: number;
  repeatability: number;
  revisit: number;
  store?: string;
  durable?: boolean;
}

const CHIP_HELP = "the chip's id, for the card (default with no --bench: demo-chip; required with one)";

/** The options of a recipe on an optical bench: the bench file, its laser and meter, and the chip's id. */
function withOpticalBench(command: Command): Command {
  return command
    .option(
      "--bench <file>",
      "a bench file (pms virtual --bench writes one); default: the embedded virtual bench",
    )
    .option("--laser <name>", "the bench's tunable laser (default: its only one)")
    .option("--meter <name>", "the bench's power meter (default: its only one)")
    .option("--chip <id>", CHIP_HELP);
}

/** A card on a bench file is named by its chip: refused without --chip, before anything starts. */
function requireChip(flags: { readonly bench?: string; readonly chip?: string }): void {
  if (flags.bench !== undefined && flags.chip === undefined) {
    throw new CommandLineError("--chip: say which chip is on the bench; its card is named by it");
  }
}

/** Each flag's value positive, or a CommandLineError naming the first that is not. */
function requirePositive(flags: readonly (readonly [string, number])[]): void {
  for (const [flag, value] of flags) {
    if (!(value > 0)) throw new CommandLineError(`${flag} must be a positive number, got ${value}`);
  }
}

export function registerCalibrate(program: Command): void {
  const calibrate = program
    .command("calibrate")
    .description("fit the models to what the chip measures: run a recipe, get a model card")
    .addHelpText(
      "after",
      `
A recipe measures through the bench (its runs kept in the run store), fits a
model with honest error bars, and writes a model card (pms card show) and a
plot of data against fit. Without --bench it runs on the embedded virtual
bench, whose chip has hidden true parameters the recipe never sees.`,
    );
  const ring = withOpticalBench(
    calibrate
      .command("ring")
      .description(
        "grating couplers and microring from two transmission spectra (reference waveguide and ring path)",
      ),
  )
    .option("--out <dir>", "folder for the runs' files, card.json and ring-fit.svg", "calibration-ring")
    .option("--start <nm>", "first wavelength, nm", parseNumber, 1540)
    .option("--stop <nm>", "last wavelength, nm", parseNumber, 1570)
    .option("--step <pm>", "wavelength step, pm", parseNumber, 10)
    .option("--power <mW>", "laser power, mW", parseNumber, 1)
    .option(
      "--circumference <um>",
      "the ring's round-trip length from the layout, µm",
      parseNumber,
      2 * Math.PI * 10,
    )
    .option(
      "--neff <n>",
      "the design's effective index at 1550 nm (chooses the resonance order)",
      parseNumber,
      2.4,
    )
    .option(
      "--repeatability <pm>",
      "the laser's wavelength repeatability, ± pm (the noise model)",
      parseNumber,
      1,
    )
    .option(
      "--revisit <nm>",
      "span at the start of the ring's sweep read again after it, nm (0: none; the drift is then not fitted)",
      parseNumber,
      10,
    )
    .addHelpText(
      "after",
      `
What it fits, and what a transmission spectrum cannot tell:
  - the couplers from the reference path: the product of their peak
    efficiencies, one centre and one 1 dB width (given per coupler, assuming
    the two identical);
  - the ring from its path divided by the reference: self-coupling r,
    round-trip amplitude a, effective and group index, and the chip's drift
    (the ring's path reads its first 10 nm again after the sweep: a drift
    during a one-way sweep looks like a change of the FSR); loaded Q,
    intrinsic Q. Under- and over-coupling give the same dip: the card gives
    both readings.
On a bench without a fibre positioner it asks you to move the fibres
between the two spectra. Ctrl-C stops at the next checkpoint and turns the
laser off (twice: says what it waits for; three times: exits at once).

Example:
  pms calibrate ring --start 1545 --stop 1565 --step 20 --out cal/ring
  pms card show cal/ring/card.json`,
    );
  registerHeater(calibrate);
  registerMemristor(calibrate);
  registerPcm(calibrate);
  registerDetector(calibrate);
  addRecordOptions(ring).action(async (flags: RingFlags) => {
    if (!(flags.stop > flags.start)) {
      throw new CommandLineError(`--stop (${flags.stop} nm) must be above --start (${flags.start} nm)`);
    }
    if (!(flags.step > 0))
      throw new CommandLineError(`--step must be a positive number of pm, got ${flags.step}`);
    if (!(flags.power > 0))
      throw new CommandLineError(`--power must be a positive number of mW, got ${flags.power}`);
    if (!(flags.circumference > 0))
      throw new CommandLineError("--circumference must be a positive length in µm");
    if (!(flags.repeatability >= 0)) throw new CommandLineError("--repeatability must be ≥ 0 pm");
    if (!(flags.revisit >= 0 && flags.revisit <= flags.stop - flags.start)) {
      throw new CommandLineError(
        `--revisit must be ≥ 0 and within the span (${flags.stop - flags.start} nm), got ${flags.revisit}`,
      );
    }
    requireChip(flags);
    await runRecipe("ring", flags.out, (signal, hooks) =>
      calibrateRing(
        {
          ...(flags.bench !== undefined && { bench: flags.bench }),
          ...(flags.laser !== undefined && { laser: flags.laser }),
          ...(flags.meter !== undefined && { meter: flags.meter }),
          outDir: flags.out,
          start: flags.start * 1e-9,
          stop: flags.stop * 1e-9,
          step: flags.step * 1e-12,
          power: flags.power * 1e-3,
          chipId: flags.chip ?? "demo-chip",
          design: {
            circumference: flags.circumference * 1e-6,
            effectiveIndex: flags.neff,
            referenceWavelength: 1.55e-6,
          },
          wavelengthRepeatability: flags.repeatability * 1e-12,
          revisit: flags.revisit * 1e-9,
          ...recordOptions("calibrate ring", flags),
          signal,
        },
        hooks,
      ),
    );
  });
}

interface HeaterFlags {
  bench?: string;
  laser?: string;
  meter?: string;
  smu?: string;
  out: string;
  chip?: string;
  resonance: number;
  maxPower: number;
  levels: number;
  resistance: number;
  compliance: number;
  span: number;
  step: number;
  settle: number;
  power: number;
  repeatability: number;
  store?: string;
  durable?: boolean;
}

function registerHeater(calibrate: Command): void {
  const heater = withOpticalBench(
    calibrate
      .command("heater")
      .description("the ring's heater: tuning efficiency, P_π and resistance from the resonance's shift"),
  )
    .option("--smu <name>", "the bench's source-meter on the heater's terminals", "smu2")
    .option("--out <dir>", "folder for the runs' files, card.json and heater-fit.svg", "calibration-heater")
    .option(
      "--resonance <nm>",
      "where the resonance is with the heater off, roughly, nm",
      parseNumber,
      1553.94,
    )
    .option("--max-power <mW>", "highest heater power at the design resistance, mW", parseNumber, 2)
    .option(
      "--levels <n>",
      "distinct heater powers from 0 to --max-power (each visited twice)",
      parseNumber,
      7,
    )
    .option(
      "--resistance <ohm>",
      "the heater's resistance as designed, Ω (turns powers into currents)",
      parseNumber,
      1100,
    )
    .option("--compliance <V>", "voltage compliance of the heater's source, V", parseNumber, 2)
    .option("--span <nm>", "width of each tuning scan, nm", parseNumber, 0.6)
    .option("--step <pm>", "wavelength step of each tuning scan, pm", parseNumber, 5)
    .option("--settle <ms>", "wait after each heater step, ms", parseNumber, 10)
    .option("--power <mW>", "laser power, mW", parseNumber, 1)
    .option(
      "--repeatability <pm>",
      "the laser's wavelength repeatability, ± pm (the noise model of the FSR's dips)",
      parseNumber,
      1,
    )
    .addHelpText(
      "after",
      `
What it measures and fits:
  1. a heater-off spectrum over about two free spectral ranges around
     --resonance: the FSR from the dips either side of it;
  2. the heater stepped through --levels powers in a palindromic order
     (0, 1, top, 2, top-1, ... and back), so that the chip's slow drift is
     told apart from the heating; at each, V and I on the heater's own
     terminals (P = V·I) and a scan that finds the resonance;
  3. the resonance against power and time: λ0 + κP + c2(κP)² + δt (c2 from
     how the FSR changes across three dips, about 1/λ0), giving
     the tuning efficiency κ (nm/mW), P_π = FSR/(2κ), and the drift δ;
  4. the heater's resistance from the same V and I, with its change per watt
     (a temperature coefficient) only where the data resolve it.
Keep --max-power below what crystallises the phase-change patch on the ring
(above about 2.6 mW on the demo chip, slowly at first: it anneals in seconds
there; it stays crystalline, and the resonance with it, until a reset pulse). Ctrl-C stops at the next checkpoint, ramps
the heater to zero and turns the laser off.

Example:
  pms calibrate heater --out cal/heater
  pms card show cal/heater/card.json`,
    );
  addRecordOptions(heater).action(async (flags: HeaterFlags) => {
    requirePositive([
      ["--max-power", flags.maxPower],
      ["--resistance", flags.resistance],
      ["--compliance", flags.compliance],
      ["--span", flags.span],
      ["--step", flags.step],
      ["--power", flags.power],
    ]);
    if (!(Number.isInteger(flags.levels) && flags.levels >= 3)) {
      throw new CommandLineError(
        `--levels must be a whole number ≥ 3 (a line and a drift), got ${flags.levels}`,
      );
    }
    if (!(flags.settle >= 0)) throw new CommandLineError("--settle must be ≥ 0 ms");
    if (!(flags.repeatability >= 0)) throw new CommandLineError("--repeatability must be ≥ 0 pm");
    requireChip(flags);
    await runRecipe("heater", flags.out, (signal, hooks) =>
      calibrateHeater(
        {
          ...(flags.bench !== undefined && { bench: flags.bench }),
          ...(flags.laser !== undefined && { laser: flags.laser }),
          ...(flags.meter !== undefined && { meter: flags.meter }),
          sourceMeter: flags.smu,
          outDir: flags.out,
          chipId: flags.chip ?? "demo-chip",
          resonance: flags.resonance * 1e-9,
          maxPower: flags.maxPower * 1e-3,
          levels: flags.levels,
          designResistance: flags.resistance,
          compliance: flags.compliance,
          span: flags.span * 1e-9,
          step: flags.step * 1e-12,
          settle: flags.settle * 1e-3,
          power: flags.power * 1e-3,
          wavelengthRepeatability: flags.repeatability * 1e-12,
          ...recordOptions("calibrate heater", flags),
          signal,
        },
        hooks,
      ),
    );
  });
}

interface MemristorFlags {
  bench?: string;
  smu?: string;
  out: string;
  chip?: string;
  sweeps: MemristorSweep[];
  compliance: number;
  lowestRange: number;
  seed: number;
  store?: string;
  durable?: boolean;
}

/** "1.2:1:1,1.2:10:20": amplitude (V), NPLC and source delay (ms) of each sweep. */
function parseSweeps(text: string): MemristorSweep[] {
  return text.split(",").map((part) => {
    const fields = part.trim().split(":");
    const [amplitude, nplc, delay] = fields.map((f) => parseNumber(f));
    if (
      fields.length !== 3 ||
      !(amplitude !== undefined && amplitude > 0) ||
      !(nplc !== undefined && nplc > 0)
    ) {
      throw new CommandLineError(
        `--sweeps: each sweep is amplitude:nplc:delay (V, power-line cycles, ms), e.g. 1.2:10:20; got "${part}"`,
      );
    }
    return { amplitude, nplc, sourceDelay: (delay as number) * 1e-3 };
  });
}

function registerMemristor(calibrate: Command): void {
  const memristor = calibrate
    .command("memristor")
    .description("a VTEAM memristor from bipolar I-V sweeps at two sweep rates and two amplitudes")
    .option(
      "--bench <file>",
      "a bench file (pms virtual --bench writes one); default: the embedded virtual bench's 2400 on the standalone memristor",
    )
    .option("--smu <name>", "the bench file's source-meter on the memristor (default: its first)")
    .option("--chip <id>", CHIP_HELP)
    .option(
      "--out <dir>",
      "folder for the sweeps' files, card.json and memristor-fit.svg",
      "calibration-memristor",
    )
    .addOption(
      new Option(
        "--sweeps <list>",
        "the sweeps, amplitude:nplc:delay each (V, power-line cycles, ms), comma-separated",
      )
        .argParser(parseSweeps)
        .default(
          DEFAULT_MEMRISTOR_SWEEPS.map((s) => ({ ...s })),
          DEFAULT_MEMRISTOR_SWEEPS.map((s) => `${s.amplitude}:${s.nplc}:${s.sourceDelay * 1e3}`).join(","),
        ),
    )
    .option("--compliance <mA>", "current compliance, mA", parseNumber, 10)
    .option(
      "--lowest-range <A>",
      "the source-meter's lowest current range, A (its noise floor)",
      parseNumber,
      1e-6,
    )
    .option("--seed <n>", "noise seed of the virtual instrument (sweep k takes seed + k)", parseNumber, 1)
    .addHelpText(
      "after",
      `
Each sweep is a bipolar triangle (0 → +A → 0 → −A → 0, twice) with the fewest
levels the 0.1 V step limit allows; NPLC and the source delay set the time per
level, so two of them at one amplitude are two sweep rates, and a lower
amplitude tells the switching threshold from the rate. The VTEAM model is fitted
to every reading at once, weighted by the source-meter's noise form; per
direction it fits the threshold v0 and the rate at the voltage where the two do
not correlate (alone, k and v0 are correlated beyond 0.99), and derives k.
R_on, R_off, v_on, v_off, k_on and k_off go to the card; α and w are held at
the model's values (the card says so). pms iv --card card.json runs the twin
with them.

Example:
  pms calibrate memristor --out cal/memristor
  pms card show cal/memristor/card.json
  pms iv --card cal/memristor/card.json --seed 7`,
    );
  addRecordOptions(memristor).action(async (flags: MemristorFlags) => {
    if (!(flags.compliance > 0)) throw new CommandLineError("--compliance must be a positive number of mA");
    if (!(flags.lowestRange > 0)) throw new CommandLineError("--lowest-range must be a positive current, A");
    if (flags.sweeps.length < 2) {
      throw new CommandLineError("--sweeps: two sweeps or more (two sweep rates) are needed");
    }
    requireChip(flags);
    await runRecipe(
      "memristor",
      flags.out,
      (signal, hooks) =>
        calibrateMemristor({
          ...(flags.bench !== undefined && { bench: flags.bench }),
          ...(flags.smu !== undefined && { instrument: flags.smu }),
          ...(flags.bench === undefined && { virtual: { seed: flags.seed } }),
          outDir: flags.out,
          chipId: flags.chip ?? "demo-chip",
          sweeps: flags.sweeps,
          compliance: flags.compliance * 1e-3,
          lowestCurrentRange: flags.lowestRange,
          ...recordOptions("calibrate memristor", flags),
          signal,
          ...(hooks.stage !== undefined && { onStage: hooks.stage }),
        }),
      {
        safing: "making the source-meter safe",
        unconfirmed: "the source-meter's output is NOT confirmed off; check the instrument",
      },
    );
  });
}

interface DetectorFlags {
  bench?: string;
  laser?: string;
  meter?: string;
  out: string;
  chip?: string;
  wavelength: number;
  powers: number[];
  readings: number;
  darkReadings: number;
  settle: number;
  store?: string;
  durable?: boolean;
}

interface PcmFlags {
  bench?: string;
  laser?: string;
  meter?: string;
  smu: string;
  out: string;
  chip?: string;
  resonance: number;
  first: number;
  max?: number;
  levelStep: number;
  width: number;
  maxWidth: number;
  pulses: number;
  expectedShift: number;
  rampStep?: number;
  power: number;
  repeatability: number;
  store?: string;
  durable?: boolean;
}

function registerPcm(calibrate: Command): void {
  const pcm = withOpticalBench(
    calibrate
      .command("pcm")
      .description(
        "the phase-change patch on the ring: crystallisation kinetics and optical contrast from heater pulses",
      ),
  )
    .option("--smu <name>", "the bench's source-meter on the heater under the patch", "smu2")
    .option("--out <dir>", "folder for the runs' files, card.json and pcm-fit.svg", "calibration-pcm")
    .option("--resonance <nm>", "where the resonance is before any pulse, roughly, nm", parseNumber, 1553.94)
    .option("--first <V>", "first pulse amplitude, below the patch's threshold, V", parseNumber, 1.5)
    .option(
      "--max <V>",
      "highest pulse amplitude, V (default 2, or the source's maxAbsVoltage if lower)",
      parseNumber,
    )
    .option(
      "--level-step <V>",
      "the upper level above the first that moved it, V (the lower is half of it below)",
      parseNumber,
      0.1,
    )
    .option("--width <ms>", "first pulse width, ms", parseNumber, 200)
    .option("--max-width <s>", "longest pulse, s", parseNumber, 5)
    .option("--pulses <n>", "most pulses", parseNumber, 40)
    .option(
      "--expected-shift <nm>",
      "the resonance's shift from amorphous to crystalline, roughly, nm",
      parseNumber,
      1.2,
    )
    .option(
      "--ramp-step <V>",
      "the source's ramp step, V (default: the bench's maxVoltageStep for it, 0.1 V unless the file says)",
      parseNumber,
    )
    .option("--power <mW>", "laser power, mW", parseNumber, 1)
    .option("--repeatability <pm>", "the laser's wavelength repeatability, ± pm", parseNumber, 1)
    .addHelpText(
      "after",
      `
What it measures and fits:
  1. a spectrum over two free spectral ranges, patch amorphous: the FSR;
  2. heater pulses, each followed by a scan of the resonance, which moves red
     as the patch crystallises. The amplitude steps up from --first by 0.05 V
     until a pulse moves the resonance (A1); pulses at A1 take the patch about
     a third of the way, at A1 - half --level-step to two thirds, at A1 +
     --level-step (or --max) to the end. Pulses alternate between two widths;
     a pulse that moves nothing doubles the next, one that moves a lot halves
     it. It stops when three pulses in a row at the upper level move nothing
     after more than half of --expected-shift, or after --pulses;
  3. every scan's resonance (the ring's Airy line shape) against the pulses
     before it: JMAK kinetics X = 1 - exp(-Θ^n), Θ the sum over the pulses'
     staircases of k(T) dt, k Arrhenius above 423 K (E_a = 2.34 eV, GST's,
     held), T = 300 K + αA²: the rate k at A1, the patch's temperature rise
     per V² α, the Avrami exponent n, and the shift S from amorphous to
     crystalline, with the chip's drift;
  4. the optical contrast: the patch's phase 2πS/FSR and its confinement
     factor Γ (for a 2 µm patch and GST's indices), and the transmission change
     at the old resonance.
The pulses keep to the bench file's limits on the heater's source: --max above
its maxAbsVoltage is refused before anything runs, and the fit models each
pulse as the staircase its maxVoltageStep makes the driver ramp through (the
embedded bench's are 2 V and 0.1 V).
The patch stays crystalline: on a chip this uses up its amorphous state (only
a melt-quench the heater's source cannot give resets it). Ctrl-C stops at the
next checkpoint, ramps the source to zero and turns the laser off.

Example:
  pms calibrate pcm --out cal/pcm
  pms card show cal/pcm/card.json`,
    );
  addRecordOptions(pcm).action(async (flags: PcmFlags) => {
    requirePositive([
      ["--first", flags.first],
      ...(flags.max !== undefined ? [["--max", flags.max] as const] : []),
      ["--level-step", flags.levelStep],
      ["--width", flags.width],
      ["--max-width", flags.maxWidth],
      ["--expected-shift", flags.expectedShift],
      ...(flags.rampStep !== undefined ? [["--ramp-step", flags.rampStep] as const] : []),
      ["--power", flags.power],
    ]);
    if (flags.max !== undefined && !(flags.max >= flags.first)) {
      throw new CommandLineError(`--max (${flags.max} V) must be at least --first (${flags.first} V)`);
    }
    if (!(Number.isInteger(flags.pulses) && flags.pulses >= 8)) {
      throw new CommandLineError(
        `--pulses must be a whole number ≥ 8 (the fit needs 7 scans after pulses), got ${flags.pulses}`,
      );
    }
    if (!(flags.repeatability >= 0)) throw new CommandLineError("--repeatability must be ≥ 0 pm");
    requireChip(flags);
    await runRecipe("pcm", flags.out, (signal, hooks) =>
      calibratePcm(
        {
          ...(flags.bench !== undefined && { bench: flags.bench }),
          ...(flags.laser !== undefined && { laser: flags.laser }),
          ...(flags.meter !== undefined && { meter: flags.meter }),
          sourceMeter: flags.smu,
          outDir: flags.out,
          chipId: flags.chip ?? "demo-chip",
          resonance: flags.resonance * 1e-9,
          firstAmplitude: flags.first,
          ...(flags.max !== undefined && { maxAmplitude: flags.max }),
          levelStep: flags.levelStep,
          firstWidth: flags.width * 1e-3,
          maxWidth: flags.maxWidth,
          maxPulses: flags.pulses,
          expectedShift: flags.expectedShift * 1e-9,
          ...(flags.rampStep !== undefined && { rampStep: flags.rampStep }),
          power: flags.power * 1e-3,
          wavelengthRepeatability: flags.repeatability * 1e-12,
          ...recordOptions("calibrate pcm", flags),
          signal,
        },
        hooks,
      ),
    );
  });
}

function registerDetector(calibrate: Command): void {
  const detector = withOpticalBench(
    calibrate
      .command("detector")
      .description("the power meter's dark level and its reading per watt of the laser's monitored light"),
  )
    .option(
      "--out <dir>",
      "folder for the run's files, card.json and detector-fit.svg",
      "calibration-detector",
    )
    .option(
      "--wavelength <nm>",
      "wavelength of the light and of the meter's correction, nm",
      parseNumber,
      1550,
    )
    .option(
      "--powers <mW>",
      "laser power setpoints, mW, a comma list in the order set",
      (text: string) => text.split(",").map((part) => parseNumber(part.trim())),
      DEFAULT_DETECTOR_POWERS.map((p) => p * 1e3),
    )
    .option("--readings <n>", "meter readings per power level (each with a monitor reading)", parseNumber, 10)
    .option("--dark-readings <n>", "meter readings with the light off", parseNumber, 20)
    .option("--settle <ms>", "wait after each change of the light, ms", parseNumber, 0)
    .addHelpText(
      "after",
      `
Through the reference waveguide: the light off, the meter read (its dark
level: no dark zero is taken); then at each laser power the meter read and
the laser's own monitor (:POW:ACT?) after each reading. A straight line
through each level's means, weighted by their own scatter, gives the dark
level D and F, the meter's reading per watt the monitor reports; a
resolved curvature says the response is not linear.
With one laser and one meter, F is the couplers' loss times the meter's
calibration factor, relative to the monitor: the card says so. Keep every
power within the bench's optical limit (1 mW on the embedded bench).

Example:
  pms calibrate detector --out cal/detector
  pms card show cal/detector/card.json`,
    );
  addRecordOptions(detector).action(async (flags: DetectorFlags) => {
    if (!(flags.wavelength > 0)) throw new CommandLineError("--wavelength must be a positive number of nm");
    if (flags.powers.length < 2 || !flags.powers.every((p) => p > 0)) {
      throw new CommandLineError(
        `--powers must be 2 or more positive powers in mW (a line needs them), got ${flags.powers.join(",")}`,
      );
    }
    for (const [flag, value] of [
      ["--readings", flags.readings],
      ["--dark-readings", flags.darkReadings],
    ] as const) {
      if (!(Number.isInteger(value) && value >= 2))
        throw new CommandLineError(`${flag} must be a whole number ≥ 2 (a scatter needs them), got ${value}`);
    }
    if (!(flags.settle >= 0)) throw new CommandLineError("--settle must be ≥ 0 ms");
    requireChip(flags);
    await runRecipe("detector", flags.out, (signal, hooks) =>
      calibrateDetector(
        {
          ...(flags.bench !== undefined && { bench: flags.bench }),
          ...(flags.laser !== undefined && { laser: flags.laser }),
          ...(flags.meter !== undefined && { meter: flags.meter }),
          outDir: flags.out,
          chipId: flags.chip ?? "demo-chip",
          wavelength: flags.wavelength * 1e-9,
          powers: flags.powers.map((p) => p * 1e-3),
          readings: flags.readings,
          darkReadings: flags.darkReadings,
          settle: flags.settle * 1e-3,
          ...recordOptions("calibrate detector", flags),
          signal,
        },
        hooks,
      ),
    );
  });
}

/**
 * Runs a recipe with the terminal's progress, the shared three-stage
 * Ctrl-C (src/cli/interrupts.ts), and prints its card, files and runs.
 */
async function runRecipe(
  recipe: string,
  outDir: string,
  run: (
    signal: AbortSignal,
    hooks: OpticalJobHooks,
  ) => Promise<{ card: ModelCard; cardFile: string; plotFile: string; runs: readonly string[] }>,
  wording?: InterruptWording,
): Promise<void> {
  const prefix = `pms calibrate ${recipe}`;
  let stage = "starting";
  let progress: Progress | undefined;
  const interrupts = listenForInterrupts(prefix, () => stage, wording);
  try {
    const result = await run(interrupts.signal, {
      stage: (now) => {
        stage = now;
        if (/^(measuring|fitting|stepping|pulsing|sweep )/.test(now)) {
          progress?.finish();
          progress = undefined;
          process.stderr.write(`${prefix}: ${now}\n`);
        }
      },
      progress: (done, total, unit) => {
        progress ??= createProgress({ total, unit, label: `${prefix}: ${stage}` });
        progress.update(done);
      },
      ...(process.stdin.isTTY && {
        askPerson: (message: string) => askPerson(message, interrupts.signal),
      }),
    });
    progress?.finish();
    process.stdout.write(formatCard(result.card));
    process.stdout.write(`\ncard: ${result.cardFile}\nplot: ${result.plotFile}\n`);
    process.stdout.write(`runs: ${result.runs.join(", ")} (their files in ${outDir}, a folder per run)\n`);
  } catch (error) {
    progress?.fail(interrupts.signal.aborted ? "interrupted" : undefined);
    // An option a job refuses before anything starts (the optical job's, the I-V job's): a command-line error.
    if (error instanceof JobOptionError) throw new CommandLineError(error.message);
    if (!interrupts.signal.aborted) throw error;
    process.stderr.write(`${prefix}: ${describeError(error)}\n`);
    process.exitCode = interrupts.exitCode;
  } finally {
    interrupts.dispose();
  }
}
