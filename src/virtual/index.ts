/**
 * Virtual instruments (DESIGN.md, "Virtual instruments"): one bench clock,
 * one simulated chip reached through ports, the Keithley 2400 and 2450
 * SourceMeters, the Santec TSL-570 laser and the Thorlabs PM100USB meter on
 * the chip's fibre array, and the servers that put instruments on TCP
 * sockets and serial PTYs — a whole bench at once with `serveVirtualBench`.
 */

export {
  checkVirtualBenchSpec,
  DEFAULT_BENCH_INSTRUMENTS,
  serveVirtualBench,
  VIRTUAL_MODELS,
  type VirtualBench,
  type VirtualBenchSpec,
  VirtualBenchSpecError,
  type VirtualInstrument,
  type VirtualInstrumentResources,
  type VirtualInstrumentSpec,
  type VirtualLaserSpec,
  type VirtualModel,
  type VirtualPowerMeterSpec,
  type VirtualSourceMeterSpec,
} from "./bench.js";
export {
  CHIP_PORTS,
  createVirtualDemoChip,
  OPTICAL_PATHS,
  VirtualDemoChip,
  type VirtualDemoChipOptions,
} from "./chip/demo-chip.js";
export { FibreArray, type LightDetector, type LightSource } from "./chip/fibre-array.js";
export { DARK, type LightDrive, type OpticalInput, type OpticalOutput } from "./chip/optical.js";
export { type ElectricalPort, OPEN_DRIVE, type PortDrive, type PortReading } from "./chip/ports.js";
export {
  MAX_LIMITED_HOLD,
  MemristorDut,
  type MemristorDutOptions,
  ResistorDut,
  type TwoTerminalDevice,
  TwoTerminalPort,
} from "./chip/two-terminal.js";
export * from "./clock/index.js";
export { InstrumentTimeline } from "./clock/timeline.js";
export { defaultDut, TRUE_VTEAM_PARAMS } from "./default-dut.js";
export type { Fault } from "./faults.js";
export {
  COMMAND_LATENCY,
  ERROR_QUEUE_CAPACITY,
  VirtualKeithley2400,
  type VirtualKeithley2400Options,
} from "./keithley2400/instrument.js";
export { type Reading, STATUS_WORD } from "./keithley2400/measure.js";
export type { Keithley2400Settings } from "./keithley2400/settings.js";
export { DEFAULT_BUFFER_CAPACITY } from "./keithley2450/core.js";
export {
  COMMAND_LATENCY_2450,
  ERROR_QUEUE_CAPACITY_2450,
  VirtualKeithley2450,
  type VirtualKeithley2450Options,
} from "./keithley2450/instrument.js";
export type { Keithley2450Settings } from "./keithley2450/settings.js";
export { DEFAULT_NOISE, type NoiseSpec } from "./measurement-noise.js";
export {
  FIRMWARE_TSL570,
  SWEEP_STATUS_NAMES,
  VirtualSantecTsl570,
  type VirtualSantecTsl570Options,
} from "./santec-tsl570/instrument.js";
export { DEFAULT_LASER_NOISE, type LaserNoiseSpec } from "./santec-tsl570/light-noise.js";
export {
  COMMAND_LATENCY_TSL570,
  POWER_RANGE_DBM,
  SWEEP_SPEEDS_NM_PER_S,
  TUNING_SETTLE,
  TUNING_SPEED,
  WAVELENGTH_RANGE,
} from "./santec-tsl570/ranges.js";
export { VirtualScpiInstrument } from "./scpi-instrument.js";
export {
  type InstrumentServer,
  type ServedInstrument,
  type ServeOptions,
  serveInstrument,
  serveVirtualKeithley2400,
  type VirtualServer,
  type WireOptions,
} from "./server.js";
export type { SourceState } from "./source-state.js";
export * from "./thorlabs-pm100/index.js";
