/**
 * `pms spectrum`, `pms tune` and `pms pcm`: the optical measurements of
 * issue 16 on the demo chip's fibre array. The job is src/plans/optical-job.ts
 * (the plans: transmission.ts, heater-tuning.ts, pcm-programming.ts); this
 * file is their options, in the units people type (nm, pm, mW, dBm, mA,
 * ms), converted to SI here and nowhere else; their signals; their
 * progress; and their reports.
 */
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  type OpticalJobResult,
  OpticalOptionError,
  type OpticalPlan,
  OpticalRunInterruptedError,
  runOpticalJob,
} from "../../plans/optical-job.js";
import { CommandLineError, describeError } from "../errors.js";
import { listenForInterrupts } from "../interrupts.js";
import { parseNumber, parsePositiveInteger } from "../options.js";
import { createProgress, type Progress } from "../progress.js";
import { addRecordOptions, recordLine, recordOptions } from "../record-report.js";

/** The demo chip's ring resonance near 1554 nm (the hidden truth, heater off), where tune and pcm look by default. */
const DEMO_RESONANCE_NM = 1553.94;

/** The flag a user typed for each option of the job, so that messages speak of it. */
const FLAGS: Readonly<Record<string, string>> = {
  bench: "--bench",
  laser: "--laser",
  meter: "--meter",
  sourceMeter: "--smu",
  outDir: "--out",
  store: "--store",
  "plan.options.start": "--start",
  "plan.options.stop": "--stop",
  "plan.options.step": "--step",
  "plan.options.speed": "--speed",
  "plan.options.logStep": "--log-step",
  "plan.options.power": "--power",
  "plan.options.averageCount": "--average",
  "plan.options.currents": "--currents",
  "plan.options.compliance": "--compliance",
  "plan.options.resonance": "--resonance",
  "plan.options.span": "--span",
  "plan.options.settle": "--settle",
  "plan.options.pulses": "--pulses",
  "plan.options.amplitude": "--amplitude",
  "plan.options.width": "--width",
  "plan.options.interval": "--interval",
  "plan.options.wavelength": "--wavelength",
};
const flagOf = (option: string): string => FLAGS[option] ?? option;

/** What all three commands share: light, bench, instruments, fibres, folder. */
interface BenchFlags {
  power: number;
  powerDbm?: number;
  path?: "ring" | "reference";
  bench?: string;
  laser?: string;
  meter?: string;
  smu?: string;
  out?: string;
  store?: string;
  durable?: boolean;
}

const SAFETY_HELP = `
Safety. Limits come from the bench file (maxOpticalPower, min/maxWavelength for
the laser; voltage, current, step and ramp rate for a source-meter); without
one, the embedded bench runs at the drivers' safe defaults (1 mW of light;
2 V, 100 mA, 0.1 V or 1 mA steps). Every setpoint is checked before a byte is
sent, and a refused one names the limit. Ctrl-C (or SIGTERM) stops at the
next checkpoint, turns the laser's light off first, then ramps the sources to
zero and turns them off, keeps every row already recorded, ends the run
"abort" (in the store and in run.json) and exits 130 (143); a second Ctrl-C says what is still being
done, a third exits at once without confirming the light and sources are off.

Bench. Without --bench the embedded virtual bench runs: the demo chip with a
TSL-570 (laser), a PM100USB (meter) on its fibre array and a 2450 on its
heater (smu2), in simulated time, so a run takes seconds. --path moves the
fibre array over that optical path first (on a real bench pms asks you to
move it and waits for Enter; without a terminal it refuses).`;

function addBenchOptions(command: Command, withSource: boolean): Command {
  command
    .option("--power <mW>", "laser power into the chip, mW", parseNumber, 1)
    .option("--power-dbm <dBm>", "laser power in dBm instead of --power", parseNumber)
    .addOption(
      new Option(
        "--path <path>",
        "move the fibre array over this optical path of the chip first (default: ring on the embedded bench; with --bench the fibres stay where they are)",
      ).choices(["ring", "reference"]),
    )
    .option(
      "-b, --bench <file>",
      "run on a bench file's instruments, with its limits (`pms virtual --bench` writes one)",
    )
    .option("--laser <name>", "the bench file's tunable laser (default: its only one)")
    .option("--meter <name>", "the bench file's power meter (default: its only one)");
  if (withSource) {
    command.option("--smu <name>", "the bench file's source-meter on the heater", "smu2");
  }
  return addRecordOptions(
    command.option("-o, --out <dir>", "folder for the run's files (default: runs/<time>-<command>)"),
  );
}

export function registerOptical(program: Command): void {
  registerSpectrum(program);
  registerTune(program);
  registerPcm(program);
}

function registerSpectrum(program: Command): void {
  const command = program
    .command("spectrum")
    .description(
      "measure a transmission spectrum of an optical path of the chip (tunable laser in, power meter out), stepped or swept, and find its resonance dips",
    )
    .option("--start <nm>", "first wavelength, nm", parseNumber, 1544)
    .option("--stop <nm>", "last wavelength, nm", parseNumber, 1555)
    .option("--step <pm>", "stepped: wavelength step, pm", parseNumber, 5)
    .option("--settle <ms>", "stepped: wait after each tuning before reading, ms", parseNumber, 0)
    .option("--sweep", "sweep continuously instead of stepping (see below)", false)
    .option(
      "--speed <nm/s>",
      "swept: sweep speed, nm/s (the TSL-570 takes 1, 2, 5, 10, 20, 50, 100, 200)",
      parseNumber,
      5,
    )
    .option("--log-step <pm>", "swept: wavelength between the laser's logged triggers, pm", parseNumber, 1)
    .option(
      "--average <n>",
      "meter samples averaged per reading (default: as the meter is set)",
      parsePositiveInteger,
    );
  addBenchOptions(command, false).addHelpText(
    "after",
    `
Stepped: the laser is set to each wavelength and waited for until it says it
is tuned (*OPC?), then the meter is read. Its speed is the instruments'.

Swept (--sweep): the laser sweeps continuously at --speed and logs its
wavelength every --log-step; the meter has no trigger input here, so it is
read as fast as it answers and each reading is placed by time: the sweep's
start T0 is bracketed by the polls of the laser's state around the moment it
starts running, each reading is stamped at the middle of its request and its
reply, and its wavelength is the laser's log interpolated at that time. The
timing error, times the speed, bounds the wavelength error, which the report
gives (at 5 nm/s, 1 ms is 5 pm: slower sweeps are more exact).

Dips are found by prominence (at least 3 dB) and fitted with a Lorentzian:
wavelength, depth, FWHM and loaded Q = λ/FWHM each.
${SAFETY_HELP}

Files written to the run folder:
  data.csv        time_s, wavelength_m, power_W, transmission, as the batches
                  arrive (swept: the nominal wavelength start + speed·(t − T0))
  spectrum.csv    swept only: the readings inside the logged span, each at the
                  wavelength from the laser's log
  spectrum.svg    transmission (dB) against wavelength, dips marked
  run.json        options, bench snapshot, timebase, dips, how the run ended
  commands.jsonl  every SCPI command and reply, timed

Examples:
  pms spectrum                                  # the demo ring's two dips, 1544–1555 nm at 5 pm
  pms spectrum --start 1553.5 --stop 1554.5 --step 1
  pms spectrum --sweep --speed 1                # swept: 1 pm wavelength uncertainty
  pms spectrum --path reference --power-dbm -3  # the reference waveguide: the couplers alone
  pms spectrum --bench bench.json --sweep --speed 10`,
  );
  command.action(async (options, cmd: Command) => {
    const swept = options.sweep === true;
    const given = (name: string) => cmd.getOptionValueSource(name) === "cli";
    const misplaced = swept ? ["step", "settle"].filter(given) : ["speed", "logStep"].filter(given);
    if (misplaced.length > 0) {
      const flags = misplaced.map((key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
      throw new CommandLineError(
        swept
          ? `${flags.join(", ")}: for the stepped mode; a sweep takes --speed and --log-step`
          : `${flags.join(", ")}: for a sweep; add --sweep, or give --step for the stepped mode`,
      );
    }
    const common = {
      start: options.start * 1e-9,
      stop: options.stop * 1e-9,
      power: laserPower(options, cmd),
      ...(options.average !== undefined && { averageCount: options.average }),
    };
    const plan: OpticalPlan = swept
      ? {
          kind: "spectrum",
          mode: "swept",
          options: { ...common, speed: options.speed * 1e-9, logStep: options.logStep * 1e-12 },
        }
      : {
          kind: "spectrum",
          mode: "stepped",
          options: { ...common, step: options.step * 1e-12, settle: options.settle * 1e-3 },
        };
    await runCommand("spectrum", options, plan);
  });
}

function registerTune(program: Command): void {
  const command = program
    .command("tune")
    .description(
      "step the current into the ring's heater, find the resonance at each step, and fit its shift per mW of heater power",
    )
    .addOption(
      new Option("--currents <mA>", "heater currents, mA: start:stop:step (inclusive) or a comma list")
        .argParser(parseCurrents)
        .default(parseCurrents("0:1.5:0.25"), "0:1.5:0.25"),
    )
    .option("--compliance <V>", "voltage compliance of the heater's source, V", parseNumber, 2)
    .option(
      "--resonance <nm>",
      "where the resonance is with the heater off (roughly), nm",
      parseNumber,
      DEMO_RESONANCE_NM,
    )
    .option("--span <nm>", "width of each scan around the predicted resonance, nm", parseNumber, 0.6)
    .option("--step <pm>", "wavelength step of each scan, pm", parseNumber, 5)
    .option("--settle <ms>", "wait after each current step before reading, ms", parseNumber, 10);
  addBenchOptions(command, true).addHelpText(
    "after",
    `
At each current the heater's source (a source-meter on the heater's own
terminals, current-sourced) settles, V and I are read there (P = V·I, the
heater's own power), and a stepped scan of --span finds the resonance. Each
scan is centred where the straight line through the resonances so far puts
it. The tuning efficiency is the slope of resonance wavelength against heater
power (thermo-optic tuning is linear in power), in pm/mW with its standard
error. Default currents: 0 to 1.5 mA in 0.25 mA steps (up to 2.5 mW on the
demo chip's 1.1 kΩ heater). Above about 3 mW that heater also crystallises the
phase-change patch on the ring (see pms pcm), which spoils the resonance.
${SAFETY_HELP}

Files written to the run folder:
  data.csv        step, current_setpoint_A, time_s, wavelength_m, power_W,
                  transmission: every scan, as it streams
  tuning.csv      step, current_setpoint_A, voltage_V, current_A, heater_power_W,
                  resonance_m, fwhm_m: one row per heater step
  tuning.svg      resonance against heater power, with the fitted line
  run.json        options, bench snapshot, steps, efficiency ± error, how it ended
  commands.jsonl  every SCPI command and reply, timed

Examples:
  pms tune                                      # the demo chip: about 160 pm/mW
  pms tune --currents 0,0.5,1,1.5 --span 0.4
  pms tune --bench bench.json --smu heater --compliance 5`,
  );
  command.action(async (options, cmd: Command) => {
    await runCommand("tune", options, {
      kind: "tune",
      options: {
        currents: options.currents.map((mA: number) => mA * 1e-3),
        compliance: options.compliance,
        resonance: options.resonance * 1e-9,
        span: options.span * 1e-9,
        step: options.step * 1e-12,
        power: laserPower(options, cmd),
        settle: options.settle * 1e-3,
      },
    });
  });
}

function registerPcm(program: Command): void {
  const command = program
    .command("pcm")
    .description(
      "program the phase-change patch on the ring with heater pulses, reading the transmission at a fixed wavelength before and after each pulse",
    )
    .option("--pulses <n>", "number of pulses", parsePositiveInteger, 5)
    .addOption(
      new Option("--mode <quantity>", "what each pulse sources")
        .choices(["voltage", "current"])
        .default("voltage"),
    )
    .option(
      "--amplitude <V|mA>",
      "pulse height: V with --mode voltage, mA with --mode current",
      parseNumber,
      2,
    )
    .option(
      "--compliance <mA|V>",
      "limit on the other quantity: mA with --mode voltage (default 10), V with --mode current (default 2)",
      parseNumber,
    )
    .option("--width <ms>", "time held at the amplitude, ms", parseNumber, 100)
    .option("--interval <ms>", "rest after each pulse before the reading, ms", parseNumber, 10)
    .option(
      "--wavelength <nm>",
      "readout wavelength (near the ring's resonance), nm",
      parseNumber,
      DEMO_RESONANCE_NM,
    );
  addBenchOptions(command, true).addHelpText(
    "after",
    `
Each pulse is the source ramped to --amplitude within the bench's step and
rate limits, held for --width, ramped back to zero; after --interval of rest
the meter is read at --wavelength, where the laser stays. The patch
crystallises when the heater takes it past its crystallisation temperature;
its index rises, moving the ring's resonance and adding loss, so the
transmission at the old resonance changes. The report gives each readout and
the change from before the first pulse to after the last, in dB, and how long
each pulse really took with its ramps. The demo chip's patch anneals in
milliseconds to seconds: 2 V on its heater (3.6 mW) crystallises most of it
in the first 100 ms pulse, 1.9 V about eight times more slowly, and below
about 1.7 V nothing happens (pms calibrate pcm fits these kinetics).
Crystallisation stays: on a real chip, only melting (well past what
these sources give) makes the patch amorphous again.
${SAFETY_HELP}

Files written to the run folder:
  data.csv        pulse, time_s, power_W, transmission, pulse_duration_s: one
                  row per readout (pulse 0: before the first pulse)
  pcm.svg         transmission (dB) after each pulse
  run.json        options, bench snapshot, readouts, transmission change, how it ended
  commands.jsonl  every SCPI command and reply, timed

Examples:
  pms pcm                                       # 5 pulses of 2 V for 100 ms on the demo chip
  pms pcm --amplitude 1.6 --pulses 3            # below the threshold: no change
  pms pcm --mode current --amplitude 1.8 --compliance 2.5
  pms pcm --bench bench.json --smu heater --wavelength 1550.2`,
  );
  command.action(async (options, cmd: Command) => {
    const current = options.mode === "current";
    const compliance = options.compliance ?? (current ? 2 : 10);
    await runCommand("pcm", options, {
      kind: "pcm",
      options: {
        mode: options.mode,
        amplitude: current ? options.amplitude * 1e-3 : options.amplitude,
        compliance: current ? compliance : compliance * 1e-3,
        width: options.width * 1e-3,
        interval: options.interval * 1e-3,
        pulses: options.pulses,
        wavelength: options.wavelength * 1e-9,
        power: laserPower(options, cmd),
      },
    });
  });
}

/** --power in mW, or --power-dbm; W. */
function laserPower(options: BenchFlags, command: Command): number {
  if (options.powerDbm === undefined) return options.power * 1e-3;
  if (command.getOptionValueSource("power") === "cli") {
    throw new CommandLineError("--power and --power-dbm: give the laser power once");
  }
  return 1e-3 * 10 ** (options.powerDbm / 10);
}

/** `start:stop:step` (inclusive) or `a,b,c`, mA. */
function parseCurrents(text: string): number[] {
  const range = /^\s*([^:]+):([^:]+):([^:]+)\s*$/.exec(text);
  if (range) {
    const [start, stop, step] = range.slice(1).map(parseNumber) as [number, number, number];
    if (!(step > 0) || stop < start) {
      throw new InvalidArgumentError(`"${text}": start:stop:step needs stop ≥ start and a positive step.`);
    }
    const count = Math.floor((stop - start) / step + 1e-9) + 1;
    return Array.from({ length: count }, (_, k) => Number.parseFloat((start + k * step).toPrecision(12)));
  }
  return text.split(",").map(parseNumber);
}

/** Runs the job with the terminal around it: signals, progress, the fibre prompt, the report. */
async function runCommand(name: string, options: BenchFlags, plan: OpticalPlan): Promise<void> {
  const outDir = options.out ?? join("runs", `${new Date().toISOString().replace(/[:.]/g, "-")}-${name}`);
  const path = options.path ?? (options.bench ? undefined : "ring");
  const prefix = `pms ${name}`;
  const terminal = process.stderr.isTTY === true;
  let stage = "starting";
  let progress: Progress | undefined;
  let progressDone = 0;
  const interrupts = listenForInterrupts(prefix, () => stage);
  try {
    const result = await runOpticalJob(
      {
        plan,
        ...(options.bench !== undefined && { bench: options.bench }),
        ...(options.laser !== undefined && { laser: options.laser }),
        ...(options.meter !== undefined && { meter: options.meter }),
        ...(options.smu !== undefined && { sourceMeter: options.smu }),
        ...(path !== undefined && { path }),
        outDir,
        ...recordOptions(name, options),
        signal: interrupts.signal,
      },
      {
        stage: (now) => {
          stage = now;
          if (now === "done") return; // the progress line or the report says how it ended
          // A terminal's bar shows the stage beside its counts; a log gets a line for each.
          if (progress && terminal) progress.update(progressDone, now);
          else process.stderr.write(`${prefix}: ${now}\n`);
        },
        progress: (done, total, unit) => {
          progress ??= createProgress({ total, unit, label: `${prefix}` });
          progressDone = done;
          progress.update(done, terminal ? stage : undefined);
        },
        ...(process.stdin.isTTY && { askPerson: (message: string) => askPerson(message, interrupts.signal) }),
      },
    );
    progress?.finish();
    console.log(report(result));
  } catch (error) {
    // The error itself is printed once, below or by pms.ts.
    progress?.fail(error instanceof OpticalRunInterruptedError ? "interrupted" : undefined);
    if (error instanceof OpticalOptionError) throw new CommandLineError(error.messageFor(flagOf));
    const interrupted =
      error instanceof OpticalRunInterruptedError ||
      (error instanceof AggregateError && error.errors[0] instanceof OpticalRunInterruptedError);
    if (!interrupted) throw error;
    process.stderr.write(`${prefix}: ${describeError(error)}\n`);
    process.exitCode = interrupts.exitCode;
  } finally {
    interrupts.dispose();
  }
}

/** Asks the person at the bench on the terminal; Ctrl-C at the prompt is the command's Ctrl-C. */
export async function askPerson(message: string, signal: AbortSignal): Promise<void> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  // readline takes Ctrl-C from a terminal in raw mode: hand it on as the signal it is.
  prompt.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
  try {
    await prompt.question(`${message} Press Enter when they are there: `, { signal });
  } finally {
    prompt.close();
  }
}

function report(r: OpticalJobResult): string {
  const about: [string, string][] = [
    ["bench", `${r.bench}${r.virtual ? " (virtual, simulated time)" : ""}`],
    ["laser", `${r.laser.name}: ${r.laser.identity}`],
    ["meter", `${r.meter.name}: ${r.meter.identity}`],
    ["path", r.path ?? "not recorded (the fibres were not moved)"],
  ];
  const files: [string, string][] = [
    ["run", recordLine(r.record)],
    ["data", `${r.files.data}  (+ run.json, commands.jsonl${r.files.more ? `, ${r.files.more}` : ""})`],
    ["plot", r.files.plot],
  ];
  const field = ([k, v]: [string, string]) => `  ${k.padEnd(11)} ${v}`;
  switch (r.kind) {
    case "spectrum": {
      const s = r.summary;
      const dips = s.spectrum.dips;
      const lines: [string, string][] = [...about, ["points", String(s.points)]];
      if (s.wavelengthUncertainty !== undefined) {
        lines.push([
          "timing",
          `each reading's wavelength within ±${pm(s.wavelengthUncertainty)} pm (timing × speed)`,
        ]);
      }
      lines.push([
        "dips",
        dips.length === 0 ? "none with 3 dB of prominence or more" : `${dips.length} found`,
      ]);
      const table = dips.length
        ? [
            "  wavelength (nm)  depth (dB)  FWHM (pm)  Q",
            ...dips.map(
              (d) =>
                `  ${(d.wavelength * 1e9).toFixed(4).padEnd(16)} ${d.depthDb.toFixed(2).padEnd(11)} ${(d.fwhm === undefined ? "n/a" : pm(d.fwhm)).padEnd(10)} ${d.q === undefined ? (d.fwhmUnavailable ?? "n/a") : d.q.toFixed(0)}`,
            ),
          ]
        : [];
      const fsr =
        dips.length >= 2
          ? [
              `  free spectral range ${((((dips.at(-1)?.wavelength as number) - (dips[0]?.wavelength as number)) * 1e9) / (dips.length - 1)).toFixed(3)} nm (mean spacing)`,
            ]
          : [];
      return [
        `pms spectrum: ${r.mode} transmission spectrum`,
        ...lines.map(field),
        ...table,
        ...fsr,
        ...files.map(field),
      ].join("\n");
    }
    case "tune": {
      const s = r.summary;
      const table = [
        "  current (mA)  voltage (V)  power (mW)  resonance (nm)  FWHM (pm)",
        ...s.points.map(
          (p) =>
            `  ${(p.current * 1e3).toFixed(3).padEnd(13)} ${fixed(p.voltage, 4).padEnd(12)} ${fixed(p.heaterPower * 1e3, 4).padEnd(11)} ${Number.isFinite(p.resonance) ? (p.resonance * 1e9).toFixed(4).padEnd(15) : "not found      "} ${Number.isFinite(p.fwhm) ? pm(p.fwhm) : "n/a"}`,
        ),
      ];
      const efficiency = s.efficiency
        ? `${s.efficiency.pmPerMw.toFixed(2)} ± ${s.efficiency.error.toFixed(2)} pm/mW (resonance shift per mW of heater power; R² ${s.fit?.r2.toFixed(5)})`
        : "not fitted: fewer than 3 steps found a resonance";
      return [
        "pms tune: heater tuning",
        ...[...about, ["heater", `${r.source.name}: ${r.source.identity}`] as [string, string]].map(field),
        ...table,
        ...[["efficiency", efficiency] as [string, string], ...files].map(field),
      ].join("\n");
    }
    case "detector": {
      const s = r.summary;
      const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;
      return [
        `pms calibrate detector: meter against the laser's monitor at ${(s.wavelength * 1e9).toFixed(3)} nm`,
        ...about.map(field),
        `  dark level  ${(mean(s.dark) * 1e9).toFixed(4)} nW (mean of ${s.dark.length}, the light off)`,
        "  setpoint (mW)  monitor (mW)  meter, mean (mW)",
        ...s.levels.map(
          (l) =>
            `  ${(l.setpoint * 1e3).toFixed(4).padEnd(14)} ${(mean(l.monitored) * 1e3).toFixed(5).padEnd(13)} ${(mean(l.readings) * 1e3).toFixed(6)}`,
        ),
        ...files.map(field),
      ].join("\n");
    }
    case "pcm": {
      const ro = r.summary.readouts;
      const dB = (t: number) => 10 * Math.log10(t);
      const first = ro.transmission[0] as number;
      const last = ro.transmission[ro.transmission.length - 1] as number;
      const table = [
        "  pulse  transmission (dB)  pulse took (ms)",
        ...Array.from(
          ro.pulse,
          (p, k) =>
            `  ${String(p).padEnd(6)} ${dB(ro.transmission[k] as number)
              .toFixed(3)
              .padEnd(
                18,
              )} ${p === 0 ? "(before the first)" : ((ro.pulseDuration[k] as number) * 1e3).toFixed(1)}`,
        ),
      ];
      const change = `${dB(first).toFixed(2)} dB before, ${dB(last).toFixed(2)} dB after pulse ${r.summary.pulses}: ${dB(last) - dB(first) >= 0 ? "+" : ""}${(dB(last) - dB(first)).toFixed(2)} dB`;
      return [
        "pms pcm: phase-change programming",
        ...[...about, ["source", `${r.source.name}: ${r.source.identity}`] as [string, string]].map(field),
        ...table,
        ...[["change", change] as [string, string], ...files].map(field),
      ].join("\n");
    }
    case "pcm-scan": {
      const first = r.summary.readouts.find((x) => Number.isFinite(x.resonance))?.resonance ?? Number.NaN;
      return [
        "phase-change programming, read out by spectra",
        ...[...about, ["source", `${r.source.name}: ${r.source.identity}`] as [string, string]].map(field),
        "  pulse  amplitude  width (ms)  resonance shift (pm)",
        ...r.summary.readouts.map(
          (x) =>
            `  ${String(x.pulse).padEnd(6)} ${String(x.amplitude).padEnd(10)} ${(x.width * 1e3).toFixed(1).padEnd(11)} ${Number.isFinite(x.resonance) ? ((x.resonance - first) * 1e12).toFixed(1) : "no dip found"}`,
        ),
        ...files.map(field),
      ].join("\n");
    }
  }
}

/** `value.toFixed(digits)`, without the minus of a value that rounds to zero. */
function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text;
}

/** m → pm, to a sensible precision. */
function pm(metres: number): string {
  const value = metres * 1e12;
  return value >= 10 ? value.toFixed(1) : value.toPrecision(2);
}
