/**
 * A run's documents (issue 17; DESIGN.md, "Records"): bluesky's event
 * model, defined once in proto/record.proto. The types here are the
 * generated ones with every scalar field present, so that a sink reads
 * `doc.uid` rather than `doc.uid ?? ""`; the wire codec is the generated
 * code's. Numeric columns are the little-endian bytes of their typed arrays
 * (src/proto/columns.ts), in memory as on the wire and in the store.
 */
import { FrameDecodeError, float64Values, int64Values } from "../proto/columns.js";
import { pms } from "../proto/runtime.js";

/** `P` with every field given (`Optional` ones may be left out), none null; protobufjs's `$unknowns` left out. */
type Given<P, Optional extends keyof P = never> = {
  readonly [K in Exclude<keyof P, Optional | "$unknowns">]-?: NonNullable<P[K]>;
} & { readonly [K in Exclude<Optional, "$unknowns">]?: NonNullable<P[K]> };

export type DataKeyDocument = Given<pms.v1.DataKey.$Properties>;
export type SettingDocument = pms.v1.Setting.$Properties;
export type DeviceConfigurationDocument = pms.v1.DeviceConfiguration.$Properties;
export type BenchSnapshotDocument = pms.v1.BenchSnapshot.$Properties;
export type ModelInUseDocument = pms.v1.ModelInUse.$Properties;

export type RunStartDocument = Given<pms.v1.RunStart.$Properties, "bench" | "model">;
export type EventDescriptorDocument = Omit<Given<pms.v1.EventDescriptor.$Properties>, "dataKeys"> & {
  readonly dataKeys: readonly DataKeyDocument[];
};

/** One column of a page: its key and, as its data key's dtype says, its bytes or its text. */
export type ColumnDocument =
  | { readonly key: string; readonly float64: Uint8Array }
  | { readonly key: string; readonly int64: Uint8Array }
  | { readonly key: string; readonly text: { readonly values: readonly string[] } };

export type EventPageDocument = Omit<Given<pms.v1.EventPage.$Properties>, "columns"> & {
  readonly columns: readonly ColumnDocument[];
};
export type RunStopDocument = Given<pms.v1.RunStop.$Properties>;

/** Any document, tagged as proto/record.proto's `Document` oneof names it. */
export type RunDocument =
  | { readonly kind: "runStart"; readonly doc: RunStartDocument }
  | { readonly kind: "descriptor"; readonly doc: EventDescriptorDocument }
  | { readonly kind: "page"; readonly doc: EventPageDocument }
  | { readonly kind: "runStop"; readonly doc: RunStopDocument };

export type ExitStatus = "success" | "abort" | "fail";
export const EXIT_STATUSES: readonly ExitStatus[] = ["success", "abort", "fail"];

const EXIT_STATUS_WIRE: Readonly<Record<ExitStatus, pms.v1.ExitStatus>> = {
  success: pms.v1.ExitStatus.EXIT_STATUS_SUCCESS,
  abort: pms.v1.ExitStatus.EXIT_STATUS_ABORT,
  fail: pms.v1.ExitStatus.EXIT_STATUS_FAIL,
};

/** The wire's enum value of an exit status. */
export function exitStatusValue(status: ExitStatus): pms.v1.ExitStatus {
  return EXIT_STATUS_WIRE[status];
}

/** The exit status an enum value stands for; undefined for UNSPECIFIED or one this version does not know. */
export function exitStatusName(value: number): ExitStatus | undefined {
  return EXIT_STATUSES.find((status) => EXIT_STATUS_WIRE[status] === value);
}

export type Dtype = "float64" | "int64" | "text";

const DTYPE_WIRE: Readonly<Record<Dtype, pms.v1.Dtype>> = {
  float64: pms.v1.Dtype.DTYPE_FLOAT64,
  int64: pms.v1.Dtype.DTYPE_INT64,
  text: pms.v1.Dtype.DTYPE_TEXT,
};

export function dtypeValue(dtype: Dtype): pms.v1.Dtype {
  return DTYPE_WIRE[dtype];
}

export function dtypeName(value: number): Dtype | undefined {
  return (Object.keys(DTYPE_WIRE) as Dtype[]).find((dtype) => DTYPE_WIRE[dtype] === value);
}

/** A column's values: a view over its bytes (float64, int64) or its strings. */
export type ColumnValues = Float64Array | BigInt64Array | readonly string[];

/** What a column holds, by the field it sets. */
export function columnDtype(column: ColumnDocument): Dtype {
  return "float64" in column ? "float64" : "int64" in column ? "int64" : "text";
}

/** The values of `column` (views over its bytes where aligned; see src/proto/columns.ts). */
export function columnValues(column: ColumnDocument): ColumnValues {
  if ("float64" in column) return float64Values(column.float64, `column "${column.key}"`);
  if ("int64" in column) return int64Values(column.int64, `column "${column.key}"`);
  return column.text.values;
}

const DOCUMENT = "pms.v1.Document";
// `longs: Number`: uint64 fields (seq, event counts) as numbers, not Long objects, also under toObject.
const WITH_DEFAULTS = { defaults: true, arrays: true, objects: true, longs: Number } as const;

/** A document as one protobuf `Document` frame. */
export function encodeDocument(document: RunDocument): Uint8Array {
  return pms.v1.Document.encode({ [document.kind]: document.doc } as pms.v1.Document.$Properties).finish();
}

/**
 * A `Document` frame back as a document, checked: a truncated or corrupt
 * frame, one with no document, or a page whose columns do not hold `count`
 * values each is a FrameDecodeError naming what is wrong.
 */
export function decodeDocument(bytes: Uint8Array): RunDocument {
  let message: pms.v1.Document;
  try {
    message = pms.v1.Document.decode(bytes);
  } catch (cause) {
    throw new FrameDecodeError(DOCUMENT, bytes.length, (cause as Error).message, { cause });
  }
  const refuse = (reason: string): never => {
    throw new FrameDecodeError(DOCUMENT, bytes.length, reason);
  };
  switch (message.document) {
    // Plain objects with every field (a decoded message keeps its defaults on its prototype, where a spread misses them).
    case "runStart":
      return {
        kind: "runStart",
        doc: pms.v1.RunStart.toObject(message.runStart as pms.v1.RunStart, WITH_DEFAULTS) as RunStartDocument,
      };
    case "descriptor":
      return {
        kind: "descriptor",
        doc: pms.v1.EventDescriptor.toObject(
          message.descriptor as pms.v1.EventDescriptor,
          WITH_DEFAULTS,
        ) as EventDescriptorDocument,
      };
    case "runStop":
      return {
        kind: "runStop",
        doc: pms.v1.RunStop.toObject(message.runStop as pms.v1.RunStop, WITH_DEFAULTS) as RunStopDocument,
      };
    case "page": {
      const page = message.page as pms.v1.EventPage;
      const columns: ColumnDocument[] = [];
      if (page.eventTime.byteLength !== page.count * 8) {
        refuse(
          `page ${page.uid} has ${page.count} events but ${page.eventTime.byteLength} bytes of event times`,
        );
      }
      for (const column of page.columns) {
        const key = column.key ?? "";
        const size =
          column.data === "float64" || column.data === "int64"
            ? (column[column.data] as Uint8Array).byteLength / 8
            : column.data === "text"
              ? (column.text?.values?.length ?? 0)
              : refuse(`column "${key}" of page ${page.uid} holds no data`);
        if (size !== page.count)
          refuse(`column "${key}" of page ${page.uid} holds ${size} values, not ${page.count}`);
        columns.push(
          column.data === "float64"
            ? { key, float64: column.float64 as Uint8Array }
            : column.data === "int64"
              ? { key, int64: column.int64 as Uint8Array }
              : { key, text: { values: column.text?.values ?? [] } },
        );
      }
      return {
        kind: "page",
        doc: {
          uid: page.uid,
          runUid: page.runUid,
          descriptorUid: page.descriptorUid,
          seq: page.seq,
          time: page.time,
          wallTime: page.wallTime,
          firstEvent: page.firstEvent,
          count: page.count,
          eventTime: page.eventTime,
          columns,
        },
      };
    }
    default:
      return refuse("it carries no document (a newer kind, or an empty frame)");
  }
}
