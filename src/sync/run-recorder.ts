/**
 * Records a run as files a person can open, written as the run goes so that
 * a crash loses nothing already measured (DESIGN.md "recording"):
 *
 * - `run.json`: the start document (what ran, with which configuration),
 *   rewritten with the stop document (summary, exit status) at the end —
 *   bluesky's RunStart/RunStop in one file (STYLE.md 9).
 * - `data.csv`: one row per sample, appended batch by batch; a header names
 *   every column with its SI unit.
 * - `commands.jsonl`: every command sent and reply received, one JSON object
 *   a line, appended as they happen.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { wallSeconds } from "./clock.js";

export interface RunColumn {
  /** Column name with its unit, e.g. "voltage_V". */
  readonly name: string;
  readonly values: Float64Array;
}

export class RunRecorder {
  readonly dataPath: string;
  readonly commandsPath: string;
  readonly runPath: string;
  readonly #start: Record<string, unknown>;
  #header: string | undefined;
  #rows = 0;

  /** Creates `dir` and writes the start document. */
  constructor(
    readonly dir: string,
    start: Record<string, unknown>,
  ) {
    mkdirSync(dir, { recursive: true });
    this.dataPath = join(dir, "data.csv");
    this.commandsPath = join(dir, "commands.jsonl");
    this.runPath = join(dir, "run.json");
    this.#start = { ...start, startedAt: new Date(wallSeconds() * 1000).toISOString() };
    this.#writeRun({ status: "running" });
    writeFileSync(this.commandsPath, "");
    // Exists from the start (empty until the first batch names the columns).
    writeFileSync(this.dataPath, "");
  }

  /**
   * Adds `value` to the start document under `key` (the bench snapshot,
   * once the instruments are open) and writes it out at once.
   */
  addToStart(key: string, value: unknown): void {
    this.#start[key] = value;
    this.#writeRun({ status: "running" });
  }

  /** Appends one batch of rows; every batch must have the same columns in the same order. */
  appendRows(columns: readonly RunColumn[]): void {
    const header = columns.map((c) => c.name).join(",");
    if (this.#header === undefined) {
      this.#header = header;
      writeFileSync(this.dataPath, `${header}\n`);
    } else if (header !== this.#header) {
      throw new Error(`${this.dataPath}: columns changed from "${this.#header}" to "${header}"`);
    }
    const n = columns[0]?.values.length ?? 0;
    const lines: string[] = [];
    for (let k = 0; k < n; k++) {
      lines.push(columns.map((c) => formatValue(c.values[k] as number)).join(","));
    }
    if (lines.length > 0) appendFileSync(this.dataPath, `${lines.join("\n")}\n`);
    this.#rows += n;
  }

  /** Appends one command exchange (any JSON-serialisable record) as a line. */
  appendExchange(exchange: Readonly<Record<string, unknown>>): void {
    appendFileSync(this.commandsPath, `${JSON.stringify(exchange)}\n`);
  }

  /** Rows written so far. */
  get rowCount(): number {
    return this.#rows;
  }

  /** Writes the stop document. */
  finish(stop: { status: "success" | "failed" | "interrupted"; summary?: unknown; error?: string }): void {
    this.#writeRun({ ...stop, stoppedAt: new Date(wallSeconds() * 1000).toISOString(), rows: this.#rows });
  }

  /** Write then rename, so that a crash mid-write leaves the previous document whole. */
  #writeRun(stop: Record<string, unknown>): void {
    const temporary = `${this.runPath}.tmp`;
    writeFileSync(temporary, `${JSON.stringify({ start: this.#start, stop }, null, 2)}\n`);
    renameSync(temporary, this.runPath);
  }
}

/** Shortest text that reads back as the same double; NaN as an empty field. */
function formatValue(value: number): string {
  return Number.isNaN(value) ? "" : String(value);
}
