/**
 * Shared by the demo chip dynamics' tests: drives, states and a session of
 * changing drives that passes through every regime (compliance on each port,
 * the patch heated past T_x, both memristors moving), and closeness checks.
 */
import { type ChipPort, type Drive, chipLayout as L, setDrive } from "../../../src/models/chip/index.js";

export const voltage = (level: number, limit = Number.POSITIVE_INFINITY): Drive => ({
  mode: "voltage",
  level,
  limit,
});
export const current = (level: number, limit = Number.POSITIVE_INFINITY): Drive => ({
  mode: "current",
  level,
  limit,
});
export const open: Drive = { mode: "open", level: 0, limit: Number.POSITIVE_INFINITY };

/** A state from its entries by name. */
export function chipState(entries: {
  x?: number;
  w?: number;
  rise?: number;
  cellTemperature?: number;
  fraction?: number;
  ambient?: number;
}): Float64Array {
  const s = new Float64Array(L.STATE_SIZE);
  s[L.LINE_STATE] = entries.x ?? 0.1;
  s[L.STANDALONE_STATE] = entries.w ?? 3e-9;
  s[L.HEATER_RISE] = entries.rise ?? 0;
  s[L.CELL_TEMPERATURE] = entries.cellTemperature ?? 300;
  s[L.CELL_FRACTION] = entries.fraction ?? 0;
  s[L.AMBIENT_RISE] = entries.ambient ?? 0;
  return s;
}

/**
 * The drives at step k of a session sampled every 100 µs: the heater port
 * a 2.2 V-peak rectified sine at 20 Hz with a 1.9 mA limit (so it runs into
 * compliance at its peaks), the heater line a 0–1.5 mA triangle at 7 Hz
 * with a 3 V limit (hitting it while the memristor is off), the standalone
 * memristor ±1.3 V at 5 Hz with a 50 µA limit; each port goes open for a
 * while, and from 0.15 s the heater line switches to voltage drive.
 */
export function sessionDrives(k: number, stimulus: Float64Array): void {
  const t = k * 1e-4;
  const set = (port: ChipPort, drive: Drive) => setDrive(stimulus, port, drive);
  const heaterOpen = k % 1000 > 900;
  set("heater", heaterOpen ? open : voltage(2.2 * Math.abs(Math.sin(2 * Math.PI * 20 * t)), 1.9e-3));
  const phase = (7 * t) % 1;
  const triangle = phase < 0.5 ? 2 * phase : 2 - 2 * phase;
  set("heaterLine", t < 0.15 ? current(1.5e-3 * triangle, 3) : voltage(2.5 * triangle - 0.8, 2e-3));
  set("memristor", k % 700 > 650 ? open : voltage(1.3 * Math.sin(2 * Math.PI * 5 * t), 50e-6));
}

/** |a − b| ≤ tolerance·max(|a|, |b|, floor). */
export function close(a: number, b: number, tolerance: number, floor = 0): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b), floor);
}

/** Scales below which a state entry is compared absolutely: x, w, ΔT_h, T_c, X, ΔT_amb. */
export const STATE_FLOORS = [1e-9, 1e-18, 1e-9, 1, 1e-9, 1e-9] as const;
