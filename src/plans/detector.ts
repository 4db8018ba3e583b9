/**
 * The detector plan (issue 18, recipe 5): the power meter's dark level and
 * its response to the laser's light through one optical path, at one
 * wavelength.
 *
 * 1. **Dark**: the laser's light off (shutter closed, diode off), the meter
 *    read `darkReadings` times. No dark zero is taken: the dark level is
 *    what is measured (over whatever zero the meter already holds: none on
 *    a fresh one). Before it, every setpoint is set once with the light off,
 *    so that the laser's driver checks each against the bench's limit
 *    before any light.
 * 2. **Light**: for each laser power setpoint in turn (each checked by the
 *    laser's driver against the bench's limit), the light on, a wait of
 *    `settle`, then `readings` times the meter read and the laser's own
 *    monitor after it (`:POW:ACT?`: what leaves the laser, the reference a
 *    one-laser, one-meter bench can take as known; read each time, since
 *    the light's intensity noise moves it from one look to the next).
 *
 * Each level is one batch: its readings with the level's number (0 for
 * the dark), the setpoint and the monitor. The light is left as it is at
 * the end: making the bench safe is the bench's `close()`.
 */
import type { PowerMeter, TunableLaser } from "../drivers/instruments/kinds.js";
import type { PlanContext } from "./iv.js";

export interface DetectorOptions {
  /** Wavelength of the light and of the meter's correction, m. */
  readonly wavelength: number;
  /** Laser power setpoints, W, in the order they are set. */
  readonly powers: readonly number[];
  /** Meter readings per power level (default 10). */
  readonly readings?: number;
  /** Meter readings with the light off (default 20). */
  readonly darkReadings?: number;
  /** Wait after each change of the light before reading, s (default 0). */
  readonly settle?: number;
  /** The optical path the fibres are over, to record with the readings. */
  readonly path?: string;
}

/** One level's readings, each with the monitor read after it: `level` 0 is the dark (light off, setpoint and monitor 0). */
export interface DetectorBatch {
  readonly time: Float64Array;
  readonly level: Int32Array;
  readonly setpoint: Float64Array;
  readonly monitored: Float64Array;
  readonly power: Float64Array;
}

export interface DetectorLevel {
  /** From 1, in the order set. */
  readonly level: number;
  readonly setpoint: number;
  /** The laser's monitor after each reading, W. */
  readonly monitored: Float64Array;
  /** The meter's readings, W. */
  readonly readings: Float64Array;
}

export interface DetectorSummary {
  readonly wavelength: number;
  /** The meter's readings with the light off, W. */
  readonly dark: Float64Array;
  readonly levels: readonly DetectorLevel[];
  readonly aborted: boolean;
}

export async function detectorTransfer(
  laser: TunableLaser,
  meter: PowerMeter,
  options: DetectorOptions,
  context: PlanContext<DetectorBatch>,
): Promise<DetectorSummary> {
  const { timebase, signal } = context;
  const readings = options.readings ?? 10;
  const darkReadings = options.darkReadings ?? 20;
  const settle = options.settle ?? 0;
  const total = options.powers.length + 1;
  context.stage?.("setting up the laser and the meter");
  await meter.wavelength.set(options.wavelength);
  await laser.tuneTo(options.wavelength);
  // Every setpoint set once, the light off, so that the driver checks each against the bench's limit
  // before any light: one beyond it refuses the run here, not halfway through.
  await laser.shutdown();
  for (const setpoint of options.powers) await laser.power.set(setpoint);

  const read = async (count: number, level: number, setpoint: number, lit: boolean) => {
    const batch: DetectorBatch = {
      time: new Float64Array(count),
      level: new Int32Array(count).fill(level),
      setpoint: new Float64Array(count).fill(setpoint),
      monitored: new Float64Array(count),
      power: new Float64Array(count),
    };
    const window = await meter.readingWindow();
    for (let k = 0; k < count; k++) {
      batch.power[k] = await meter.read();
      batch.time[k] = timebase.now() - window / 2;
      if (lit) batch.monitored[k] = await laser.monitoredPower();
    }
    await context.emit(batch);
    return batch;
  };

  context.stage?.(`reading the dark level (${darkReadings} readings, the light off)`);
  await laser.shutdown();
  if (settle > 0) await timebase.sleep(settle);
  const dark = (await read(darkReadings, 0, 0, false)).power;
  context.progress?.(1, total);
  const levels: DetectorLevel[] = [];
  let lit = false;
  for (const [index, setpoint] of options.powers.entries()) {
    if (signal?.aborted) return { wavelength: options.wavelength, dark, levels, aborted: true };
    context.stage?.(
      `light at ${(setpoint * 1e3).toPrecision(3)} mW (${index + 1} of ${options.powers.length})`,
    );
    await laser.power.set(setpoint);
    if (!lit) {
      await laser.lightOn();
      lit = true;
    }
    if (settle > 0) await timebase.sleep(settle);
    const batch = await read(readings, index + 1, setpoint, true);
    levels.push({ level: index + 1, setpoint, monitored: batch.monitored, readings: batch.power });
    context.progress?.(index + 2, total);
  }
  return { wavelength: options.wavelength, dark, levels, aborted: false };
}
