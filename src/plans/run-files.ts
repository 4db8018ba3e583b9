/**
 * What every job that records a run shares (the I-V job, the optical
 * jobs): a run folder checked before any instrument is touched, each SCPI
 * exchange as a line of `commands.jsonl`, and the reason an aborted run
 * gives.
 */
import { accessSync, constants, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ScpiExchange } from "../drivers/scpi/session.js";

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
