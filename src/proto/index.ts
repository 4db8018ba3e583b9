/**
 * Generated protobuf types for everything that crosses a process boundary
 * (schema: proto/pms.proto; code: scripts/build-proto.mjs, run by
 * `npm run build` and before tests).
 */
import { pms } from "./runtime.js";

export const SampleBatchMessage = pms.v1.SampleBatch;
export const InstrumentIdentityMessage = pms.v1.InstrumentIdentity;
export type SampleBatchMessage = pms.v1.SampleBatch;
export type InstrumentIdentityMessage = pms.v1.InstrumentIdentity;

export const ClockRequestMessage = pms.v1.ClockRequest;
export const ClockReplyMessage = pms.v1.ClockReply;
export const ClockModeEnum = pms.v1.ClockMode;
export const ClockErrorCodeEnum = pms.v1.ClockErrorCode;
export type ClockRequestMessage = pms.v1.ClockRequest;
export type ClockReplyMessage = pms.v1.ClockReply;
/** Properties of a ClockReply, as given to `ClockReplyMessage.encode`. */
export type ClockReplyProperties = pms.v1.ClockReply.$Properties;
/** Properties of a ClockRequest, as given to `ClockRequestMessage.encode`. */
export type ClockRequestProperties = pms.v1.ClockRequest.$Properties;
export type ClockModeEnum = pms.v1.ClockMode;
export type ClockErrorCodeEnum = pms.v1.ClockErrorCode;
/** A ClockErrorCode's name, as in proto/pms.proto ("CLOCK_ERROR_CODE_NOT_MANUAL"). */
export type ClockErrorCodeName = keyof typeof pms.v1.ClockErrorCode;

export const GatewayRequestMessage = pms.v1.GatewayRequest;
export const GatewayReplyMessage = pms.v1.GatewayReply;
export const GatewayErrorKindEnum = pms.v1.GatewayErrorKind;
export const GatewayProtocolVersionEnum = pms.v1.GatewayProtocolVersion;
export type GatewayRequestMessage = pms.v1.GatewayRequest;
export type GatewayReplyMessage = pms.v1.GatewayReply;
export type GatewayValueMessage = pms.v1.GatewayValue;
/** Properties of a GatewayRequest, as given to `GatewayRequestMessage.encode`. */
export type GatewayRequestProperties = pms.v1.GatewayRequest.$Properties;
/** Properties of a GatewayReply, as given to `GatewayReplyMessage.encode`. */
export type GatewayReplyProperties = pms.v1.GatewayReply.$Properties;
export type GatewayValueProperties = pms.v1.GatewayValue.$Properties;
export type GatewayErrorProperties = pms.v1.GatewayError.$Properties;
export type GatewayExchangeProperties = pms.v1.GatewayExchange.$Properties;
export type GatewayErrorKindEnum = pms.v1.GatewayErrorKind;
