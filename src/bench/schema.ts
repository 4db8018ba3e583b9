/**
 * What a bench file may say, as zod schemas, and the check that turns a
 * parsed file (or an object given in code) into a {@link BenchFile} or into
 * every mistake in it, each with its field path.
 *
 * The instrument part depends on the driver an entry names (which limits,
 * in which units), so each entry is checked on its own with a schema built
 * for its driver from the registry; an entry whose driver is unknown is
 * still checked field by field, so one run reports all of a file's mistakes.
 *
 * Every schema here is given an `error` that returns only what was
 * expected; {@link toPathIssues} adds what was wrong, from the issue's code
 * and input, so that every message has one shape:
 * "<what is wrong>; expected <what>" (or the resource parser's own message,
 * where that already says what it expects).
 */
import * as z from "zod";
import { ResourceError } from "../drivers/errors.js";
import { parseResource } from "../drivers/transports/resource.js";
import type { BenchDriverInfo, BenchDriverKind } from "./drivers.js";
import { BenchFileError, type BenchFileIssue } from "./errors.js";

/** One instrument of a bench, as a bench file describes it. */
export interface BenchInstrumentEntry {
  /** The key in `instruments:`; it prefixes the instrument's data keys (`smu1-current`). */
  readonly name: string;
  readonly driver: string;
  /** From the driver registry, not from the file. */
  readonly kind: BenchDriverKind;
  /** VISA-style resource string, already known to parse (src/drivers/transports/resource.ts). */
  readonly resource: string;
  /** Which chip port or device it is wired to: free text for people and records. */
  readonly connects?: string;
  /** Session timeout, ms. */
  readonly timeoutMs?: number;
  /**
   * The limits the file states, in the driver's units; Infinity where it
   * says "none". A limit the file leaves out is absent here, and the
   * driver's safe default applies (src/drivers/instruments/safety.ts).
   */
  readonly limits: Readonly<Record<string, number>>;
}

export interface BenchFile {
  readonly name?: string;
  /** A virtual bench's clock-control endpoint (`pms virtual`), e.g. tcp://127.0.0.1:5600. */
  readonly clock?: { readonly control: string };
  /**
   * The run store the bench's runs are kept in (`sqlite:<file>`, relative to
   * the working folder, or `postgres://…`); a command's --store (or
   * $PMS_STORE) wins over it.
   */
  readonly store?: string;
  /** In the file's order. */
  readonly instruments: Readonly<Record<string, BenchInstrumentEntry>>;
  /** The file it was read from. */
  readonly source?: string;
}

/** How a file writes "no limit": one spelling that JSON and YAML read alike. */
export const NO_LIMIT = "none";

/** A path as zod gives it, where the issue is (the key itself, or its value). */
export interface PathIssue {
  readonly path: readonly PropertyKey[];
  readonly at: "key" | "value";
  readonly message: string;
}

export interface CheckOptions {
  readonly registry: readonly BenchDriverInfo[];
  /**
   * Whether a limit may be the number Infinity. In code, Infinity is how
   * the driver layer says "no limit", so an object may use it; a file has
   * one spelling, {@link NO_LIMIT}, and YAML's `.inf` is refused with a
   * message naming it.
   */
  readonly infinityAllowed: boolean;
}

/**
 * Checks a bench given as an object in code (`openBench({...})`). Throws a
 * {@link BenchFileError} whose issues name field paths (there are no lines);
 * `where` labels them (default "bench"). Limits may be "none" or Infinity.
 */
export function checkBenchObject(
  object: unknown,
  options: { readonly registry: readonly BenchDriverInfo[]; readonly where?: string },
): BenchFile {
  const result = checkBenchValue(object, { registry: options.registry, infinityAllowed: true });
  if ("bench" in result) return result.bench;
  const issues: BenchFileIssue[] = result.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: issue.message,
  }));
  throw new BenchFileError(undefined, issues, options.where === undefined ? {} : { where: options.where });
}

/** The check shared by files and objects: a bench, or every issue found. */
export function checkBenchValue(
  value: unknown,
  options: CheckOptions,
): { readonly bench: BenchFile } | { readonly issues: readonly PathIssue[] } {
  const drivers = new Map(options.registry.map((driver) => [driver.name, driver]));
  const root = rootSchema.safeParse(value, { reportInput: true });
  const issues = root.success ? [] : toPathIssues(root.error.issues, []);
  const rawInstruments = isPlainObject(value) ? value.instruments : undefined;
  if (!isPlainObject(rawInstruments)) return { issues };

  const instruments: Record<string, BenchInstrumentEntry> = {};
  const entries = Object.entries(rawInstruments);
  if (entries.length === 0) {
    issues.push({
      path: ["instruments"],
      at: "value",
      message: "no instruments; expected at least one instrument",
    });
  }
  for (const [name, raw] of entries) {
    const driverName = isPlainObject(raw) ? raw.driver : undefined;
    const driver = typeof driverName === "string" ? drivers.get(driverName) : undefined;
    const schema = instrumentSchema(driver, drivers, options.infinityAllowed);
    const parsed = schema.safeParse(raw, { reportInput: true });
    if (!parsed.success) issues.push(...toPathIssues(parsed.error.issues, ["instruments", name]));
    else if (driver) instruments[name] = toEntry(name, driver, parsed.data);
  }
  if (issues.length > 0 || !root.success) return { issues };
  const { name, clock, store } = root.data;
  return {
    bench: Object.freeze({
      ...(name === undefined ? {} : { name }),
      ...(clock === undefined ? {} : { clock: Object.freeze({ control: clock.control }) }),
      ...(store === undefined ? {} : { store }),
      instruments: Object.freeze(instruments),
    }),
  };
}

/** `instruments.smu1.limits.maxAbsVoltage`; a key that is not a plain word is quoted: `instruments["Smu 1"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === "number") return `[${key}]`;
      const text = String(key);
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(text)) return index === 0 ? text : `.${text}`;
      return `[${JSON.stringify(text)}]`;
    })
    .join("");
}

const INSTRUMENT_NAME = /^[a-z][a-z0-9_-]*$/;

/** ZeroMQ transports a clock-control endpoint can be on (the client connects, so no `*` port). */
const CLOCK_ENDPOINT = /^(tcp:\/\/[^\s:/]+:\d+|ipc:\/\/\S+)$/;

/** setTimeout's longest delay, ms: a longer one fires at once (Node's `TimeoutOverflowWarning`). */
const LONGEST_TIMER_MS = 2_147_483_647;

const RESOURCE_EXAMPLES =
  "a VISA resource string, e.g. TCPIP::127.0.0.1::5025::SOCKET or ASRL/dev/ttyUSB0::INSTR";

/** zod's `error` option: the text after "expected" (see the file comment). */
const expecting = (expected: string) => ({ error: () => expected });

/** A map that refuses keys it does not declare, naming the ones it takes. */
function strictMap<Shape extends z.ZodRawShape>(shape: Shape, keysExpected?: string) {
  const keys = keysExpected ?? `one of ${Object.keys(shape).join(", ")}`;
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? keys : `a map with keys ${Object.keys(shape).join(", ")}`,
  });
}

const rootSchema = strictMap({
  name: z.string(expecting("a bench name (text)")).min(1, expecting("a non-empty bench name")).optional(),
  clock: strictMap({
    control: z
      .string(expecting("a ZeroMQ endpoint, e.g. tcp://127.0.0.1:5600"))
      .regex(
        CLOCK_ENDPOINT,
        expecting("a ZeroMQ endpoint to connect to: tcp://<host>:<port> or ipc://<path>"),
      ),
  }).optional(),
  store: z
    .string(expecting("a run store URI (text), e.g. sqlite:runs.sqlite or postgres://host/db"))
    .regex(
      /^(sqlite:\S+|postgres(ql)?:\/\/\S+)$/,
      expecting("a run store URI: sqlite:<file> or postgres://user@host/database"),
    )
    .optional(),
  instruments: z.record(
    z
      .string()
      .regex(
        INSTRUMENT_NAME,
        expecting(
          "a name of lowercase letters, digits, - and _, starting with a letter (it prefixes data keys, as in smu1-current)",
        ),
      ),
    z.unknown(),
    expecting("a map of instrument name → driver, resource and limits"),
  ),
});

/** The schema of an entry naming `driver` (undefined: unknown or missing). */
function instrumentSchema(
  driver: BenchDriverInfo | undefined,
  drivers: ReadonlyMap<string, BenchDriverInfo>,
  infinityAllowed: boolean,
): z.ZodType<InstrumentFields> {
  const known = [...drivers.values()].map((info) => `${info.name} (${info.kind})`).join(", ");
  return strictMap({
    driver: z.string(expecting(`a driver name: one of ${known}`)).superRefine((name, context) => {
      if (!drivers.has(name)) {
        context.addIssue({
          code: "custom",
          input: name,
          message: `one of ${known}`,
          params: { problem: `unknown driver ${JSON.stringify(name)}` },
        });
      }
    }),
    resource: z.string(expecting(RESOURCE_EXAMPLES)).superRefine((resource, context) => {
      try {
        parseResource(resource);
      } catch (error) {
        if (!(error instanceof ResourceError)) throw error;
        // The parser's message is kept whole; where it already says what it accepts, nothing is added.
        const saysExpected = /\bexpected\b/.test(error.message);
        context.addIssue({
          code: "custom",
          input: resource,
          message: RESOURCE_EXAMPLES,
          params: { problem: error.message, complete: saysExpected },
        });
      }
    }),
    connects: z
      .string(expecting("text naming the chip port or device"))
      .min(1, expecting("non-empty text naming the chip port or device"))
      .optional(),
    timeoutMs: z
      .int(expecting(`a whole number of milliseconds from 1 to ${LONGEST_TIMER_MS}`))
      .min(1, expecting(`a whole number of milliseconds from 1 to ${LONGEST_TIMER_MS}`))
      .max(LONGEST_TIMER_MS, expecting(`at most ${LONGEST_TIMER_MS} ms (Node's longest timer)`))
      .optional(),
    limits: limitsSchema(driver, infinityAllowed).optional(),
  });
}

type InstrumentFields = {
  driver: string;
  resource: string;
  connects?: string | undefined;
  timeoutMs?: number | undefined;
  limits?: Record<string, number | undefined> | undefined;
};

function limitsSchema(driver: BenchDriverInfo | undefined, infinityAllowed: boolean) {
  if (!driver)
    return z.record(z.string(), limitValue(undefined, infinityAllowed), expecting("a map of limits"));
  const names = Object.entries(driver.limits);
  const listed = names.map(([name, info]) => `${name} (${info.unit})`).join(", ");
  return strictMap(
    Object.fromEntries(
      names.map(([name, info]) => [name, limitValue(info.unit, infinityAllowed).optional()]),
    ),
    names.length === 0 ? `no limits (${driver.name} takes none)` : `a limit of ${driver.name}: ${listed}`,
  );
}

/** A positive number, or {@link NO_LIMIT} (→ Infinity); `null` is refused: an empty value is a forgotten one, not "no limit". */
function limitValue(unit: string | undefined, infinityAllowed: boolean) {
  const number = infinityAllowed ? "a positive number" : "a positive finite number";
  const expected = `${number}${unit ? ` in ${unit}` : ""}, or ${NO_LIMIT} for no limit`;
  return z.unknown().transform((value, context) => {
    if (value === NO_LIMIT) return Number.POSITIVE_INFINITY;
    if (typeof value === "number" && value > 0 && (infinityAllowed || Number.isFinite(value))) return value;
    context.addIssue({ code: "custom", input: value, message: expected });
    return z.NEVER;
  });
}

function toEntry(name: string, driver: BenchDriverInfo, fields: InstrumentFields): BenchInstrumentEntry {
  const limits = Object.entries(fields.limits ?? {}).filter(
    (pair): pair is [string, number] => pair[1] !== undefined,
  );
  return Object.freeze({
    name,
    driver: driver.name,
    kind: driver.kind,
    resource: fields.resource,
    ...(fields.connects === undefined ? {} : { connects: fields.connects }),
    ...(fields.timeoutMs === undefined ? {} : { timeoutMs: fields.timeoutMs }),
    limits: Object.freeze(Object.fromEntries(limits)),
  });
}

/** zod's issues as path issues, each message "<what is wrong>; expected <what>". */
function toPathIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): PathIssue[] {
  return issues.flatMap((issue): PathIssue[] => {
    const path = [...prefix, ...issue.path];
    switch (issue.code) {
      case "unrecognized_keys":
        return issue.keys.map((key) => ({
          path: [...path, key],
          at: "key",
          message: `unknown key ${JSON.stringify(key)}; expected ${issue.message}`,
        }));
      case "invalid_key":
        return [
          {
            path,
            at: "key",
            message: `${JSON.stringify(String(path.at(-1)))} is not a valid name; expected ${issue.issues[0]?.message ?? issue.message}`,
          },
        ];
      default: {
        const params = issue.code === "custom" ? issue.params : undefined;
        const problem: string = params?.problem ?? describe(issue.input);
        return [
          {
            path,
            at: "value",
            message: params?.complete ? problem : `${problem}; expected ${issue.message}`,
          },
        ];
      }
    }
  });
}

/** What a value was, for "got …": the file's words (a map, a list, an empty value), not JavaScript's. */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "got an empty value";
  if (typeof value === "string") {
    return `got the text ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  }
  if (typeof value === "number" && !Number.isFinite(value))
    return `got ${value > 0 ? "an infinite number" : value}`;
  if (Array.isArray(value)) return "got a list";
  if (typeof value === "object") return "got a map";
  return `got ${String(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
