/**
 * Phase-change programming (issue 16, "Measurements"): pulse trains on a
 * source-meter driving the heater under the phase-change patch, and the
 * optical readout after each pulse: the transmission at a fixed wavelength
 * near the ring's resonance, which moves as the patch crystallises (its
 * index rises with the crystalline fraction, JMAK kinetics in the chip
 * model: Avrami, J. Chem. Phys. 7, 1103 (1939); the optical constants by
 * effective-medium mixing).
 *
 * A pulse is the source ramped to its amplitude within the driver's step
 * and rate limits, held for `width` on the run's timebase, ramped back to
 * zero; then `interval` of rest, then the reading. The ramps belong to the
 * pulse: the bench's limits decide how sharp an edge may be, and the plan
 * reports the time each pulse really took.
 */
import type { SourceMeterHandle } from "../bench/registry.js";
import type { PowerMeter, TunableLaser } from "../drivers/instruments/kinds.js";
import type { PlanContext } from "./iv.js";

export interface PcmProgrammingOptions {
  /** The source's quantity and amplitude of each pulse (A of current or V of voltage). */
  readonly mode: "current" | "voltage";
  readonly amplitude: number;
  /** Compliance on the other quantity, V or A. */
  readonly compliance: number;
  /** Time held at the amplitude, s. */
  readonly width: number;
  /** Rest after each pulse before the reading, s. */
  readonly interval: number;
  readonly pulses: number;
  /** Readout wavelength, m, and laser power, W. */
  readonly wavelength: number;
  readonly power: number;
  readonly path?: string;
}

/** One pulse and the readout after it. */
export interface PulseBatch {
  /** Pulse number, 1, 2, … (0: the readout before the first pulse). */
  readonly pulse: Float64Array;
  /** Time of the readout, s on the run's timebase. */
  readonly time: Float64Array;
  /** Power at the meter, W, and over the laser's setpoint. */
  readonly power: Float64Array;
  readonly transmission: Float64Array;
  /** How long each pulse took from the start of its rising ramp to the end of its falling one, s. */
  readonly pulseDuration: Float64Array;
}

export interface PcmProgrammingSummary {
  readonly readouts: PulseBatch;
  readonly pulses: number;
  readonly path: string | undefined;
  readonly aborted: boolean;
}

export async function pcmProgramming(
  source: SourceMeterHandle,
  laser: TunableLaser,
  meter: PowerMeter,
  options: PcmProgrammingOptions,
  context: PlanContext<PulseBatch>,
): Promise<PcmProgrammingSummary> {
  const { timebase, signal } = context;
  context.stage?.("setting up the laser, the meter and the pulse source");
  await laser.power.set(options.power);
  await meter.wavelength.set(options.wavelength);
  await laser.tuneTo(options.wavelength);
  await laser.lightOn();
  await source.outputEnabled.set(false);
  // The compliance first: once the mode is set it is what the terminals may reach, and the limits check it.
  if (options.mode === "current") await source.complianceVoltage.set(options.compliance);
  else await source.complianceCurrent.set(options.compliance);
  await source.sourceMode.set(options.mode);
  await source.rampTo(0);
  await source.outputEnabled.set(true);

  const window = await meter.readingWindow();
  const rows: Array<[number, number, number, number]> = [];
  const readout = async (pulse: number, duration: number) => {
    const power = await meter.read();
    // The centre of the reading's window, which ends as its reply leaves.
    const time = timebase.now() - window / 2;
    rows.push([pulse, time, power, duration]);
    await context.emit(batchOf([[pulse, time, power, duration]], options.power));
  };
  await readout(0, 0);
  let pulse = 0;
  for (; pulse < options.pulses; ) {
    if (signal?.aborted) break;
    const began = timebase.now();
    await source.rampTo(options.amplitude);
    await timebase.sleep(options.width);
    await source.rampTo(0);
    const duration = timebase.now() - began;
    pulse += 1;
    await timebase.sleep(options.interval);
    await readout(pulse, duration);
    context.progress?.(pulse, options.pulses);
  }
  return {
    readouts: batchOf(rows, options.power),
    pulses: pulse,
    path: options.path,
    aborted: pulse < options.pulses,
  };
}

function batchOf(
  rows: ReadonlyArray<readonly [number, number, number, number]>,
  laserPower: number,
): PulseBatch {
  const column = (i: number) => Float64Array.from(rows, (row) => row[i] as number);
  const power = column(2);
  return {
    pulse: column(0),
    time: column(1),
    power,
    transmission: power.map((p) => p / laserPower),
    pulseDuration: column(3),
  };
}
