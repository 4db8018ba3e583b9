/**
 * Virtual instruments (DESIGN.md, "Virtual instruments"): the Keithley 2400
 * SourceMeter, its device under test, and the servers that put it on a TCP
 * socket or a serial PTY.
 */

export { type ElectricalPort, OPEN_DRIVE, type PortDrive, type PortReading } from "./chip/ports.js";
export {
  MAX_LIMITED_HOLD,
  MemristorDut,
  type MemristorDutOptions,
  ResistorDut,
  type TwoTerminalDevice,
  TwoTerminalPort,
} from "./chip/two-terminal.js";
export {
  type BenchClock,
  CLOCK_MODES,
  ClockClosedError,
  type ClockMode,
  createBenchClock,
} from "./clock/bench-clock.js";
export { defaultDut, TRUE_VTEAM_PARAMS } from "./default-dut.js";
export type { Fault } from "./faults.js";
export type { SourceState } from "./keithley2400/core.js";
export {
  COMMAND_LATENCY,
  ERROR_QUEUE_CAPACITY,
  VirtualKeithley2400,
  type VirtualKeithley2400Options,
} from "./keithley2400/instrument.js";
export { DEFAULT_NOISE, type NoiseSpec, type Reading, STATUS_WORD } from "./keithley2400/measure.js";
export type { Keithley2400Settings } from "./keithley2400/settings.js";
export { type ServeOptions, serveVirtualKeithley2400, type VirtualServer } from "./server.js";
