/** The instrument gateway across machines (issue 19): server, client, wire values and errors. */
export {
  type CallOptions,
  type CallOutcome,
  type ClockEstimate,
  connectGateway,
  DEFAULT_GATEWAY_TIMEOUT_MS,
  GatewayClient,
  type GatewayClientOptions,
  type GatewayInstrumentState,
  type GatewayStatusReport,
  type RemoteExchange,
} from "./client.js";
export {
  fromWireError,
  GatewayError,
  type GatewayErrorKindName,
  GatewayUnreachableError,
  toWireError,
} from "./errors.js";
export { callMethod, GatewayArgumentError, GatewayMethodError, offered, WIRE_KINDS } from "./methods.js";
export {
  GATEWAY_PROTOCOL_VERSION,
  type Gateway,
  type GatewayCounters,
  type GatewayOptions,
  MAX_REQUESTS_IN_PROGRESS,
  serveGateway,
} from "./server.js";
export {
  subscribeTelemetry,
  type TelemetryGap,
  type TelemetryOptions,
  TelemetryPublisher,
  TelemetrySubscriber,
} from "./telemetry.js";
export { fromGatewayValue, type GatewayJs, toGatewayValue } from "./values.js";
