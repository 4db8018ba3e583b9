/**
 * `pms runs`: what the run store holds (issue 17, "Query API and CLI").
 * `list` prints a table of runs (newest first) narrowed by plan, chip,
 * status and start time; `show` one run: what ran, on which bench, with
 * which model, its streams with their units and event counts, and how it
 * ended; `export` writes a run as CSV files (one per stream) or one HDF5
 * file (a group per stream, a dataset per key, units as attributes), with
 * a progress bar on large runs. The store is opened read-only: a reader never marks, locks
 * or slows a run being written (a live run shows as `running`).
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Command, Option } from "commander";
import { dtypeName } from "../../record/documents.js";
import { exportRunCsv } from "../../record/export-csv.js";
import { exportRunHdf5 } from "../../record/export-hdf5.js";
import { DEFAULT_STORE, openStore } from "../../record/store/open.js";
import type { RunStatus, RunSummary } from "../../record/store/types.js";
import { CommandLineError } from "../errors.js";
import { createProgress } from "../progress.js";

const STATUSES: readonly RunStatus[] = ["running", "success", "abort", "fail"];

/** A date or date-time as ISO 8601 or anything Date parses ("2026-12-07", "2026-12-07T14:00"), as s since the epoch. */
function parseWhen(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms))
    throw new CommandLineError(`not a date or time: "${text}" (e.g. 2026-12-07 or 2026-12-07T14:30)`);
  return ms / 1000;
}

function parseCount(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CommandLineError(`--limit: a whole number ≥ 1, got "${text}"`);
  return n;
}

const storeOption = () =>
  new Option(
    "--store <uri>",
    "the run store: sqlite:<file>, a path, or postgres://user@host/db[?schema=name]",
  ).default(process.env.PMS_STORE ?? DEFAULT_STORE, "$PMS_STORE, or sqlite:runs.sqlite in this folder");

export function registerRuns(program: Command): void {
  const runs = program
    .command("runs")
    .description("list, show and export the runs a run store holds")
    .addHelpText(
      "after",
      `
Every recorded command (pms iv, spectrum, tune, pcm) keeps its run in the
store as documents: a RunStart (plan, arguments, bench snapshot, model), one
descriptor per stream (its data keys with units), the events in pages, and
a RunStop (success, abort or fail, and why). A run whose process died
without a RunStop is shown as abort, "process ended without RunStop".

A uid may be shortened to its first 8 or more characters.

Examples:
  pms runs list --plan iv --since 2026-12-01
  pms runs show 3f2a9c1e
  pms runs export 3f2a9c1e --out exports/
  pms runs list --store sqlite:/data/lab/runs.sqlite --status abort
  pms runs migrate --store sqlite:old-runs.sqlite   # a store of an older version, made readable`,
    );

  runs
    .command("migrate")
    .description(
      "bring a store of an older version to this version's schema (recording into it does the same); " +
        "list, show and export only read, and refuse an older store",
    )
    .addOption(storeOption())
    .action(async (options) => {
      // Opened for writing: the migrations run in one transaction as it opens; nothing else is written.
      const store = await openStore(options.store);
      try {
        console.log(`${store.uri}: at this version's schema; list, show and export read it`);
      } finally {
        await store.close();
      }
    });

  runs
    .command("list")
    .description("a table of runs, newest first")
    .addOption(storeOption())
    .option("--plan <name>", "only runs of this plan (iv, spectrum, tune, pcm)")
    .option("--chip <id>", "only runs on this chip")
    .addOption(new Option("--status <status>", "only runs that ended so").choices(STATUSES))
    .option("--since <date>", "only runs started at or after", parseWhen)
    .option("--until <date>", "only runs started before", parseWhen)
    .option("--limit <n>", "at most this many (the newest)", parseCount, 50)
    .action(async (options) => {
      const store = await openStore(options.store, { readonly: true });
      try {
        const found = await store.runs({
          ...(options.plan !== undefined && { plan: options.plan }),
          ...(options.chip !== undefined && { chip: options.chip }),
          ...(options.status !== undefined && { status: options.status }),
          ...(options.since !== undefined && { since: options.since }),
          ...(options.until !== undefined && { until: options.until }),
        });
        const newest = [...found].sort((a, b) => b.startWallTime - a.startWallTime);
        const shown = newest.slice(0, options.limit);
        console.log(runTable(shown));
        const more = newest.length - shown.length;
        console.log(
          `${found.length} run${found.length === 1 ? "" : "s"} in ${store.uri}${more > 0 ? ` (${more} older not shown: --limit)` : ""}`,
        );
      } finally {
        await store.close();
      }
    });

  runs
    .command("show")
    .description("one run: what ran, where, its streams, how it ended")
    .argument("<uid>", "the run's uid (or its first 8+ characters)")
    .addOption(storeOption())
    .action(async (uid: string, options) => {
      const store = await openStore(options.store, { readonly: true });
      try {
        const run = await store.run(uid);
        const streams = await run.streams();
        const { start, summary } = run;
        const lines = [
          `run ${run.uid}  (${store.uri})`,
          `  plan        ${start.plan}${start.chip ? ` on ${start.chip}` : ""}`,
          `  started     ${new Date(summary.startWallTime * 1000).toISOString()} on ${summary.hostname || "?"}`,
          `  status      ${summary.status}${summary.reason ? `: ${summary.reason}` : ""}${
            summary.stopWallTime !== undefined
              ? ` (after ${(summary.stopWallTime - summary.startWallTime).toFixed(1)} s)`
              : ""
          }`,
          `  arguments   ${start.argumentsJson}`,
        ];
        for (const instrument of start.bench?.instruments ?? []) {
          const id = instrument.identity;
          lines.push(
            `  instrument  ${instrument.name}: ${id?.manufacturer ?? ""} ${id?.model ?? ""} (serial ${id?.serialNumber ?? "?"}) at ${id?.resource ?? "?"}`,
          );
        }
        if (start.model?.id) {
          const parameters = (start.model.parameters ?? []).map(
            (p) => `${p.name}=${p.value}${p.unit && p.unit !== "1" ? ` ${p.unit}` : ""}`,
          );
          lines.push(`  model       ${start.model.id}: ${parameters.join(", ")}`);
        }
        lines.push("  streams");
        for (const stream of streams) {
          const keys = stream.dataKeys.map(
            (k) => `${k.key}${k.unit ? ` (${k.unit})` : ""}${dtypeName(k.dtype) === "text" ? " text" : ""}`,
          );
          const events = `${stream.events} event${stream.events === 1 ? "" : "s"} in ${stream.pages} page${stream.pages === 1 ? "" : "s"}`;
          lines.push(`    ${stream.name.padEnd(10)} ${events.padStart(24)}: ${keys.join(", ")}`);
        }
        console.log(lines.join("\n"));
      } finally {
        await store.close();
      }
    });

  runs
    .command("export")
    .description("write a run's streams as files")
    .argument("<uid>", "the run's uid (or its first 8+ characters)")
    .addOption(storeOption())
    .addOption(
      new Option("--format <format>", "csv: a file per stream; hdf5: one file, a group per stream")
        .choices(["csv", "hdf5"])
        .default("csv"),
    )
    .option(
      "-o, --out <path>",
      "csv: the folder (default: exports/<uid>); hdf5: the file (default: exports/<uid>.h5)",
    )
    .action(async (uid: string, options) => {
      const store = await openStore(options.store, { readonly: true });
      try {
        const run = await store.run(uid);
        const streams = await run.streams();
        const total = streams.reduce((n, s) => n + s.events, 0);
        const progress = createProgress({
          total: Math.max(total, 1),
          label: `exporting run ${run.uid.slice(0, 8)} as ${options.format}`,
          unit: "events",
        });
        const report = (done: number) => progress.update(done);
        let written: Array<{ stream: string; events: number; file: string }>;
        if (options.format === "hdf5") {
          const file = options.out ?? `exports/${run.uid}.h5`;
          mkdirSync(dirname(resolve(file)), { recursive: true });
          const exported = await exportRunHdf5(run, file, { progress: report });
          written = exported.streams.map((s) => ({ ...s, file: `${exported.file}:/${s.stream}` }));
        } else {
          const dir = options.out ?? `exports/${run.uid}`;
          mkdirSync(dir, { recursive: true });
          written = await exportRunCsv(run, dir, { progress: report });
        }
        progress.finish();
        for (const file of written) {
          console.log(`${file.stream.padEnd(10)} ${String(file.events).padStart(9)} events  ${file.file}`);
        }
      } finally {
        await store.close();
      }
    });
}

/** Runs as an aligned table. */
function runTable(runs: readonly RunSummary[]): string {
  const rows = [
    ["uid", "started (UTC)", "plan", "chip", "status", "events", "reason"],
    ...runs.map((r) => [
      r.uid.slice(0, 8),
      new Date(r.startWallTime * 1000).toISOString().slice(0, 19).replace("T", " "),
      r.plan,
      r.chip || "-",
      r.status,
      String(r.events.primary ?? Object.values(r.events).reduce((a, b) => a + b, 0)),
      r.reason,
    ]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] as string).length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c === 5 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
