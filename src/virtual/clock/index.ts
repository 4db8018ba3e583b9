/**
 * The bench clock (issue 14 §1): one clock per virtual bench, in wall,
 * event or manual mode, and its clock-control endpoint, through which
 * another process reads, sleeps on and advances it.
 */
export {
  type BenchClock,
  CLOCK_MODES,
  ClockClosedError,
  type ClockMode,
  createBenchClock,
} from "./bench-clock.js";
export {
  type CallOptions,
  type ClockControlClient,
  type ClockControlClientOptions,
  type ClockDescription,
  connectClockControl,
  DEFAULT_CLOCK_CONTROL_TIMEOUT_MS,
} from "./control-client.js";
export {
  ClockControlClosedError,
  ClockControlError,
  ClockControlProtocolError,
  type ClockControlRequest,
  ClockControlTimeoutError,
} from "./control-errors.js";
export {
  CLOSE_LINGER_MS,
  type ClockControlOptions,
  type ClockControlServer,
  serveClockControl,
} from "./control-server.js";
export { DEFAULT_CLOCK_CONTROL_ENDPOINT } from "./control-wire.js";
