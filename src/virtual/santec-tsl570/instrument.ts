/**
 * The virtual Santec TSL-570 tunable laser (model type 480640, 1480–1640 nm)
 * in its own dialect, so that drivers written for the real one — PyMeasure's
 * santec/tsl570.py and tsl500series.py, QMI's instruments/santec/tsl_570.py,
 * Santec's python-samples tsl_instrument — work against it unchanged:
 * the SCPI engine with the laser's command table (./commands/) and error
 * vocabulary (./errors.ts) in front of its core (./core.ts), on a bench
 * clock, its light going into a fibre array (../chip/fibre-array.ts) as a
 * function of time.
 *
 * Wire (INSTRUMENTS.md, "Santec TSL-570"): commands end in CR or LF
 * (`inputTerminators`); replies end in CR, except a reply that ends with a
 * binary block (`:READout:DATa?`), which has no terminator.
 *
 * The command set it powers up in (`commandSet`, default Legacy) is not
 * fixed on the real laser, which keeps the one last selected: a driver
 * must select it (`:SYSTem:COMMunicate:CODe 1` for SCPI) and may confirm
 * it. Legacy is the default because Santec's samples and QMI's driver
 * assume it without selecting it.
 */
import type { FibreArray, LightSource } from "../chip/fibre-array.js";
import type { LightDrive } from "../chip/optical.js";
import { type BenchClock, createBenchClock } from "../clock/bench-clock.js";
import { VirtualScpiInstrument } from "../scpi-instrument.js";
import { powerCommands } from "./commands/power.js";
import { readoutCommands } from "./commands/readout.js";
import { sweepCommands } from "./commands/sweep.js";
import { systemCommands } from "./commands/system.js";
import { triggerCommands } from "./commands/trigger.js";
import { wavelengthCommands } from "./commands/wavelength.js";
import { Tsl570Core } from "./core.js";
import { Tsl570Engine } from "./errors.js";
import { DEFAULT_LASER_NOISE, type LaserNoiseSpec, LightNoise } from "./light-noise.js";
import { COMMAND_LATENCY_TSL570, ERROR_QUEUE_CAPACITY_TSL570 } from "./ranges.js";
import type { CommandSet, Tsl570Settings } from "./settings.js";
import type { SweepStatusCode } from "./sweep.js";
import { endsWithBlock } from "./wire-format.js";

export interface VirtualSantecTsl570Options {
  /** The bench clock (default: a clock of its own, in event mode). */
  clock?: BenchClock;
  /** The fibre array its output is connected to (default: none; `lightAt` still answers). */
  fibres?: FibreArray;
  /** Seed of its repeatability errors and intensity noise (default 1). */
  seed?: number;
  /** true (default) for DEFAULT_LASER_NOISE, false for exact light, or its terms. */
  noise?: boolean | Partial<LaserNoiseSpec>;
  /** Serial number in *IDN? (default "21020001", the example in Santec's `get_idn` docstring). */
  serialNumber?: string;
  /** The command set at power-on (default "Legacy"; see the file's comment). */
  commandSet?: CommandSet;
  /** Wavelength at power-on, m (default 1550 nm). */
  wavelength?: number;
}

/** Firmware field of *IDN? and `:SYSTem:VERSion?` (the example in Santec's `get_idn` docstring). */
export const FIRMWARE_TSL570 = "0001.0000.0001";

/** `:WAVelength:SWEep?` by name. */
export const SWEEP_STATUS_NAMES: Readonly<
  Record<SweepStatusCode, "stopped" | "running" | "standby" | "preparing">
> = { 0: "stopped", 1: "running", 3: "standby", 4: "preparing" };

export class VirtualSantecTsl570 extends VirtualScpiInstrument<Tsl570Core> implements LightSource {
  readonly label = "virtual Santec TSL-570";
  /** Program messages end at CR or LF (the laser's host may use either; QMI sends CR). */
  readonly inputTerminators = "cr-or-lf" as const;
  readonly serialNumber: string;
  readonly #core: Tsl570Core;
  protected readonly engine: Tsl570Engine<Tsl570Core>;

  constructor(options: VirtualSantecTsl570Options = {}) {
    super(options.clock ?? createBenchClock("event"), COMMAND_LATENCY_TSL570);
    this.serialNumber = options.serialNumber ?? "21020001";
    const noise = options.noise ?? true;
    this.#core = new Tsl570Core({
      timeline: this.timeline,
      commandSet: options.commandSet ?? "Legacy",
      wavelength: options.wavelength ?? 1550e-9,
      noise:
        noise === false
          ? undefined
          : new LightNoise({ ...DEFAULT_LASER_NOISE, ...(noise === true ? {} : noise) }, options.seed ?? 1),
    });
    this.engine = new Tsl570Engine({
      context: this.#core,
      errorQueueCapacity: ERROR_QUEUE_CAPACITY_TSL570,
      // Discarding the rest of a message after an error is the Keithleys' rule, kept as an assumption.
      abortMessageOnError: true,
      onInternalError: (error) => this.internalErrorList.push(error),
      commands: [
        ...systemCommands({
          identity: `SANTEC,TSL-570,${this.serialNumber},${FIRMWARE_TSL570}`,
          firmware: FIRMWARE_TSL570,
        }),
        ...wavelengthCommands(),
        ...powerCommands(),
        ...sweepCommands(),
        ...triggerCommands(),
        ...readoutCommands(),
      ],
    });
    options.fibres?.attach(this);
  }

  /** The reply as the laser sends it: CR-terminated, or a block with nothing after it. */
  override respond(line: string): Promise<string> {
    return super.respond(line).then(terminate);
  }

  /** The light leaving the laser at `time` (s on the bench clock). */
  lightAt(time: number): LightDrive {
    return this.#core.lightAt(time);
  }

  /** The present settings (read-only view; change them with commands). */
  get settings(): Readonly<Tsl570Settings> {
    return this.#core.settings;
  }

  get commandSet(): CommandSet {
    return this.#core.settings.commandSet;
  }

  /** What `:WAVelength?` reads now, m: the last setpoint, or where a sweep is. */
  get wavelengthSetpoint(): number {
    return this.#core.wavelengthSetpoint(this.clock.now());
  }

  /** Light leaves the laser (`:POWer:STATe 1`; on the 570 the same state as an open shutter) as last commanded. */
  get outputEnabled(): boolean {
    return this.#core.latest.outputEnabled;
  }

  /** The shutter is open (`:POWer:SHUTter 0`): the same state as {@link outputEnabled} on the 570. */
  get shutterOpen(): boolean {
    return this.#core.latest.outputEnabled;
  }

  /** The `:POWer` setpoint, W. */
  get powerSetpoint(): number {
    return this.#core.settings.powerSetpoint;
  }

  /** Power emitted while the output is on, W (the setpoint, or peak less attenuation in manual mode), as last commanded. */
  get outputPower(): number {
    return this.#core.latest.power;
  }

  /** A tune or a sweep runs now (`*OPC?` would answer 0). */
  get busy(): boolean {
    return this.#core.busy(this.clock.now());
  }

  /** The last sweep's state now. */
  get sweepState(): "stopped" | "running" | "standby" | "preparing" {
    return SWEEP_STATUS_NAMES[this.#core.sweepAt(this.clock.now()).status];
  }

  /** Cycles of the last sweep completed by now. */
  get completedSweeps(): number {
    return this.#core.sweepAt(this.clock.now()).completed;
  }

  /**
   * The last sweep's triggers up to now (or up to a later line's time, if
   * a line already read the log further): times (s) and the wavelengths
   * logged (m), as `:READout:DATa?` gives them.
   */
  get log(): { readonly times: readonly number[]; readonly wavelengths: readonly number[] } {
    return this.#core.loggedAt(this.clock.now());
  }
}

/** Replaces the LF the shared line handling puts after a reply by the laser's terminator. */
function terminate(reply: string): string {
  if (reply === "") return reply;
  const body = reply.slice(0, -1);
  return endsWithBlock(body) ? body : `${body}\r`;
}
