/**
 * `pms calibrate <recipe>`: the calibration recipes of calibration/ (issue
 * 18), on a bench file or the embedded virtual bench. Each measures
 * through the plans (its runs kept in the store), fits, and writes a model
 * card and a plot of data against fit; this file is their options in the
 * units people type, their progress, their signals and their report.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { calibrateRing } from "../../../calibration/ring.js";
import { formatCard } from "../../fit/card.js";
import { CommandLineError } from "../errors.js";
import { parseNumber } from "../options.js";
import { createProgress, type Progress } from "../progress.js";
import { addRecordOptions, recordOptions } from "../record-report.js";

interface RingFlags {
  bench?: string;
  out: string;
  start: number;
  stop: number;
  step: number;
  power: number;
  chip: string;
  store?: string;
  durable?: boolean;
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
  const ring = calibrate
    .command("ring")
    .description(
      "grating couplers and microring from two transmission spectra (reference waveguide and ring path)",
    )
    .option(
      "--bench <file>",
      "a bench file (pms virtual --bench writes one); default: the embedded virtual bench",
    )
    .option("--out <dir>", "folder for the runs' files, card.json and ring-fit.svg", "calibration-ring")
    .option("--start <nm>", "first wavelength, nm", parseNumber, 1540)
    .option("--stop <nm>", "last wavelength, nm", parseNumber, 1570)
    .option("--step <pm>", "wavelength step, pm", parseNumber, 10)
    .option("--power <mW>", "laser power, mW", parseNumber, 1)
    .option("--chip <id>", "the chip's id, for the card", "demo-chip")
    .addHelpText(
      "after",
      `
What it fits, and what a transmission spectrum cannot tell:
  - the couplers from the reference path: the product of their peak
    efficiencies, one centre and one 1 dB width (given per coupler, assuming
    the two identical);
  - the ring from its path divided by the reference: self-coupling r,
    round-trip amplitude a, effective and group index; loaded Q, intrinsic Q.
    Under- and over-coupling give the same dip: the card gives both readings.

Example:
  pms calibrate ring --start 1545 --stop 1565 --step 20 --out cal/ring
  pms card show cal/ring/card.json`,
    );
  addRecordOptions(ring).action(async (flags: RingFlags) => {
    if (!(flags.stop > flags.start)) throw new CommandLineError("--stop must be above --start");
    if (!(flags.step > 0)) throw new CommandLineError("--step must be a positive number of pm");
    if (!(flags.power > 0)) throw new CommandLineError("--power must be a positive number of mW");
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\npms calibrate ring: ${signal}: stopping, then turning the laser off\n`);
      controller.abort(signal);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let progress: Progress | undefined;
    let label = "pms calibrate ring";
    try {
      const result = await calibrateRing(
        {
          ...(flags.bench !== undefined && { bench: flags.bench }),
          outDir: flags.out,
          start: flags.start * 1e-9,
          stop: flags.stop * 1e-9,
          step: flags.step * 1e-12,
          power: flags.power * 1e-3,
          chipId: flags.chip,
          ...recordOptions("calibrate ring", flags),
          signal: controller.signal,
        },
        {
          stage: (stage) => {
            if (stage.startsWith("measuring") || stage.startsWith("fitting")) {
              progress?.finish();
              progress = undefined;
              label = `pms calibrate ring: ${stage}`;
              process.stderr.write(`${label}\n`);
            }
          },
          progress: (done, total, unit) => {
            progress ??= createProgress({ total, unit, label });
            progress.update(done);
          },
        },
      );
      progress?.finish();
      process.stdout.write(formatCard(result.card));
      process.stdout.write(`\ncard: ${result.cardFile}\nplot: ${result.plotFile}\n`);
      process.stdout.write(`runs: ${result.runs.join(", ")} (in ${join(flags.out)}: one folder per path)\n`);
    } catch (error) {
      progress?.fail(controller.signal.aborted ? "interrupted" : undefined);
      throw error;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}
