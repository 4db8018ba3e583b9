/**
 * Errors across the gateway. On the gateway's side an error of a call
 * becomes a `pms.v1.GatewayError` with its kind and what the client needs
 * to rebuild it (`toWireError`); on the client's side it becomes the same
 * class a local driver throws where there is one — a timeout on the far
 * side is an InstrumentTimeoutError, a refused setpoint a SafetyLimitError,
 * an error-queue entry an InstrumentError — naming the instrument as
 * `ZMQ::<gateway endpoint>::<instrument>` and the gateway in its message
 * (`fromWireError`); the gateway's own refusals are GatewayError.
 */
import {
  ConnectionError,
  DriverError,
  InstrumentError,
  InstrumentTimeoutError,
  SafetyLimitError,
  SettingRangeError,
} from "../drivers/errors.js";
import { GatewayErrorKindEnum, type GatewayErrorProperties } from "../proto/index.js";
import { GatewayArgumentError, GatewayMethodError } from "./methods.js";

/** A GatewayErrorKind's name without its prefix ("HELD", "UNKNOWN_INSTRUMENT"). */
export type GatewayErrorKindName = keyof typeof GatewayErrorKindEnum extends `GATEWAY_ERROR_KIND_${infer K}`
  ? K
  : never;

function kindName(kind: GatewayErrorKindEnum | null | undefined): GatewayErrorKindName {
  const name = GatewayErrorKindEnum[kind ?? 0] as string | undefined;
  return (name?.replace(/^GATEWAY_ERROR_KIND_/, "") ?? "UNSPECIFIED") as GatewayErrorKindName;
}

/**
 * A refusal of the gateway itself (an instrument held by another client, an
 * unknown instrument or method, bad arguments, a malformed request, a
 * version mismatch, a passed deadline, a closing gateway), or a remote
 * error with no local class.
 */
export class GatewayError extends DriverError {
  constructor(
    message: string,
    /** `ZMQ::<endpoint>::<instrument>`, or the endpoint for a request to no instrument. */
    resource: string,
    readonly kind: GatewayErrorKindName,
    /** The error's class on the gateway. */
    readonly remoteClass: string,
    readonly gateway: string,
  ) {
    super(message, resource);
  }
}

/** No reply from the gateway itself within the call's time (it is down, unreachable, or the call outlived its deadline). */
export class GatewayUnreachableError extends ConnectionError {}

/** A refusal by the gateway (not by a driver): its kind and message. */
export class GatewayRefusal extends Error {
  constructor(
    readonly kind: GatewayErrorKindEnum,
    message: string,
  ) {
    super(message);
  }
}

/** An error of a call, as it goes on the wire. */
export function toWireError(error: unknown): GatewayErrorProperties {
  const remoteClass = error instanceof Error ? error.name || error.constructor.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  const base = { message, remoteClass };
  if (error instanceof GatewayRefusal) return { ...base, kind: error.kind, remoteClass: "GatewayRefusal" };
  if (error instanceof GatewayMethodError)
    return { ...base, kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_UNKNOWN_METHOD };
  if (error instanceof GatewayArgumentError || error instanceof TypeError) {
    return { ...base, kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_BAD_ARGUMENTS };
  }
  if (error instanceof SafetyLimitError) {
    return {
      ...base,
      kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_SAFETY_LIMIT,
      limit: error.limit,
      limitValue: error.limitValue,
      requested: error.requested,
      unit: error.unit,
    };
  }
  if (error instanceof InstrumentTimeoutError) {
    return {
      ...base,
      kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INSTRUMENT_TIMEOUT,
      command: error.command,
      timeoutMs: error.timeoutMs,
    };
  }
  if (error instanceof InstrumentError) {
    return {
      ...base,
      kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INSTRUMENT_ERROR,
      code: error.code,
      text: error.text,
    };
  }
  if (error instanceof SettingRangeError || error instanceof RangeError) {
    return { ...base, kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INSTRUMENT_ERROR };
  }
  if (error instanceof ConnectionError)
    return { ...base, kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_CONNECTION };
  if (error instanceof DriverError)
    return { ...base, kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INSTRUMENT_ERROR };
  return { ...base, kind: GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INTERNAL };
}

/** A wire error as the error a client throws; `resource` is `ZMQ::<endpoint>::<instrument>`. */
export function fromWireError(wire: GatewayErrorProperties, resource: string, gateway: string): Error {
  const via = `${resource} (through ${gateway}): ${wire.message ?? ""}`;
  const kind = wire.kind ?? GatewayErrorKindEnum.GATEWAY_ERROR_KIND_UNSPECIFIED;
  let error: Error;
  switch (kind) {
    case GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INSTRUMENT_TIMEOUT:
      error = new InstrumentTimeoutError(resource, wire.command ?? "", wire.timeoutMs ?? 0, "");
      break;
    case GatewayErrorKindEnum.GATEWAY_ERROR_KIND_SAFETY_LIMIT:
      error = new SafetyLimitError(
        resource,
        wire.limit ?? "",
        wire.limitValue ?? Number.NaN,
        wire.requested ?? Number.NaN,
        wire.unit ?? "",
      );
      break;
    case GatewayErrorKindEnum.GATEWAY_ERROR_KIND_INSTRUMENT_ERROR:
      error =
        wire.remoteClass === "InstrumentError"
          ? new InstrumentError(resource, wire.code ?? 0, wire.text ?? "")
          : new GatewayError(via, resource, kindName(kind), wire.remoteClass ?? "", gateway);
      break;
    case GatewayErrorKindEnum.GATEWAY_ERROR_KIND_CONNECTION:
      error = new ConnectionError(via, resource);
      break;
    default:
      return new GatewayError(via, resource, kindName(kind), wire.remoteClass ?? "", gateway);
  }
  // The local class, with the far side's words: which gateway, which instrument, what happened there.
  error.message = via;
  return Object.assign(error, { gateway, remoteClass: wire.remoteClass ?? "" });
}
