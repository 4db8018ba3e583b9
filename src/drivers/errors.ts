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
    const shown =
      reply.length > 200
        ? `${JSON.stringify(reply.slice(0, 200))}… (${reply.length} bytes)`
        : JSON.stringify(reply);
    super(`${resource}: reply to ${JSON.stringify(command)} was ${shown}, expected ${expected}`, resource);
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
    /** What the entry carried beyond code and text (the 2450's event type and time stamp). */
    readonly detail?: string,
  ) {
    super(
      `${resource}: instrument error ${code}, "${text}"${command ? ` after ${JSON.stringify(command)}` : ""}`,
      resource,
    );
  }
}

/**
 * An instrument that answers, but in a mode the driver does not speak (a
 * Keithley 2450 set to its TSP command set): refused at connection, before
 * anything but queries was sent, with what to do about it.
 */
export class InstrumentModeError extends DriverError {
  constructor(
    resource: string,
    /** The query that told, e.g. "*LANG?". */
    readonly query: string,
    readonly found: string,
    readonly expected: string,
    readonly remedy: string,
  ) {
    super(`${resource}: ${query} answers ${JSON.stringify(found)}, not ${expected}: ${remedy}`, resource);
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

/**
 * A reply that grew past the driver's cap without its terminator (a stuck
 * instrument streaming, a wrong terminator, a hostile peer). The session
 * drops what it had buffered; `head` is the first 200 bytes, for the person
 * reading the message.
 */
export class ReplyTooLongError extends DriverError {
  constructor(
    resource: string,
    readonly command: string,
    /** The cap, bytes. */
    readonly limitBytes: number,
    /** First 200 bytes of what arrived, latin1. */
    readonly head: string,
  ) {
    super(
      `${resource}: reply to ${JSON.stringify(command)} passed ${limitBytes} bytes without a terminator; ` +
        `dropped it (first 200 bytes: ${JSON.stringify(head)})`,
      resource,
    );
  }
}

/**
 * A move refused because the driver does not know the source level it
 * would step from: an earlier exchange failed without telling what the
 * instrument did, or a raw command went through `unsafeSession()`.
 * Nothing was sent. A read-back (`refreshState()`, or the one `rampTo()`
 * and `shutdown()` make first) makes the level known again.
 */
export class LevelUnknownError extends DriverError {
  constructor(
    resource: string,
    /** Driver property name, e.g. "sourceVoltage". */
    readonly setting: string,
    /** Why it is unknown, e.g. the failed exchange. */
    readonly reason: string,
  ) {
    super(
      `${resource}: refused to move ${setting}: its level is unknown (${reason}); nothing was sent. ` +
        "Read it back first: refreshState(), rampTo() or shutdown()",
      resource,
    );
  }
}

/**
 * Two read-backs agree on a source level that is not the one the driver
 * tracked: something else moved it (the front panel, another client). The
 * driver now tracks the read-back value and refuses the move it was asked
 * for, since it was planned from the wrong level. Nothing was sent.
 */
export class LevelMismatchError extends DriverError {
  constructor(
    resource: string,
    readonly setting: string,
    readonly tracked: number,
    readonly readBack: number,
    readonly unit: string,
  ) {
    super(
      `${resource}: ${setting} reads back ${readBack} ${unit} (twice) but the driver last set ${tracked} ${unit}: ` +
        "something else moved it; the move was refused and nothing was sent. The driver now tracks the read-back level",
      resource,
    );
  }
}

/**
 * The sweep engine does not hold what the driver just sent it (a list,
 * start, stop, point count, mode or trigger count): a command was lost or
 * garbled on the way, and the engine would run stale levels from an
 * earlier sweep. Found before `:READ?`: nothing was swept.
 */
export class SweepMismatchError extends DriverError {
  constructor(
    resource: string,
    readonly field: string,
    readonly sent: string,
    readonly held: string,
  ) {
    super(
      `${resource}: the sweep engine holds ${field} = ${held} where ${sent} was sent: a command was lost on the ` +
        "way; nothing was swept, and the driver now tracks nothing it has not read back",
      resource,
    );
  }
}

/**
 * `shutdown()` could not do all it should: it turned the output off without
 * a ramp because it could not confirm the level (`outputState: "off"`), or
 * it could not even confirm that (`outputState: "unknown"`: check the
 * instrument by hand). `cause` is what went wrong first.
 */
export class ShutdownError extends DriverError {
  constructor(
    resource: string,
    readonly outputState: "off" | "unknown",
    /** What was and was not done, for a person. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      outputState === "off"
        ? `${resource}: shutdown turned the output off at once, without a ramp: ${detail}`
        : `${resource}: shutdown could not confirm the output is off — check the instrument: ${detail}`,
      resource,
      options,
    );
  }
}

/**
 * An operation the instrument reports through polling (a laser tuning or
 * sweeping, a power meter zeroing) did not end before the deadline the
 * caller gave. Nothing was cut short on the instrument: it may still be
 * working.
 */
export class OperationTimeoutError extends DriverError {
  constructor(
    resource: string,
    /** What was waited for, e.g. "tuning to 1.55e-6 m". */
    readonly operation: string,
    /** The deadline, s on the session's timebase. */
    readonly deadline: number,
    /** The poll and its last reply, e.g. `*OPC? → 0`. */
    readonly lastPoll: string,
  ) {
    super(
      `${resource}: ${operation} had not ended after ${deadline} s (last poll: ${lastPoll}); the instrument may still be busy`,
      resource,
    );
  }
}

/**
 * A binary data block that does not decode as the format declared for the
 * instrument: its length is not the count the instrument announced times
 * the bytes of a value, or a value lies outside what the instrument can
 * report. Names the length, the count and each interpretation tried.
 */
export class BlockFormatError extends DriverError {
  constructor(
    resource: string,
    readonly command: string,
    /** Payload bytes received. */
    readonly length: number,
    /** Values the instrument announced. */
    readonly points: number,
    /** Each interpretation tried and what it gave. */
    readonly interpretations: readonly string[],
  ) {
    super(
      `${resource}: the ${length}-byte block from ${command} does not decode as ${points} values: ${interpretations.join("; ")}`,
      resource,
    );
  }
}

/** A power meter with no sensor attached (or one it cannot measure power with). */
export class NoSensorError extends DriverError {
  constructor(
    resource: string,
    /** What the meter reported, e.g. its `SYST:SENS:IDN?` reply. */
    readonly reported: string,
  ) {
    super(
      `${resource}: no power sensor is attached (the meter reports ${JSON.stringify(reported)}); plug a sensor head in and reconnect`,
      resource,
    );
  }
}
