/**
 * What every job that records a run shares (the I-V job, the optical
 * jobs): a run folder checked before any instrument is touched, each SCPI
 * exchange as a line of `commands.jsonl`, and the reason an aborted run
 * gives.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Scope } from "../bench/scope.js";
import type { ScpiExchange } from "../drivers/scpi/session.js";
import type { RunRecorder } from "../sync/run-recorder.js";

/**
 * Makes `dir` and checks that files can be written in it, so that a bad
 * folder fails before any instrument is touched; `refuse` makes the error
 * from the reason (the job's own option error).
 */
export function prepareRunFolder(dir: string, refuse: (reason: string) => Error): void {
  try {
    makeDirectories(dir);
    accessSync(dir, constants.W_OK);
    const probe = join(dir, ".pms-write-check");
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw refuse((error as NodeJS.ErrnoException).code ?? (error as Error).message);
  }
}

/**
 * `mkdir -p`, one level at a time: Node's `mkdirSync(…, { recursive: true })`
 * spins forever under /proc (seen on Node 20), which is how `--out
 * /proc/…` used to hang the command.
 */
export function makeDirectories(dir: string): void {
  const path = resolve(dir);
  if (existsSync(path)) return;
  makeDirectories(dirname(path));
  mkdirSync(path);
}

/** One exchange as a line of `commands.jsonl` (a binary reply in base64). */
export function exchangeRecord(exchange: ScpiExchange): Record<string, unknown> {
  const { reply, error } = exchange;
  return {
    at: exchange.startTime,
    duration_s: exchange.duration,
    sent: exchange.command,
    ...(reply === undefined
      ? {}
      : { reply: typeof reply === "string" ? reply : Buffer.from(reply).toString("base64") }),
    ...(exchange.discarded?.length ? { discarded: exchange.discarded } : {}),
    ...(exchange.discardedOmitted ? { discardedOmitted: exchange.discardedOmitted } : {}),
    ...(error ? { error: `${error.name}: ${error.message}` } : {}),
  };
}

/**
 * An option a job refuses, before anything is started or sent. The
 * explanation names other options through `nameOf`, so that the command
 * line can speak of its flags (`--points`) and the API of its fields.
 */
export class JobOptionError extends RangeError {
  constructor(
    /** The option at fault, as the API names it ("pointsPerCycle", "plan.options.speed"). */
    readonly option: string,
    readonly explain: (nameOf: (option: string) => string) => string,
  ) {
    super(`${option}: ${explain((name) => name)}`);
    this.name = "JobOptionError";
  }

  /** The message with every option named by `nameOf`. */
  messageFor(nameOf: (option: string) => string): string {
    return `${nameOf(this.option)}: ${this.explain(nameOf)}`;
  }
}

/** Why an aborted run stopped, from its signal's reason ("SIGINT", an error's message, or "aborted"). */
export function abortReason(signal: AbortSignal | undefined): string {
  const reason = signal?.reason;
  return typeof reason === "string" ? reason : reason instanceof Error ? reason.message : "aborted";
}

/**
 * How every recorded job ends: everything it opened is closed (its scope,
 * whatever happened), run.json says how it ended (`success` with the
 * summary, `interrupted`, or `failed` with every error), and the job's
 * error comes back — the first, or all of them when clean-up failed too.
 */
export async function endRun<R>(ending: {
  readonly job: string;
  readonly scope: Scope;
  readonly stage: (what: string) => void;
  readonly recorder: RunRecorder | undefined;
  /** The job's own error, if it had one. */
  readonly primary: unknown;
  readonly result: R | undefined;
  readonly summary: (result: R) => unknown;
  /** Whether the job's error is its signal's abort (then the run was interrupted, not failed). */
  readonly interrupted: (error: unknown) => boolean;
}): Promise<R> {
  const { primary, result, recorder } = ending;
  const failures = await ending.scope.close();
  ending.stage("done");
  const errors = [...(primary === undefined ? [] : [primary]), ...failures];
  if (recorder) {
    if (errors.length === 0 && result !== undefined) {
      recorder.finish({ status: "success", summary: ending.summary(result) });
    } else {
      const status = ending.interrupted(primary) ? "interrupted" : "failed";
      recorder.finish({ status, error: errors.map(String).join("\n") });
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new AggregateError(errors, errors.map((e) => (e as Error).message ?? String(e)).join("; then "));
  }
  if (result === undefined) throw new Error(`the ${ending.job} ended without a result or an error`);
  return result;
}
