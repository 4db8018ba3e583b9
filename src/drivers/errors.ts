/**
 * Typed errors of the driver layers (STYLE.md 10). Each names the resource,
 * the command and what came back, so that the person reading it knows which
 * cable to check.
 */

/** Base class: every driver error carries the resource it happened on. */
export class DriverError extends Error {
  constructor(
    message: string,
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A resource string that cannot be parsed, or names something that does not exist. */
export class ResourceError extends DriverError {}

/** The connection could not be opened, or went away (unplugged cable, closed socket). */
export class ConnectionError extends DriverError {}

/**
 * No complete reply within the call's timeout. With `duringResync`, the
 * reply that did not come was to the `*OPC?` the session sends before
 * `command` to resynchronise after an earlier timeout, and `command` itself
 * was never sent.
 */
export class InstrumentTimeoutError extends DriverError {
  constructor(
    resource: string,
    readonly command: string,
    readonly timeoutMs: number,
    /** Bytes received before the timeout, if any (an incomplete reply). */
    readonly partial: string,
    readonly duringResync = false,
  ) {
    const received = partial ? ` (received only ${JSON.stringify(partial)})` : "";
    super(
      duringResync
        ? `${resource}: ${JSON.stringify(command)} was not sent: no reply within ${timeoutMs} ms to the *OPC? ` +
            `that resynchronises the session after an earlier timeout${received}`
        : `${resource}: no reply to ${JSON.stringify(command)} within ${timeoutMs} ms${received}`,
      resource,
    );
  }
}

/** A reply that does not parse as what the command returns. */
export class ProtocolError extends DriverError {
  constructor(
    resource: string,
    readonly command: string,
    readonly reply: string,
    readonly expected: string,
  ) {
    super(
      `${resource}: reply to ${JSON.stringify(command)} was ${JSON.stringify(reply)}, expected ${expected}`,
      resource,
    );
  }
}

/** An entry of the instrument's error queue (`:SYST:ERR?`), e.g. -222 "Data out of range". */
export class InstrumentError extends DriverError {
  constructor(
    resource: string,
    readonly code: number,
    readonly text: string,
    /** The command after which the error was read, when known. */
    readonly command?: string,
  ) {
    super(
      `${resource}: instrument error ${code}, "${text}"${command ? ` after ${JSON.stringify(command)}` : ""}`,
      resource,
    );
  }
}

/** A setpoint refused by a configured safety limit before any byte was sent. */
export class SafetyLimitError extends DriverError {
  constructor(
    resource: string,
    /** Name of the limit, e.g. "maxAbsVoltage". */
    readonly limit: string,
    readonly limitValue: number,
    readonly requested: number,
    readonly unit: string,
  ) {
    super(
      `${resource}: refused ${requested} ${unit}: safety limit ${limit} is ${limitValue} ${unit}; nothing was sent`,
      resource,
    );
  }
}

/**
 * A value the instrument cannot take (outside the range or set its manual
 * allows), refused by the driver's validator before any byte was sent.
 * Distinct from {@link SafetyLimitError}: that one is the user's own, tighter
 * limit; this one is what the hardware accepts at all.
 */
export class SettingRangeError extends DriverError {
  constructor(
    resource: string,
    /** Driver property name, e.g. "sourceVoltage". */
    readonly setting: string,
    readonly requested: unknown,
    /** Why it was refused, e.g. "outside [-210, 210]". */
    readonly reason: string,
  ) {
    super(
      `${resource}: refused ${setting} = ${JSON.stringify(requested)}: ${reason}; nothing was sent`,
      resource,
    );
  }
}
