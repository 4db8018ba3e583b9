/**
 * A run as files a person opens (issue 17: "a CSV writer, today's files, now
 * written from documents"), in a run folder:
 *
 * - `run.json`: `{ start, stop? }`. `start` is the RunStart as written
 *   (uid, plan, arguments, bench snapshot, model, timebase); `stop` comes
 *   with the RunStop (status `success`, `abort` or `fail`, reason, events
 *   per stream, rows in data.csv, and the `summary` stream's first event,
 *   where a plan puts what it concluded). Rewritten by write-then-rename,
 *   so a crash leaves the previous version whole.
 * - `data.csv`: one row per event of one stream (default `primary`), a
 *   header naming each column with its unit (`voltage_V`), appended page
 *   by page.
 * - `commands.jsonl`: each SCPI exchange of the exchange stream as a JSON
 *   line (`at`, `duration_s`, `instrument`, `sent`, `reply`, `error`).
 *
 * It is a lossy sink (./sinks.ts): under a plan faster than the disk it
 * drops pages and says so, where the run store keeps everything.
 */
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { float64Values } from "../proto/columns.js";
import {
  type ColumnValues,
  columnValues,
  type DataKeyDocument,
  type EventPageDocument,
  exitStatusName,
  type RunDocument,
  type RunStartDocument,
} from "./documents.js";
import { EXCHANGE_STREAM, type LossySink } from "./router.js";
import { type BoundedSinkOptions, boundedSink } from "./sinks.js";

export interface CsvSinkOptions extends BoundedSinkOptions {
  /** The stream written to data.csv (default "primary"). */
  readonly stream?: string;
  /** The column name a data key gets before its unit (default: the key): `voltage` for `smu1-voltage`. */
  readonly names?: Readonly<Record<string, string>>;
}

/** The run's files in `dir` (made if missing), from its documents. */
export function csvSink(
  dir: string,
  options: CsvSinkOptions = {},
): LossySink & {
  readonly dataPath: string;
  readonly runPath: string;
  readonly commandsPath: string;
  readonly rows: number;
} {
  const paths = {
    dataPath: join(dir, "data.csv"),
    runPath: join(dir, "run.json"),
    commandsPath: join(dir, "commands.jsonl"),
  };
  const dataStream = options.stream ?? "primary";
  const streams = new Map<string, { name: string; keys: readonly DataKeyDocument[] }>();
  let start: RunStartDocument | undefined;
  let summary: Record<string, unknown> | undefined;
  let rows = 0;
  const runFile: Record<string, unknown> = {};

  const writeRun = () => {
    const temporary = `${paths.runPath}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(runFile, null, 2)}\n`);
    renameSync(temporary, paths.runPath);
  };
  const columnName = (key: DataKeyDocument) => {
    const base = options.names?.[key.key] ?? key.key;
    return key.unit ? `${base}_${key.unit}` : base;
  };

  const handle = (document: RunDocument) => {
    switch (document.kind) {
      case "runStart":
        start = document.doc;
        mkdirSync(dir, { recursive: true });
        runFile.start = plainStart(start);
        writeRun();
        writeFileSync(paths.dataPath, "");
        writeFileSync(paths.commandsPath, "");
        return;
      case "descriptor":
        streams.set(document.doc.uid, { name: document.doc.name, keys: document.doc.dataKeys });
        if (document.doc.name === dataStream) {
          writeFileSync(
            paths.dataPath,
            `${["time_s", ...document.doc.dataKeys.map(columnName)].join(",")}\n`,
          );
        }
        return;
      case "page": {
        const stream = streams.get(document.doc.descriptorUid);
        if (!stream)
          throw new Error(`${paths.dataPath}: page ${document.doc.uid} of a stream never described`);
        if (stream.name === dataStream) {
          appendFileSync(paths.dataPath, csvRows(document.doc));
          rows += document.doc.count;
        } else if (stream.name === EXCHANGE_STREAM) {
          appendFileSync(paths.commandsPath, exchangeLines(document.doc));
        } else if (stream.name === "summary" && summary === undefined) {
          summary = summaryOf(document.doc);
        }
        return;
      }
      case "runStop": {
        const stop = document.doc;
        runFile.stop = {
          uid: stop.uid,
          status: exitStatusName(stop.exitStatus) ?? "unknown",
          reason: stop.reason,
          events: stop.numEvents,
          rows,
          stoppedAt: new Date(stop.wallTime * 1000).toISOString(),
          ...(summary && { summary }),
        };
        writeRun();
        return;
      }
    }
  };
  const sink = boundedSink("csv", handle, options);
  return Object.assign(sink, {
    ...paths,
    get rows() {
      return rows;
    },
  });
}

/** The RunStart as run.json shows it: the plan's arguments parsed back from JSON. */
function plainStart(start: RunStartDocument): Record<string, unknown> {
  const { argumentsJson, ...rest } = start;
  return {
    ...rest,
    arguments: JSON.parse(argumentsJson || "{}"),
    startedAt: new Date(start.wallTime * 1000).toISOString(),
  };
}

/** Shortest text that reads back as the same double; NaN as an empty field. */
function formatValue(value: number | bigint | string): string {
  return typeof value === "number" && Number.isNaN(value) ? "" : String(value);
}

function csvRows(page: EventPageDocument): string {
  const time = float64Values(page.eventTime, "event times");
  const columns: ColumnValues[] = page.columns.map(columnValues);
  const lines: string[] = [];
  for (let k = 0; k < page.count; k++) {
    const fields = [formatValue(time[k] as number)];
    for (const column of columns) fields.push(formatValue(column[k] as number | bigint | string));
    lines.push(fields.join(","));
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function exchangeLines(page: EventPageDocument): string {
  const time = float64Values(page.eventTime, "event times");
  const columns = Object.fromEntries(page.columns.map((c) => [c.key, columnValues(c)]));
  const lines: string[] = [];
  for (let k = 0; k < page.count; k++) {
    const text = (key: string) => (columns[key]?.[k] as string | undefined) ?? "";
    lines.push(
      JSON.stringify({
        at: time[k],
        duration_s: columns.duration?.[k],
        instrument: text("instrument"),
        sent: text("sent"),
        ...(text("reply") && { reply: text("reply") }),
        ...(text("error") && { error: text("error") }),
      }),
    );
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** A summary stream's first event: its `summary` column parsed from JSON, or its columns as they are. */
function summaryOf(page: EventPageDocument): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const column of page.columns) {
    const value = columnValues(column)[0];
    event[column.key] = typeof value === "bigint" ? Number(value) : value;
  }
  const json = event.summary;
  return typeof json === "string" && page.columns.length === 1
    ? (JSON.parse(json) as Record<string, unknown>)
    : event;
}
