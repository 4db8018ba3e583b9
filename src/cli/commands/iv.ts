/**
 * `pms iv`: a bipolar I-V sweep of a memristor, compared with its model.
 * The job itself is src/cli/iv-job.ts; this file is its options and its
 * report.
 */
import { join } from "node:path";
import { type Command, Option } from "commander";
import { memristorModels } from "../../models/memristor/registry.js";
import { type IvJobResult, runIvJob } from "../iv-job.js";
import { parseAssignment, parseNumber, parsePositiveInteger } from "../options.js";

export function registerIv(program: Command): void {
  program
    .command("iv")
    .description(
      "sweep a bipolar voltage triangle over a memristor with a Keithley 2400 (the embedded virtual one by default), compare with a model, record the run",
    )
    .option(
      "-r, --resource <visa>",
      "instrument to use, e.g. ASRL/dev/ttyUSB0::INSTR or TCPIP::192.0.2.7::5025::SOCKET (default: start the virtual 2400)",
    )
    .option("-a, --amplitude <V>", "peak voltage of the triangle, V", parseNumber, 1.2)
    .option("-n, --points <n>", "levels per cycle (a multiple of 4)", parsePositiveInteger, 200)
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
    .option("--max-voltage <V>", "safety limit: largest |V| the device may see", parseNumber, 2)
    .option("--max-current <A>", "safety limit: largest |I| (caps the compliance)", parseNumber, 0.1)
    .option("--max-step <V>", "safety limit: largest voltage change between two levels", parseNumber, 0.1)
    .option("--timeout <ms>", "reply timeout of ordinary commands, ms", parseNumber, 2000)
    .option("--seed <n>", "noise seed of the virtual instrument", parseNumber, 1)
    .option("-o, --out <dir>", "folder for the run's files (default: runs/<time>-iv)")
    .addHelpText(
      "after",
      `
The sweep runs in the 2400's own list-sweep engine, a half cycle per chunk;
each chunk is compared with the model as it arrives. Safety limits are
checked for every level before the first byte is sent: a sweep that would
break one is refused, with the limit named.

Files written to the run folder:
  data.csv        time_s, voltage_V, current_A, predicted_current_A, residual_A
  run.json        configuration, instrument, model and parameters, summary
  commands.jsonl  every SCPI command and reply, timed

Examples:
  pms iv                                     # the virtual bench, defaults
  pms iv -a 1.5 -n 400 -c 3 -m linear-ion-drift-biolek
  pms iv -p rOn=1200 -p rOff=16000             # compare with other parameters
  pms iv -r ASRL/dev/ttyUSB0::INSTR --max-voltage 1.5 --compliance 1e-3`,
    )
    .action(async (options) => {
      const outDir = options.out ?? join("runs", `${new Date().toISOString().replace(/[:.]/g, "-")}-iv`);
      const interactive = process.stderr.isTTY;
      const result = await runIvJob(
        {
          resource: options.resource,
          amplitude: options.amplitude,
          pointsPerCycle: options.points,
          cycles: options.cycles,
          compliance: options.compliance,
          nplc: options.nplc,
          sourceDelay: options.sourceDelay,
          model: options.model,
          params: options.param,
          limits: {
            maxAbsVoltage: options.maxVoltage,
            maxAbsCurrent: options.maxCurrent,
            maxVoltageStep: options.maxStep,
          },
          outDir,
          timeoutMs: options.timeout,
          seed: options.seed,
        },
        (done, total) => {
          const line = `  sweeping: ${done}/${total} points`;
          // A terminal gets one line that counts up; a log gets a line per chunk.
          process.stderr.write(interactive ? `\r${line}${done === total ? "\n" : ""}` : `${line}\n`);
        },
      );
      console.log(report(result, options));
    });
}

function report(
  r: IvJobResult,
  o: { amplitude: number; points: number; cycles: number; model: string; param: Record<string, number> },
): string {
  const si = (value: number, unit: string) => `${value.toPrecision(3)} ${unit}`;
  const h = r.hysteresis;
  const maxAtZero = Math.max(0, ...Array.from(h.currentAtZero, Math.abs));
  const rows = [
    ["instrument", `${r.identity}${r.virtual ? ", virtual" : ""}, at ${r.resource}`],
    [
      "sweep",
      `±${o.amplitude} V triangle, ${o.points} levels/cycle × ${o.cycles} cycles, ${r.chunks} list-sweep chunks`,
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
        Object.keys(o.param).length
          ? `defaults but ${Object.entries(o.param)
              .map(([k, v]) => `${k}=${v}`)
              .join(", ")}`
          : "default parameters"
      }: RMS residual ${si(r.rmsResidual, "A")} (${((100 * r.rmsResidual) / r.rmsCurrent).toFixed(1)} % of RMS current)`,
    ],
    ["data", `${r.files.data}  (+ run.json, commands.jsonl)`],
    ["plot", r.files.plot],
  ];
  return ["pms iv: bipolar I-V sweep", ...rows.map(([k, v]) => `  ${k?.padEnd(11)} ${v}`)].join("\n");
}
