/**
 * SIGINT and SIGTERM for the commands that drive instruments (pms iv,
 * spectrum, tune, pcm, calibrate): the first stops the job at its next
 * checkpoint, which makes the bench safe; the second says what it is still
 * doing and waits; the third exits at once, saying what is not confirmed
 * off. The exit code is the shells' for the first signal: 130 (SIGINT) or
 * 143 (SIGTERM).
 */

/** Exit codes of a run stopped by a signal: 128 + the signal's number, as shells report them. */
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

export interface Interrupts {
  /** Aborted at the first signal, with the signal's name as its reason. */
  readonly signal: AbortSignal;
  /** The exit code for the first signal (130 before any). */
  readonly exitCode: number;
  /** Stops listening. */
  dispose(): void;
}

/** What a command says it does after the first signal, and what the third leaves unconfirmed. */
export interface InterruptWording {
  /** "turning the laser off and making the bench safe" */
  readonly safing: string;
  /** "the laser's light and the sources are NOT confirmed off; check the instruments" */
  readonly unconfirmed: string;
}

/** The optical commands' wording: light first, then the sources. */
export const LASER_BENCH: InterruptWording = {
  safing: "turning the laser off and making the bench safe",
  unconfirmed: "the laser's light and the sources are NOT confirmed off; check the instruments",
};

/** Listens for SIGINT and SIGTERM on behalf of `prefix` ("pms spectrum"); `stage()` says what the job is doing. */
export function listenForInterrupts(
  prefix: string,
  stage: () => string,
  wording: InterruptWording = LASER_BENCH,
): Interrupts {
  const controller = new AbortController();
  let signals = 0;
  let exitCode: number = SIGNAL_EXIT.SIGINT;
  const onSignal = (signal: keyof typeof SIGNAL_EXIT) => {
    signals += 1;
    if (signals === 1) {
      exitCode = SIGNAL_EXIT[signal];
      process.stderr.write(
        `\n${prefix}: ${signal}: stopping at the next checkpoint, then ${wording.safing}\n`,
      );
      controller.abort(signal);
    } else if (signals === 2) {
      process.stderr.write(
        `${prefix}: still ${stage()}; waiting for it to finish (once more to exit without waiting)\n`,
      );
    } else {
      process.stderr.write(`${prefix}: exiting while ${stage()}: ${wording.unconfirmed}\n`);
      process.exit(exitCode);
    }
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    dispose() {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}
