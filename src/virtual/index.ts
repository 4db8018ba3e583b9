/**
 * Virtual instruments (DESIGN.md, "Virtual instruments"): the Keithley 2400
 * SourceMeter, its device under test, and the servers that put it on a TCP
 * socket or a serial PTY.
 */
export { defaultDut, TRUE_VTEAM_PARAMS } from "./default-dut.js";
export { type DeviceUnderTest, ResistorDut } from "./dut.js";
export type { Fault } from "./faults.js";
export type { SourceState } from "./keithley2400/core.js";
export {
  ERROR_QUEUE_CAPACITY,
  VirtualKeithley2400,
  type VirtualKeithley2400Options,
} from "./keithley2400/instrument.js";
export { DEFAULT_NOISE, type NoiseSpec, type Reading, STATUS_WORD } from "./keithley2400/measure.js";
export type { Keithley2400Settings } from "./keithley2400/settings.js";
export { MemristorDut, type MemristorDutOptions } from "./memristor-dut.js";
export { type ServeOptions, serveVirtualKeithley2400, type VirtualServer } from "./server.js";
