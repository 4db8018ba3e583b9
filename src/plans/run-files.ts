/**
 * What every job that records a run shares (the I-V job, the optical
 * jobs): a run folder checked before any instrument is touched, the reason
 * an aborted run gives, and the one way a recorded run ends.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Scope } from "../bench/scope.js";
import type { RunOutcome } from "../record/router.js";
import type { Recording, RunRecord } from "./records.js";

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
 * How every job that records to the run store ends: everything it opened
 * is closed first (its scope: the bench made safe, whose exchanges still
 * go into the run), then the run ends with its status (`success` with the
 * plan's summary, `abort` when its signal stopped it, `fail` with every
 * error as the reason) and the store is closed; the job's error comes back
 * (the first, or all of them when clean-up or the store failed too).
 */
export async function endRecordedRun<R extends { readonly record: RunRecord }>(ending: {
  readonly job: string;
  readonly scope: Scope;
  readonly stage: (what: string) => void;
  readonly recording: Recording;
  /** The job's own error, if it had one. */
  readonly primary: unknown;
  readonly result: R | undefined;
  readonly summary: (result: R) => unknown;
  /** Whether the job's error is its signal's abort (then the run was aborted, not failed). */
  readonly interrupted: (error: unknown) => boolean;
}): Promise<R> {
  const { primary } = ending;
  let { result } = ending;
  const failures = await ending.scope.close();
  ending.stage("done");
  const errors: unknown[] = [...(primary === undefined ? [] : [primary]), ...failures];
  const success = errors.length === 0 && result !== undefined;
  const status = success ? "success" : ending.interrupted(primary) ? "abort" : "fail";
  const reason = success
    ? ""
    : status === "abort" &&
        primary !== undefined &&
        typeof (primary as { reason?: unknown }).reason === "string"
      ? (primary as { reason: string }).reason
      : errors.map((e) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e))).join("; then ");
  const ended = await ending.recording.end(status, reason, success ? ending.summary(result as R) : undefined);
  // A store that failed mid-run failed the plan with the same error: said once.
  for (const error of ended.errors) if (!errors.includes(error)) errors.push(error);
  // The record with what keeping it cost: the plan's waits on the store, the pages the files left out.
  if (result !== undefined && ended.outcome) result = withCosts(result, ended.outcome);
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new AggregateError(errors, errors.map((e) => (e as Error).message ?? String(e)).join("; then "));
  }
  if (result === undefined) throw new Error(`the ${ending.job} ended without a result or an error`);
  return result;
}

function withCosts<R extends { readonly record: RunRecord }>(result: R, outcome: RunOutcome): R {
  return { ...result, record: { ...result.record, waits: outcome.waits, dropped: outcome.dropped } };
}
