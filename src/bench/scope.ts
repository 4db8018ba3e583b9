/**
 * One owner for everything a command starts (servers, socat, sockets,
 * files): a stack of clean-up actions, run in reverse order of opening on
 * success, error and signal alike, that keeps going past a failing action
 * and reports each failure (STYLE.md 12, after bluesky's RunEngine
 * `_stop_movable_objects`; `AsyncDisposableStack` only arrives in Node 24).
 */
export class CleanupError extends Error {
  constructor(
    /** What was being closed, e.g. "the virtual Keithley 2400 server". */
    readonly what: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    super(`closing ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, options);
    this.name = "CleanupError";
  }
}

export class Scope {
  readonly #actions: { what: string; run: () => unknown }[] = [];
  #closing: Promise<CleanupError[]> | undefined;

  /** Adds what to do at close; `what` names it in a failure report. */
  defer(what: string, run: () => unknown): void {
    if (this.#closing) throw new Error(`scope is closing: cannot take ${what}`);
    this.#actions.push({ what, run });
  }

  /** Runs every action, newest first, each to completion before the next; resolves with their failures. */
  close(): Promise<CleanupError[]> {
    this.#closing ??= (async () => {
      const failures: CleanupError[] = [];
      for (const { what, run } of this.#actions.splice(0).reverse()) {
        try {
          await run();
        } catch (error) {
          failures.push(error instanceof CleanupError ? error : new CleanupError(what, { cause: error }));
        }
      }
      return failures;
    })();
    return this.#closing;
  }
}
