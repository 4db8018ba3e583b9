/**
 * How a recording command is told where its run goes (`--store`,
 * `--durable`, `$PMS_STORE`), and what the command line says of a run's
 * record: a line on stderr when the
 * plan had to wait for the run store (its backlog full) for a noticeable
 * time, or when the run folder's files fell behind and dropped pages (the
 * store keeps every one); and the summary's `run` line with the run's uid,
 * its store, and what recording cost (issue 17: every wait and every drop
 * is reported, none is silent).
 */
import type { Command } from "commander";
import type { RunRecord } from "../plans/records.js";
import type { RouterReport } from "../record/router.js";

/** Waits shorter than this are summed in the `run` line, not printed one by one, s. */
const NOTICEABLE_WAIT_S = 0.1;

/** A reporter for `pms <command>` that writes to `write` (default: stderr). */
export function recordReporter(
  command: string,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): (report: RouterReport) => void {
  return (report) => {
    if (report.kind === "wait" && report.seconds >= NOTICEABLE_WAIT_S) {
      write(
        `pms ${command}: waited ${report.seconds.toFixed(2)} s for the run store to commit (its backlog was full)`,
      );
    } else if (report.kind === "drop") {
      write(
        `pms ${command}: the run folder's files fell behind: ${report.dropped} page${report.dropped === 1 ? "" : "s"} ` +
          "left out of them so far (the run store keeps every one)",
      );
    }
  };
}

/** The summary's `run` line: "<uid> in <store>", then what recording cost, if anything. */
export function recordLine(record: RunRecord): string {
  const costs: string[] = [];
  if (record.waits && record.waits.count > 0) {
    costs.push(`waited ${record.waits.seconds.toFixed(2)} s in ${record.waits.count} waits for the store`);
  }
  for (const [sink, pages] of Object.entries(record.dropped ?? {})) {
    costs.push(`${pages} page${pages === 1 ? "" : "s"} left out of the ${sink} files`);
  }
  return `${record.uid} in ${record.store}${costs.length > 0 ? ` (${costs.join("; ")})` : ""}`;
}

/** Adds `--store` and `--durable` to a command that records a run. */
export function addRecordOptions(command: Command): Command {
  return command
    .option(
      "--store <uri>",
      "the run store the run is kept in: sqlite:<file>, a path, or postgres://user@host/db[?schema=name] (default: $PMS_STORE, or the bench file's store, or sqlite:runs.sqlite in this folder)",
    )
    .option(
      "--durable",
      "commit the store so that a power cut loses nothing acknowledged (SQLite synchronous=FULL; slower). Without it a committed page survives the process, not the power",
    );
}

/** The job options those flags give (`--store`, else $PMS_STORE), with the reporter of `pms <command>`. */
export function recordOptions(
  command: string,
  flags: { readonly store?: string; readonly durable?: boolean },
): { store?: string; durable?: boolean; onRecordReport: (report: RouterReport) => void } {
  const store = flags.store ?? process.env.PMS_STORE;
  return {
    ...(store !== undefined && { store }),
    ...(flags.durable === true && { durable: true }),
    onRecordReport: recordReporter(command),
  };
}
