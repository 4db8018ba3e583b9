/**
 * What both run-store backends (./sqlite.ts, ./postgres.ts) do alike with a
 * document before and after it is stored: to and from JSON in protobuf's
 * JSON mapping (NaN and ±Infinity as strings, every field written, 64-bit
 * integers as numbers), and the checks a page passes before it is written
 * (its stream, its events after those stored, each column of its data
 * key's dtype and length). One place, so that the two stores refuse the
 * same pages with the same words.
 */

import { pms } from "../../proto/runtime.js";
import type {
  Dtype,
  EventDescriptorDocument,
  EventPageDocument,
  RunStartDocument,
  RunStopDocument,
} from "../documents.js";
import { columnDtype } from "../documents.js";

const TO_JSON = { defaults: true, arrays: true, objects: true, longs: Number, json: true } as const;
const FROM_JSON = { defaults: true, arrays: true, objects: true, longs: Number } as const;

/** `doc` as JSON text; an Error when it is not a message of `type` (a malformed document). */
export function documentJson(
  type: { fromObject(o: object): unknown; toObject(m: never, o: object): object },
  doc: object,
): string | Error {
  try {
    return JSON.stringify(type.toObject(type.fromObject(doc) as never, TO_JSON));
  } catch (error) {
    return error as Error;
  }
}

/** A stored RunStart (JSON text, or the object a jsonb column gives) as the document. */
export function runStartOf(json: string | object): RunStartDocument {
  const doc = pms.v1.RunStart.toObject(pms.v1.RunStart.fromObject(parsed(json)), FROM_JSON);
  // The optional messages are absent, not null, in the document types.
  if (doc.bench == null) delete doc.bench;
  if (doc.model == null) delete doc.model;
  return doc as RunStartDocument;
}

export function runStopOf(json: string | object): RunStopDocument {
  return pms.v1.RunStop.toObject(pms.v1.RunStop.fromObject(parsed(json)), FROM_JSON) as RunStopDocument;
}

export function descriptorOf(json: string | object): EventDescriptorDocument {
  return pms.v1.EventDescriptor.toObject(
    pms.v1.EventDescriptor.fromObject(parsed(json)),
    FROM_JSON,
  ) as EventDescriptorDocument;
}

function parsed(json: string | object): object {
  return typeof json === "string" ? (JSON.parse(json) as object) : json;
}

/** A stream as a writer knows it: its run, its data keys by name, and where its stored events end. */
export interface WrittenStream {
  readonly runUid: string;
  readonly keys: ReadonlyMap<string, { readonly position: number; readonly dtype: Dtype }>;
  /** The first event after those stored: a page must not start before it. */
  end: number;
}

/**
 * Checks `page` against its `stream`: the reason it is refused, or its
 * columns to store by data-key position (bytes, or a text column's values
 * as JSON text), one per data key.
 */
export function checkPage(
  page: EventPageDocument,
  stream: WrittenStream,
): { readonly refused: string } | { readonly columns: (Uint8Array | string)[] } {
  if (page.runUid !== stream.runUid) {
    return { refused: `it names run ${page.runUid}, but its descriptor belongs to run ${stream.runUid}` };
  }
  const { count, firstEvent } = page;
  if (!Number.isInteger(count) || count < 1)
    return { refused: `it holds ${count} events (a page holds at least one)` };
  if (!Number.isInteger(firstEvent) || firstEvent < 0) return { refused: `its first event is ${firstEvent}` };
  if (firstEvent < stream.end) {
    return {
      refused:
        `its events ${firstEvent}–${firstEvent + count - 1} overlap those stored (0–${stream.end - 1}): ` +
        "a page given twice?",
    };
  }
  // What a stored page's index holds (and SQLite's NOT NULL, PostgreSQL's types refused before).
  if (typeof page.uid !== "string") return { refused: "its uid is not a text" };
  if (!Number.isSafeInteger(page.seq) || page.seq < 0)
    return { refused: `its sequence number is ${page.seq}` };
  if (typeof page.time !== "number" || Number.isNaN(page.time))
    return { refused: `its time is ${page.time}` };
  if (typeof page.wallTime !== "number" || Number.isNaN(page.wallTime))
    return { refused: `its wall time is ${page.wallTime}` };
  if (page.eventTime.byteLength !== count * 8) {
    return { refused: `its event times hold ${page.eventTime.byteLength} bytes for ${count} events` };
  }
  if (page.columns.length !== stream.keys.size) {
    return {
      refused: `it has ${page.columns.length} columns; its descriptor has ${stream.keys.size} data keys`,
    };
  }
  const columns: (Uint8Array | string)[] = new Array(stream.keys.size);
  for (const column of page.columns) {
    const key = stream.keys.get(column.key);
    if (key === undefined)
      return { refused: `its column "${column.key}" is not a data key of its descriptor` };
    if (columns[key.position] !== undefined) return { refused: `column "${column.key}" is given twice` };
    const data = "float64" in column ? column.float64 : "int64" in column ? column.int64 : column.text.values;
    const dtype = columnDtype(column);
    if (dtype !== key.dtype)
      return { refused: `column "${column.key}" holds ${dtype}; its data key says ${key.dtype}` };
    const size = data instanceof Uint8Array ? data.byteLength / 8 : data.length;
    if (size !== count) return { refused: `column "${column.key}" holds ${size} values, not ${count}` };
    columns[key.position] = data instanceof Uint8Array ? data : JSON.stringify(data);
  }
  return { columns };
}
