/**
 * Bench files: read (JSON or YAML), checked against a driver registry, and
 * written back (JSON).
 *
 * ```yaml
 * name: demo bench                      # optional
 * clock: { control: tcp://127.0.0.1:5600 }  # optional: a virtual bench's clock (`pms virtual`)
 * store: sqlite:runs.sqlite              # optional: where its runs are kept (--store wins)
 * instruments:
 *   smu1:
 *     driver: keithley2400
 *     resource: TCPIP::127.0.0.1::5025::SOCKET
 *     connects: memristor                # optional, free text
 *     timeoutMs: 5000                    # optional, ms
 *     limits: { maxAbsVoltage: 1.5, maxVoltageRate: none }
 * ```
 *
 * - Format: a file whose name ends in `.json` is JSON; any other is YAML
 *   (1.2, which reads most JSON as well). `parseBenchText` takes `format`
 *   to override.
 * - "No limit" is written `none`, the same in JSON and YAML (JSON has no
 *   Infinity; an empty YAML value is refused, because a limit left blank
 *   is more likely forgotten than meant to be off). It loads as Infinity;
 *   a limit left out loads as absent, and the driver's default applies.
 * - Every mistake is reported at once, in one {@link BenchFileError}, with
 *   file, line, column and field path; unknown keys are mistakes too.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { BenchDriverInfo } from "./drivers.js";
import { BenchFileError, type BenchFileIssue } from "./errors.js";
import { type BenchFile, checkBenchValue, formatPath, NO_LIMIT } from "./schema.js";
import { type BenchFileFormat, parseBenchSource } from "./source.js";

export type { BenchFile, BenchInstrumentEntry } from "./schema.js";
export { checkBenchObject, NO_LIMIT } from "./schema.js";
export type { BenchFileFormat } from "./source.js";

/** Reads and checks the bench file at `path`; {@link BenchFileError} for an unreadable file or any mistake in it. */
export async function loadBenchFile(path: string, registry: readonly BenchDriverInfo[]): Promise<BenchFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const issue = { path: "", message: `cannot read the bench file: ${reason}; expected a readable file` };
    throw new BenchFileError(path, [issue], { cause: error });
  }
  return parseBenchText(text, { file: path, registry });
}

/** Checks a bench file's text; `file` names it in errors and becomes `source`. */
export function parseBenchText(
  text: string,
  options: {
    readonly file: string;
    readonly format?: BenchFileFormat;
    readonly registry: readonly BenchDriverInfo[];
  },
): BenchFile {
  const format = options.format ?? (/\.json$/i.test(options.file) ? "json" : "yaml");
  // An editor's byte-order mark is not part of the bench (and JSON.parse refuses it).
  const parsed = parseBenchSource(text.replace(/^\uFEFF/, ""), format);
  if (!parsed.ok) throw new BenchFileError(options.file, parsed.issues);
  if (parsed.value === null || parsed.value === undefined) {
    const issue = { path: "", message: "the file has no content; expected a map with instruments" };
    throw new BenchFileError(options.file, [issue]);
  }
  const result = checkBenchValue(parsed.value, { registry: options.registry, infinityAllowed: false });
  if ("bench" in result) return Object.freeze({ ...result.bench, source: options.file });
  const issues = result.issues.map(
    (issue): BenchFileIssue => ({
      path: formatPath(issue.path),
      ...parsed.locate(issue.path, issue.at),
      message: issue.message,
    }),
  );
  // In the order a person reads the file.
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  throw new BenchFileError(options.file, issues);
}

/**
 * The bench as a JSON bench file: two-space indented, fields in a fixed
 * order (name, clock, store, instruments; driver, resource, connects, timeoutMs,
 * limits), instruments in the bench's order, limits by name, Infinity as
 * {@link NO_LIMIT}. `source` and each entry's `name` and `kind` are not
 * written: they come from where the file is and from the registry.
 * RangeError for a limit that would not load back (not a positive number).
 */
export function benchFileText(bench: BenchFile): string {
  const instruments = Object.entries(bench.instruments).map(([name, entry]) => {
    const limits = Object.keys(entry.limits)
      .sort()
      .map((limit) => {
        const value = entry.limits[limit] ?? Number.NaN;
        if (!(value > 0)) {
          throw new RangeError(`instruments.${name}.limits.${limit}: ${value} is not a positive number`);
        }
        return [limit, value === Number.POSITIVE_INFINITY ? NO_LIMIT : value];
      });
    return [
      name,
      {
        driver: entry.driver,
        resource: entry.resource,
        ...(entry.connects === undefined ? {} : { connects: entry.connects }),
        ...(entry.timeoutMs === undefined ? {} : { timeoutMs: entry.timeoutMs }),
        limits: Object.fromEntries(limits),
      },
    ];
  });
  const file = {
    ...(bench.name === undefined ? {} : { name: bench.name }),
    ...(bench.clock === undefined ? {} : { clock: { control: bench.clock.control } }),
    ...(bench.store === undefined ? {} : { store: bench.store }),
    instruments: Object.fromEntries(instruments),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Writes {@link benchFileText} to `path` (JSON, whatever the name ends in). */
export async function writeBenchFile(path: string, bench: BenchFile): Promise<void> {
  await writeFile(path, benchFileText(bench), "utf8");
}
