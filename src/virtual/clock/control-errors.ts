/**
 * Typed errors of the clock-control client (STYLE.md 10). Each names the
 * endpoint and the request, so that the person reading it knows which
 * bench and which call.
 */
import type { ClockErrorCodeName } from "../../proto/index.js";
import type { ClockMode } from "./bench-clock.js";

/** One request to the clock-control endpoint, as the client's methods name it. */
export type ClockControlRequest =
  | { readonly op: "now" }
  | { readonly op: "describe" }
  | { readonly op: "sleepUntil"; readonly time: number }
  | { readonly op: "sleep"; readonly seconds: number }
  | { readonly op: "advance"; readonly seconds: number }
  | { readonly op: "moveFibres"; readonly path: string };

/** "sleepUntil(2.5)", for messages. */
export function formatRequest(request: ClockControlRequest): string {
  switch (request.op) {
    case "sleepUntil":
      return `sleepUntil(${request.time})`;
    case "sleep":
    case "advance":
      return `${request.op}(${request.seconds})`;
    case "moveFibres":
      return `moveFibres(${JSON.stringify(request.path)})`;
    default:
      return `${request.op}()`;
  }
}

/** The endpoint refused the request (`code`, `text`: its pms.v1.ClockError); nothing was done. */
export class ClockControlError extends Error {
  constructor(
    readonly endpoint: string,
    readonly request: ClockControlRequest,
    /** e.g. "CLOCK_ERROR_CODE_NOT_MANUAL" (proto/pms.proto, enum ClockErrorCode). */
    readonly code: ClockErrorCodeName,
    /** The endpoint's words: what it refused and why. */
    readonly text: string,
    /** The clock's mode and now, s, when it refused (undefined: a mode this build does not know). */
    readonly mode: ClockMode | undefined,
    readonly now: number,
  ) {
    super(`${endpoint}: ${code}: ${text}`);
    this.name = "ClockControlError";
  }
}

/**
 * No reply within the call's timeout. The request may still stand on the
 * clock (a sleep still waiting, an advance still running): only this
 * client stopped waiting for it.
 */
export class ClockControlTimeoutError extends Error {
  constructor(
    readonly endpoint: string,
    readonly request: ClockControlRequest,
    readonly timeoutMs: number,
  ) {
    super(
      `${endpoint}: no reply to ${formatRequest(request)} within ${timeoutMs} ms ` +
        "(is a bench serving its clock-control endpoint there? a sleep on a simulated clock waits until time reaches it)",
    );
    this.name = "ClockControlTimeoutError";
  }
}

/** The client was closed before the request's reply came. */
export class ClockControlClosedError extends Error {
  constructor(
    readonly endpoint: string,
    readonly request: ClockControlRequest,
  ) {
    super(
      `${endpoint}: ${formatRequest(request)} abandoned: the clock-control client was closed before its reply came`,
    );
    this.name = "ClockControlClosedError";
  }
}

/** A reply that is not a well-formed pms.v1.ClockReply (a wrong endpoint, a mismatched schema). */
export class ClockControlProtocolError extends Error {
  constructor(
    readonly endpoint: string,
    /** The request it answered, when that could be read. */
    readonly request: ClockControlRequest | undefined,
    readonly reason: string,
  ) {
    super(`${endpoint}: ${request ? `reply to ${formatRequest(request)}` : "a reply"} ${reason}`);
    this.name = "ClockControlProtocolError";
  }
}
