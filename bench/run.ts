/**
 * Runs the benches (`npm run bench`, i.e. `node dist/bench/run.js [name…]`),
 * prints a table per bench and writes every row to bench/results.json
 * (git-ignored), each row with its target verdicts; a last line lists every
 * missed target. To add a bench, write a module exporting a `BenchModule`
 * (bench/harness.ts) and list it in BENCHES.
 */
import { writeFileSync } from "node:fs";
import { arch, cpus, platform } from "node:os";
import { join } from "node:path";
import { findPackageRoot } from "../src/core/load-node.js";
import { chipBench } from "./chip.js";
import { crossbarBench } from "./crossbar.js";
import { fitBench } from "./fit.js";
import { gatewayBench } from "./gateway.js";
import {
  type BenchModule,
  type BenchOptions,
  type BenchRow,
  checkTargets,
  type TargetVerdict,
} from "./harness.js";
import { memristorBench } from "./memristor.js";
import { meshBench } from "./mesh.js";
import { numpyUnavailable, numpyVersionString } from "./numpy-runner.js";
import { opticalBench } from "./optical.js";
import { phaseChangeBench } from "./phase-change.js";
import { ringBench } from "./ring.js";
import { scpiBench } from "./scpi.js";
import { storeBench } from "./store.js";
import { tmmBench } from "./tmm.js";

const BENCHES: readonly BenchModule[] = [
  memristorBench,
  meshBench,
  ringBench,
  tmmBench,
  phaseChangeBench,
  crossbarBench,
  chipBench,
  scpiBench,
  opticalBench,
  storeBench,
  fitBench,
  gatewayBench,
];

const OPTIONS: BenchOptions = { warmup: 1, repetitions: 5 };

/** Implementations known to come first, in this order; others follow as the rows name them. */
const IMPLEMENTATIONS = ["wasm", "ts reference", "numpy"] as const;

/** Every implementation the rows measured, known ones first; the first is what ratios are against. */
function implementationsOf(rows: readonly BenchRow[]): string[] {
  const named = rows.flatMap((row) => Object.keys(row.medianMs));
  return [...new Set<string>([...IMPLEMENTATIONS, ...named])].filter((name) => named.includes(name));
}

function formatTable(rows: readonly BenchRow[]): string {
  const shown = implementationsOf(rows);
  const base = shown[0] ?? "wasm";
  const others = shown.filter((name) => name !== base);
  const header = [
    "case",
    "work",
    ...shown.map((name) => `${name} (ms)`),
    ...others.map((name) => `${name}/${base}`),
    `${base} rate`,
    "targets",
    "notes",
  ];
  const lines = rows.map((row) => {
    const first = row.medianMs[base] ?? Number.NaN;
    const ms = (name: string) => row.medianMs[name];
    return [
      row.case,
      `${row.work.toExponential(0)} ${row.workUnit}`,
      ...shown.map((name) => (ms(name) === undefined ? "—" : (ms(name) as number).toPrecision(3))),
      ...others.map((name) =>
        ms(name) === undefined ? "—" : `${((ms(name) as number) / first).toFixed(2)}×`,
      ),
      `${((row.work / first) * 1e3).toExponential(2)}/s`,
      checkTargets(row).map(formatVerdict).join(", ") || "—",
      row.notes ?? "",
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => (l[c] as string).length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, c) => cell.padEnd(widths[c] as number)).join("  ");
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n");
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  "ts reference": "ts",
};

const MARKS: Readonly<Record<TargetVerdict["verdict"], string>> = {
  met: "✓",
  missed: "✗",
  "not measured": "(not measured)",
  "not comparable": "(results disagree: not judged)",
};

/** "≥1.5× ts ✓" */
function formatVerdict(verdict: TargetVerdict): string {
  const against = SHORT_NAMES[verdict.against] ?? verdict.against;
  const subject = verdict.subject === undefined ? "" : `${verdict.subject} `;
  return `${subject}≥${verdict.atLeast}× ${against} ${MARKS[verdict.verdict]}`;
}

/** The closing lines: every missed target with its ratio, then the targets with no figure to check. */
function formatSummary(rows: readonly BenchRow[]): string {
  const list = (verdict: TargetVerdict["verdict"]) =>
    rows.flatMap((row) =>
      checkTargets(row)
        .filter((v) => v.verdict === verdict)
        .map((v) => {
          const ratio = v.ratio === undefined ? "" : `: ${v.ratio.toFixed(2)}×`;
          return `${row.bench} / ${row.case}: ${v.subject ?? "wasm"} ≥${v.atLeast}× ${v.against}${ratio}`;
        }),
    );
  const missed = list("missed");
  const unmeasured = list("not measured");
  const incomparable = list("not comparable");
  const checked = rows.reduce((n, row) => n + checkTargets(row).length, 0);
  const judged = checked - unmeasured.length - incomparable.length;
  return [
    missed.length === 0
      ? `targets: none missed (${judged} judged of ${checked} declared)`
      : `targets missed (${missed.length} of ${judged} judged, ${checked} declared):\n  ${missed.join("\n  ")}`,
    ...(unmeasured.length === 0 ? [] : [`targets not measured:\n  ${unmeasured.join("\n  ")}`]),
    ...(incomparable.length === 0
      ? []
      : [`targets not judged (results disagree with the reference):\n  ${incomparable.join("\n  ")}`]),
  ].join("\n");
}

async function main(names: readonly string[]): Promise<void> {
  const selected = names.length === 0 ? BENCHES : BENCHES.filter((b) => names.includes(b.name));
  if (selected.length === 0) {
    throw new Error(`no bench named ${names.join(", ")}; have ${BENCHES.map((b) => b.name).join(", ")}`);
  }
  const rows: BenchRow[] = [];
  for (const bench of selected) {
    console.log(`\n${bench.name}: ${bench.description}`);
    console.log(`median of ${OPTIONS.repetitions} runs after ${OPTIONS.warmup} warm-up\n`);
    const benchRows = await bench.run(OPTIONS);
    console.log(formatTable(benchRows));
    rows.push(...benchRows);
  }
  const path = join(findPackageRoot(), "bench", "results.json");
  const machine = {
    node: process.version,
    numpy: numpyUnavailable() ?? numpyVersionString(),
    platform: platform(),
    arch: arch(),
    cpu: cpus()[0]?.model ?? "unknown",
  };
  writeFileSync(
    path,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine,
        options: OPTIONS,
        rows: rows.map((row) => ({ ...row, targets: checkTargets(row) })),
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\n${formatSummary(rows)}`);
  console.log(`\nwrote ${path}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
