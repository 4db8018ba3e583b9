/**
 * A generic SCPI instrument front end: it executes program messages against a
 * declarative command table and keeps the error queue and Standard Event
 * Status of IEEE 488.2. Each virtual instrument supplies its table and
 * context (its settings and physics); nothing here knows about any model.
 *
 * Header path rules (IEEE 488.2 §7.6.1.2, SCPI-99 Vol. 1 §6.2.4): a message
 * starts at the root; a header beginning with `:` is resolved from the root;
 * any other header is resolved below the path of the previous header (its
 * mnemonics but the last); common commands (`*CLS`) leave the path alone.
 *
 * Responses: the replies of all queries in one program message form one
 * response message, separated by `;` (IEEE 488.2 §8.4.1).
 *
 * A handler may return a promise (an operation that takes time on the
 * bench clock: a reading integrates while another instrument acts); the
 * message's later units then run once it settles. A message of handlers
 * that all return at once is executed synchronously, with no promise made.
 */

import { ErrorQueue, type QueuedError } from "./error-queue.js";
import { type DeviceErrorInfo, ESR, esrBitFor, SCPI_ERROR_TEXTS, ScpiError } from "./errors.js";
import { compilePattern, type HeaderPattern, matchHeader } from "./header.js";
import { type ParamToken, type ParsedUnit, parseUnit, splitUnits, type TypedMnemonic } from "./lexer.js";
import type { ParamSpec } from "./params.js";
import { StandardStatus } from "./status.js";

/** What a handler gets besides its parameters. */
export interface CommandCall<Ctx> {
  readonly engine: ScpiEngine<Ctx>;
  /** Values of the `#` nodes of the pattern, in order. */
  readonly suffixes: readonly number[];
  /** Replies already produced earlier in this program message (for MAV in *STB?). */
  readonly responsesSoFar: number;
}

/** Parameter values of a tuple of specs, by position. */
export type Values<S extends readonly ParamSpec<unknown, never>[]> = {
  -readonly [K in keyof S]: S[K] extends ParamSpec<infer T, never> ? T : never;
};

/** What a handler returns: its result now, or a promise of it. */
export type Deferred<R> = R | Promise<R>;

/**
 * `next` applied to a deferred value: at once when it is there, else once
 * its promise settles. A chain of steps that only sometimes wait (a
 * reading waits for the bench clock, a setting does not) makes no promise
 * for the steps that do not: each one costs a microtask turn on every
 * line an instrument answers.
 */
export function andThen<T, R>(value: Deferred<T>, next: (value: T) => Deferred<R>): Deferred<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

interface Form<Ctx, R> {
  readonly params: readonly ParamSpec<unknown, Ctx>[];
  run(ctx: Ctx, args: unknown[], call: CommandCall<Ctx>): Deferred<R>;
}

/** One row of a command table: a header pattern with its set form, its query form, or both. */
export interface CommandDefinition<Ctx> {
  readonly pattern: HeaderPattern;
  readonly set?: Form<Ctx, void>;
  readonly query?: Form<Ctx, string>;
}

export interface CommandForms<
  Ctx,
  S extends readonly ParamSpec<unknown, Ctx>[],
  Q extends readonly ParamSpec<unknown, Ctx>[],
> {
  readonly set?: {
    readonly params: S;
    run(ctx: Ctx, args: Values<S>, call: CommandCall<Ctx>): Deferred<void>;
  };
  readonly query?: {
    readonly params?: Q;
    run(ctx: Ctx, args: Values<Q>, call: CommandCall<Ctx>): Deferred<string>;
  };
}

/**
 * Returns the command declarer for one context type; each declared handler's
 * argument types then follow from its parameter specs:
 * `const command = commandsFor<Smu>(); command(":OUTPut", { set: { params: [bool()], run: (smu, [on]) => … } })`.
 */
export function commandsFor<Ctx>() {
  return <
    const S extends readonly ParamSpec<unknown, Ctx>[] = [],
    const Q extends readonly ParamSpec<unknown, Ctx>[] = [],
  >(
    pattern: string,
    forms: CommandForms<Ctx, S, Q>,
  ): CommandDefinition<Ctx> => {
    const { set, query } = forms;
    return {
      pattern: compilePattern(pattern),
      ...(set && {
        set: { params: set.params, run: (ctx, args, call) => set.run(ctx, args as Values<S>, call) },
      }),
      ...(query && {
        query: {
          params: query.params ?? [],
          run: (ctx, args, call) => query.run(ctx, args as Values<Q>, call),
        },
      }),
    };
  };
}

export interface ScpiEngineOptions<Ctx> {
  readonly context: Ctx;
  readonly commands: readonly CommandDefinition<Ctx>[];
  /** The instrument's positive error numbers, with texts and Standard Event bits. */
  readonly deviceErrors?: Readonly<Record<number, DeviceErrorInfo>>;
  /** Entries the error queue holds; SCPI-99 §21.8.2 requires at least 2. */
  readonly errorQueueCapacity: number;
  /**
   * Discard the rest of a program message after an error in one of its
   * units, as the Keithley 2400 does (manual Appendix B, "-420 Query
   * UNTERMINATED"); IEEE 488.2 allows either.
   */
  readonly abortMessageOnError?: boolean;
  /** Called with a handler's unexpected exception (a bug), which is queued as -300. */
  readonly onInternalError?: (error: unknown, unit: string) => void;
  /** The time each queued error is stamped with, s (an instrument whose error entries carry one). */
  readonly timestamp?: () => number;
}

export class ScpiEngine<Ctx> {
  readonly errors: ErrorQueue;
  readonly status = new StandardStatus();
  readonly context: Ctx;
  readonly #commands: readonly CommandDefinition<Ctx>[];
  readonly #deviceErrors: Readonly<Record<number, DeviceErrorInfo>>;
  readonly #abortOnError: boolean;
  readonly #onInternalError: ((error: unknown, unit: string) => void) | undefined;
  readonly #timestamp: (() => number) | undefined;
  readonly #resolved = new Map<string, Resolved<Ctx>>();
  readonly #lexed = new Map<string, readonly LexedUnit[]>();

  constructor(options: ScpiEngineOptions<Ctx>) {
    this.context = options.context;
    this.errors = new ErrorQueue(options.errorQueueCapacity);
    this.#commands = options.commands;
    this.#deviceErrors = options.deviceErrors ?? {};
    this.#abortOnError = options.abortMessageOnError ?? true;
    this.#onInternalError = options.onInternalError;
    this.#timestamp = options.timestamp;
  }

  /**
   * Executes one program message (without its terminator) and returns its
   * response message, or undefined when it has no queries (or they failed):
   * at once, or as a promise when a handler's operation takes time.
   */
  execute(message: string): Deferred<string | undefined> {
    const units = this.#lex(message);
    // A message of one unit (a polling loop's `:MEAS:CURR?`) needs no response list and no header path.
    if (units.length === 1) return this.#single(units[0] as LexedUnit);
    return this.#continue(units, 0, { responses: [], path: [] });
  }

  /** The one unit of a message: its reply is the response message (none if it failed). */
  #single(unit: LexedUnit): Deferred<string | undefined> {
    let reply: Deferred<string | undefined>;
    try {
      if ("error" in unit) throw unit.error;
      const parsed = unit.parsed;
      if (parsed === undefined) return undefined;
      // A message starts at the root: its first header's path is its own mnemonics.
      reply = this.#run(parsed, parsed.header.mnemonics, 0);
    } catch (error) {
      this.#fail(error, unit.text);
      return undefined;
    }
    if (!(reply instanceof Promise)) return reply;
    return reply.then(undefined, (error: unknown) => {
      this.#fail(error, unit.text);
      return undefined;
    });
  }

  /**
   * The units of a message, parsed (or the error each gives). Parsing
   * depends on the text alone, so a message sent again (a polling loop's
   * `:MEAS:CURR?`) is parsed once; the cache is emptied when full.
   */
  #lex(message: string): readonly LexedUnit[] {
    const cached = this.#lexed.get(message);
    if (cached) return cached;
    const units = splitUnits(message).map((unit): LexedUnit => {
      try {
        return { text: unit.text, parsed: parseUnit(unit) };
      } catch (error) {
        return { text: unit.text, error };
      }
    });
    if (this.#lexed.size >= LEXED_CACHE_SIZE) this.#lexed.clear();
    this.#lexed.set(message, units);
    return units;
  }

  /** Runs units from `first` on; switches to a promise at the first handler that returns one. */
  #continue(units: readonly LexedUnit[], first: number, state: MessageState): Deferred<string | undefined> {
    for (let i = first; i < units.length; i++) {
      const unit = units[i] as LexedUnit;
      let header: ParsedUnit["header"];
      let full: readonly TypedMnemonic[];
      let reply: Deferred<string | undefined>;
      try {
        if ("error" in unit) throw unit.error;
        const parsed = unit.parsed;
        if (parsed === undefined) continue;
        header = parsed.header;
        full = header.common || header.absolute ? header.mnemonics : [...state.path, ...header.mnemonics];
        reply = this.#run(parsed, full, state.responses.length);
      } catch (error) {
        if (this.#fail(error, unit.text)) break;
        continue;
      }
      if (reply instanceof Promise) {
        const done = header;
        const path = full;
        return reply.then(
          (value) => {
            this.#accept(state, done, path, value);
            return this.#continue(units, i + 1, state);
          },
          (error: unknown) =>
            this.#fail(error, unit.text) ? finish(state) : this.#continue(units, i + 1, state),
        );
      }
      this.#accept(state, header, full, reply);
    }
    return finish(state);
  }

  #accept(
    state: MessageState,
    header: ParsedUnit["header"],
    full: readonly TypedMnemonic[],
    reply: string | undefined,
  ): void {
    if (reply !== undefined) state.responses.push(reply);
    if (!header.common) state.path = full.slice(0, -1);
  }

  /** Queues the error of a failed unit; true when the rest of the message is to be discarded. */
  #fail(error: unknown, unit: string): boolean {
    if (error instanceof ScpiError) {
      this.pushError(error.code, error.text);
    } else {
      this.#onInternalError?.(error, unit);
      this.pushError(-300);
    }
    return this.#abortOnError;
  }

  /** Queues an error and sets its Standard Event bit. */
  pushError(code: number, text?: string): void {
    const entry: QueuedError = {
      code,
      text: text ?? SCPI_ERROR_TEXTS[code] ?? this.#deviceErrors[code]?.text ?? "Unknown error",
      ...(this.#timestamp && { time: this.#timestamp() }),
    };
    if (!this.errors.push(entry)) this.status.events.latch(ESR.DDE);
    this.status.events.latch(esrBitFor(code, this.#deviceErrors));
  }

  #run(
    parsed: ParsedUnit,
    full: readonly TypedMnemonic[],
    responsesSoFar: number,
  ): Deferred<string | undefined> {
    const { header, params } = parsed;
    const resolved = this.#resolve(header.common, header.query, full);
    if (resolved.kind !== "match") throw new ScpiError(resolved.kind === "bad-suffix" ? -114 : -113);
    const { form, suffixes } = resolved;
    const args = bindParams(form.params, params, this.context);
    const result = form.run(this.context, args, { engine: this, suffixes, responsesSoFar });
    // A set's promise settles to undefined: no response.
    return (result ?? undefined) as Deferred<string | undefined>;
  }

  /**
   * The first table row whose pattern matches the header, and its form.
   * Matching walks the whole table, so results are kept by header (a
   * `:MEAS:CURR?` poll resolves once); the cache is emptied when full, so
   * a client sending endless distinct headers cannot grow it.
   */
  #resolve(common: boolean, query: boolean, full: readonly TypedMnemonic[]): Resolved<Ctx> {
    let key = common ? "*" : "";
    for (const mnemonic of full) key += `:${mnemonic.name}${mnemonic.suffix ?? ""}`;
    if (query) key += "?";
    const cached = this.#resolved.get(key);
    if (cached) return cached;
    let resolved: Resolved<Ctx> = { kind: "none" };
    for (const definition of this.#commands) {
      if (definition.pattern.common !== common) continue;
      const form = query ? definition.query : definition.set;
      if (form === undefined) continue;
      const match = matchHeader(definition.pattern, full);
      if (match.kind === "bad-suffix") resolved = { kind: "bad-suffix" };
      if (match.kind !== "match") continue;
      resolved = { kind: "match", form, suffixes: match.suffixes };
      break;
    }
    if (this.#resolved.size >= RESOLVED_CACHE_SIZE) this.#resolved.clear();
    this.#resolved.set(key, resolved);
    return resolved;
  }
}

/** Headers whose table row is kept (see `#resolve`). */
const RESOLVED_CACHE_SIZE = 1024;
/** Program messages whose parse is kept (see `#lex`). */
const LEXED_CACHE_SIZE = 256;

/** One unit of a program message: its parse (undefined for an empty unit) or the error parsing gave. */
type LexedUnit =
  | { readonly text: string; readonly parsed: ParsedUnit | undefined }
  | { readonly text: string; readonly error: unknown };

type Resolved<Ctx> =
  | {
      readonly kind: "match";
      readonly form: Form<Ctx, string> | Form<Ctx, void>;
      readonly suffixes: readonly number[];
    }
  | { readonly kind: "bad-suffix" | "none" };

/** The response and header path of a program message being executed. */
interface MessageState {
  readonly responses: string[];
  path: readonly TypedMnemonic[];
}

function finish(state: MessageState): string | undefined {
  return state.responses.length > 0 ? state.responses.join(";") : undefined;
}

/** Matches tokens to specs by position: -109 when one is missing, -108 when there are extra. */
function bindParams<Ctx>(
  specs: readonly ParamSpec<unknown, Ctx>[],
  tokens: readonly ParamToken[],
  ctx: Ctx,
): unknown[] {
  const values: unknown[] = [];
  let next = 0;
  for (const spec of specs) {
    if (spec.rest) {
      const rest = tokens.slice(next);
      if (rest.length < spec.rest.min) throw new ScpiError(-109);
      if (rest.length > spec.rest.max) throw new ScpiError(spec.rest.tooMany);
      values.push(spec.parse(rest, ctx));
      next = tokens.length;
      continue;
    }
    const token = tokens[next];
    if (token === undefined) {
      if (!spec.optional) throw new ScpiError(-109);
      values.push(undefined);
      continue;
    }
    values.push(spec.parse([token], ctx));
    next++;
  }
  if (next < tokens.length) throw new ScpiError(-108);
  return values;
}
