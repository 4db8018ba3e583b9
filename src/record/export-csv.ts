/**
 * A stored run as CSV files (issue 17, "Exports"): one file per stream,
 * `time_s` then each data key named with its unit (`smu1-current_A`), one
 * row per event, written page by page from the store (`RunReader.pages`),
 * so that a run of any size exports without being held in memory. Numbers
 * are the shortest text that reads back as the same double (NaN as an empty
 * field); int64 as integers; text quoted as RFC 4180 says where it must be.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { float64Values } from "../proto/columns.js";
import { type ColumnValues, columnValues, type DataKeyDocument } from "./documents.js";
import type { RunReader } from "./store/types.js";

export interface CsvExportOptions {
  /** Told after each page: events written so far of `total` (all streams). */
  readonly progress?: (done: number, total: number) => void;
}

/** Writes every stream of `run` into `dir` as `<stream>.csv`; returns the files and their event counts. */
export async function exportRunCsv(
  run: RunReader,
  dir: string,
  options: CsvExportOptions = {},
): Promise<Array<{ stream: string; file: string; events: number }>> {
  const streams = await run.streams();
  const total = streams.reduce((n, s) => n + s.events, 0);
  let done = 0;
  const written: Array<{ stream: string; file: string; events: number }> = [];
  for (const stream of streams) {
    const file = join(dir, `${stream.name}.csv`);
    const fd = openSync(file, "w");
    try {
      writeSync(fd, `${["time_s", ...stream.dataKeys.map(headerName)].map(quote).join(",")}\n`);
      let events = 0;
      for await (const page of run.pages(stream.name)) {
        const time = float64Values(page.eventTime, "event times");
        const columns: ColumnValues[] = page.columns.map(columnValues);
        const lines: string[] = [];
        for (let k = 0; k < page.count; k++) {
          const fields = [field(time[k] as number)];
          for (const column of columns) fields.push(field(column[k] as number | bigint | string));
          lines.push(fields.join(","));
        }
        if (lines.length > 0) writeSync(fd, `${lines.join("\n")}\n`);
        events += page.count;
        done += page.count;
        options.progress?.(done, total);
      }
      written.push({ stream: stream.name, file, events });
    } finally {
      closeSync(fd);
    }
  }
  return written;
}

/** A data key as a column header: its name, then its unit after an underscore (none for a dimensionless one). */
export function headerName(key: DataKeyDocument): string {
  return key.unit ? `${key.key}_${key.unit}` : key.key;
}

function field(value: number | bigint | string): string {
  if (typeof value === "string") return quote(value);
  return typeof value === "number" && Number.isNaN(value) ? "" : String(value);
}

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
