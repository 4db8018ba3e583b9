/**
 * Public surface of the driver layers (DESIGN.md, "Drivers"): transports,
 * the SCPI session, instrument kinds and models.
 */

export type { ErrorEntry } from "../scpi/protocol.js";
export {
  checkDurationMs,
  MAX_DURATION_MS,
  MIN_TIMEOUT_MS,
} from "./durations.js";
export * from "./errors.js";
export {
  attachKeithley2400,
  type ConnectKeithley2400Options,
  connectKeithley2400,
} from "./instruments/connect-keithley2400.js";
export {
  attachKeithley2450,
  type ConnectKeithley2450Options,
  connectKeithley2450,
} from "./instruments/connect-keithley2450.js";
export {
  KEITHLEY_2400_PROPERTIES,
  Keithley2400,
  type Keithley2400Options,
} from "./instruments/keithley2400.js";
export { inCompliance, KEITHLEY_2400_STATUS_BITS } from "./instruments/keithley2400-status.js";
export {
  KEITHLEY_2450_PROPERTIES,
  Keithley2450,
  type Keithley2450Options,
  type MeasureFunction,
} from "./instruments/keithley2450.js";
export type * from "./instruments/kinds.js";
export {
  DBM,
  type Property,
  type PropertySpec,
  type PropertyTable,
  type SafetyRole,
  scaledUnit,
  type WireUnit,
} from "./instruments/properties.js";
export { READOUT_ELEMENTS } from "./instruments/readings.js";
export {
  DEFAULT_SAFETY_LIMITS,
  resolveSafetyLimits,
  SafetyGuard,
  type SafetyLimits,
  type SafetyLimitsInput,
} from "./instruments/safety.js";
export {
  type ConfigurationValue,
  type DataKey,
  ScpiSourceMeter,
  SOURCE_METER_READINGS,
  type SourceMeterModel,
  type SourceMeterOptions,
} from "./instruments/source-meter.js";
export type { Identity } from "./scpi/identity.js";
export {
  type CallOptions,
  type ScpiChannel,
  type ScpiExchange,
  type ScpiLease,
  ScpiSession,
  type ScpiSessionOptions,
} from "./scpi/session.js";
export type { Transport } from "./transport.js";
export { type OpenTransportOptions, openTransport } from "./transports/open.js";
export { type Exchange, type ReplayOptions, ReplayTransport } from "./transports/replay.js";
export { parseResource, type ResourceAddress } from "./transports/resource.js";
export type { SerialLineOptions, SerialPortClass } from "./transports/serial.js";
