/**
 * `pms iv`: a bipolar I-V sweep of a memristor, compared with its model.
 * The job itself is src/plans/iv-job.ts (the plan: src/plans/iv.ts); this file is its options, its
 * signals and its report.
 */
import { join } from "node:path";
import { type Command, Option } from "commander";
import { vteamParamsOfCard } from "../../../calibration/memristor.js";
import { DEFAULT_SAFETY_LIMITS } from "../../drivers/instruments/safety.js";
import { readCard } from "../../fit/card.js";
import { memristorModels } from "../../models/memristor/registry.js";
import {
  type IvJobResult,
  IvOptionError,
  LIST_ENGINE_POINTS,
  RunInterruptedError,
  runIvJob,
} from "../../plans/iv-job.js";
import { CommandLineError, describeError } from "../errors.js";
import { listenForInterrupts } from "../interrupts.js";
import { parseAssignment, parseLimit, parseNumber, parsePositiveInteger } from "../options.js";
import { addRecordOptions, recordLine, recordOptions } from "../record-report.js";

/** The flag a user typed for each option of the job, so that messages speak of it. */
const FLAGS: Readonly<Record<string, string>> = {
  resource: "--resource",
  bench: "--bench",
  instrument: "--smu",
  amplitude: "--amplitude",
  pointsPerCycle: "--points",
  cycles: "--cycles",
  compliance: "--compliance",
  nplc: "--nplc",
  sourceDelay: "--source-delay",
  model: "--model",
  "limits.maxAbsVoltage": "--max-voltage",
  "limits.maxAbsCurrent": "--max-current",
  "limits.maxVoltageStep": "--max-step",
  timeoutMs: "--timeout",
  seed: "--seed",
  outDir: "--out",
  store: "--store",
};
const flagOf = (option: string): string => FLAGS[option] ?? option;

export function registerIv(program: Command): void {
  const iv = program
    .command("iv")
    .description(
      "sweep a bipolar voltage triangle over a memristor with a Keithley 2400 (by default one on the embedded virtual bench: the demo chip's standalone memristor, in simulated time), compare with a model, record the run",
    )
    .option(
      "-r, --resource <visa>",
      "instrument to use, e.g. ASRL/dev/ttyUSB0::INSTR or TCPIP::192.0.2.7::5025::SOCKET (default: start the virtual bench on its event clock)",
    )
    .option(
      "-b, --bench <file>",
      "run on a source-meter of a bench file (JSON or YAML; `pms virtual --bench` writes one), with its limits",
    )
    .option("--smu <name>", "the bench file's source-meter to use (default: its first)")
    .option("-a, --amplitude <V>", "peak voltage of the triangle, V", parseNumber, 1.2)
    .option(
      "-n, --points <n>",
      `levels per cycle: a multiple of 4, at least 4 × amplitude / max-step (48 at the defaults); up to ${2 * LIST_ENGINE_POINTS} runs in the list engine, more steps in fixed mode`,
      parsePositiveInteger,
      200,
    )
    .option("-c, --cycles <n>", "number of cycles", parsePositiveInteger, 2)
    .option("--compliance <A>", "current compliance, A", parseNumber, 10e-3)
    .option("--nplc <plc>", "integration time per reading, power-line cycles (0.01 to 10)", parseNumber, 1)
    .option("--source-delay <s>", "settling time before each reading, s", parseNumber, 1e-3)
    .option("-m, --model <id>", `model to compare with: ${Object.keys(memristorModels).join(", ")}`, "vteam")
    .addOption(
      new Option(
        "-p, --param <name=value>",
        "model parameter to use instead of its default, SI units (repeat for more), e.g. rOn=1200",
      )
        .argParser(parseAssignment)
        .default({}, "the model's defaults"),
    )
    .option(
      "--card <file>",
      "a memristor card (pms calibrate memristor) whose VTEAM parameters the model runs with; --param overrides single ones",
    )
    .option(
      "--max-voltage <V>",
      "safety limit: largest |V| the device may see, or none",
      parseLimit,
      DEFAULT_SAFETY_LIMITS.maxAbsVoltage,
    )
    .option(
      "--max-current <A>",
      "safety limit: largest |I| (caps the compliance), or none",
      parseLimit,
      DEFAULT_SAFETY_LIMITS.maxAbsCurrent,
    )
    .option(
      "--max-step <V>",
      "safety limit: largest voltage change between two levels while the output is on, or none",
      parseLimit,
      DEFAULT_SAFETY_LIMITS.maxVoltageStep,
    )
    .option("--timeout <ms>", "reply timeout of ordinary commands, ms (1 to 2147483647)", parseNumber, 2000)
    .option("--seed <n>", "noise seed of the virtual instrument", parseNumber, 1)
    .option("-o, --out <dir>", "folder for the run's files (default: runs/<time>-iv)");
  addRecordOptions(iv)
    .addHelpText(
      "after",
      `
How the triangle runs. The 2400 returns its source to the bias (0 V) after
every list sweep, so the longest piece one list sweep can run without a jump
is a half cycle (0 -> +A -> 0). With -n up to ${2 * LIST_ENGINE_POINTS}, each half cycle is one list
sweep in the instrument's engine: the time per point is the instrument's own
(source delay + NPLC/50 s + about 1 ms), about 25 ms at the defaults. Above
${2 * LIST_ENGINE_POINTS}, the driver steps level by level in fixed mode (set, check the error
queue, read): three command round trips per point on top of the
measurement, about 3 ms more per point over LAN and 30 ms or more over
RS-232 at 9600 baud. Each batch is compared with the model as it arrives.

Safety. Limits are merged over safe defaults (2 V, 0.1 A, 0.1 V steps);
'none' turns one off. Every level and step is checked before a byte is sent;
a sweep that would break a limit is refused, with the limit named. After any
failed exchange the driver reads the level back before it moves again.
Ctrl-C (or SIGTERM) stops at the next checkpoint, ramps the source to 0 V,
turns the output off, keeps every row already recorded, ends the run
"abort" (in the store and in run.json) and exits 130 (143); a second Ctrl-C says what is still being
done, a third exits at once without confirming the output is off.

The run is kept in the run store (--store; 'pms' prints its uid): a RunStart
with the bench snapshot and the model, the readings as pages of the primary
stream, every SCPI exchange, and a RunStop saying how it ended. Also written
to the run folder:
  data.csv        time_s, voltage_V, current_A, predicted_current_A, residual_A
  run.json        configuration, instrument, model and parameters, summary, how it ended
  commands.jsonl  every SCPI command and reply, timed

Examples:
  pms iv                                     # the virtual bench, defaults
  pms iv -a 1.5 -n 400 -c 3 -m linear-ion-drift-biolek   # fixed mode: 400 > ${2 * LIST_ENGINE_POINTS}
  pms iv -p rOn=1200 -p rOff=16000             # compare with other parameters
  pms iv -r ASRL/dev/ttyUSB0::INSTR --max-voltage 1.5 --compliance 1e-3
  pms iv --bench bench.json --smu smu2 -a 1 --compliance 5e-3   # the bench file's 2450`,
    )
    .action(async (options, command: Command) => {
      const outDir = options.out ?? join("runs", `${new Date().toISOString().replace(/[:.]/g, "-")}-iv`);
      const interactive = process.stderr.isTTY;
      let stage = "starting";
      const interrupts = listenForInterrupts("pms iv", () => stage, {
        safing: "making the instrument safe",
        unconfirmed: "the source-meter's output is NOT confirmed off; check the instrument",
      });
      try {
        if (options.bench) {
          const given = ["maxVoltage", "maxCurrent", "maxStep"].filter(
            (key) => command.getOptionValueSource(key) === "cli",
          );
          if (given.length > 0) {
            throw new CommandLineError(
              `--bench takes the limits of its bench file; drop ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")} or set them in the file`,
            );
          }
        }
        const result = await runIvJob(
          {
            resource: options.resource,
            bench: options.bench,
            instrument: options.smu,
            amplitude: options.amplitude,
            pointsPerCycle: options.points,
            cycles: options.cycles,
            compliance: options.compliance,
            nplc: options.nplc,
            sourceDelay: options.sourceDelay,
            model: options.model,
            params: { ...paramsOfCard(options.card, options.model), ...options.param },
            limits: {
              maxAbsVoltage: options.maxVoltage,
              maxAbsCurrent: options.maxCurrent,
              maxVoltageStep: options.maxStep,
            },
            outDir,
            ...recordOptions("iv", options),
            timeoutMs: options.timeout,
            seed: options.seed,
            signal: interrupts.signal,
            onStage: (now) => {
              stage = now;
            },
          },
          (done, total) => {
            const line = `  sweeping: ${done}/${total} points`;
            // A terminal gets one line that counts up; a log gets a line per batch.
            process.stderr.write(interactive ? `\r${line}${done === total ? "\n" : ""}` : `${line}\n`);
          },
        );
        console.log(report(result, options));
      } catch (error) {
        if (error instanceof IvOptionError) throw new CommandLineError(error.messageFor(flagOf));
        const interrupted =
          error instanceof RunInterruptedError ||
          (error instanceof AggregateError && error.errors[0] instanceof RunInterruptedError);
        if (!interrupted) throw error;
        process.stderr.write(`pms iv: ${describeError(error)}\n`);
        process.exitCode = interrupts.exitCode;
      } finally {
        interrupts.dispose();
      }
    });
}

function report(
  r: IvJobResult,
  o: {
    amplitude: number;
    points: number;
    cycles: number;
    model: string;
    param: Record<string, number>;
    card?: string;
  },
): string {
  const si = (value: number, unit: string) => `${value.toPrecision(3)} ${unit}`;
  const h = r.hysteresis;
  const maxAtZero = Math.max(0, ...Array.from(h.currentAtZero, Math.abs));
  const rows = [
    ["instrument", `${r.identity}${r.virtual ? ", virtual" : ""}, at ${r.resource}`],
    [
      "sweep",
      `±${o.amplitude} V triangle, ${o.points} levels/cycle × ${o.cycles} cycles, ${
        r.mode === "list" ? `${r.chunks} list sweeps` : `stepped in fixed mode, ${r.chunks} batches`
      }`,
    ],
    ["points", `${r.points} measured, ${r.inCompliance} in compliance`],
    [
      "hysteresis",
      r.hysteresisSeen
        ? `yes: branches differ by ${(100 * h.branchSeparation).toFixed(1)} % of max |I| at ${h.atVoltage} V; loop area ${si(h.loopArea, "W")}; pinched: |I(0 V)| ≤ ${si(maxAtZero, "A")}`
        : `no (branches differ by ${(100 * h.branchSeparation).toFixed(1)} % of max |I|, threshold 5 %)`,
    ],
    [
      "model",
      `${o.model}, ${
        o.card !== undefined
          ? `the card ${o.card}${
              Object.keys(o.param).length
                ? ` but ${Object.entries(o.param)
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ")}`
                : ""
            }`
          : Object.keys(o.param).length
            ? `defaults but ${Object.entries(o.param)
                .map(([k, v]) => `${k}=${v}`)
                .join(", ")}`
            : "default parameters"
      }: RMS residual ${si(r.rmsResidual, "A")} (${((100 * r.rmsResidual) / r.rmsCurrent).toFixed(1)} % of RMS current)`,
    ],
    ["run", recordLine(r.record)],
    ["data", `${r.files.data}  (+ run.json, commands.jsonl)`],
    ["plot", r.files.plot],
  ];
  return ["pms iv: bipolar I-V sweep", ...rows.map(([k, v]) => `  ${k?.padEnd(11)} ${v}`)].join("\n");
}

/** The VTEAM parameters of `file`'s memristor card (none without one); refused for another model or a bad card. */
function paramsOfCard(file: string | undefined, model: string): Record<string, number> {
  if (file === undefined) return {};
  if (model !== "vteam") {
    throw new CommandLineError(`--card holds VTEAM parameters; it needs --model vteam, not ${model}`);
  }
  try {
    return { ...vteamParamsOfCard(readCard(file), file) };
  } catch (error) {
    throw new CommandLineError(`--card: ${error instanceof Error ? error.message : String(error)}`);
  }
}
