/**
 * The virtual Thorlabs PM100USB optical power meter with a photodiode head
 * (by default an S144C): the SCPI engine with the meter's command table
 * (PM100D/PM100USB manual §6.4 "SCPI Commands") in front of its core, on a
 * bench clock, reading a LightDetector (on the bench, the FibreArray over
 * the demo chip's ring or reference path). Replies end with LF
 * (INSTRUMENTS.md; ../scpi-instrument.ts writes them); transports are
 * ../server.ts.
 *
 * Third-party drivers it is checked against (test/virtual/pm100-*.test.ts):
 * PyMeasure's ThorlabsPM100USB (pymeasure/instruments/thorlabs/
 * thorlabspm100usb.py), ThorlabsPM100 on PyPI (github:clade/ThorlabsPM100,
 * ThorlabsPM100/ThorlabsPM100.py), QCoDeS' Thorlab_PM100D
 * (Qcodes_contrib_drivers, drivers/Thorlabs/PM100D.py) and QMI's
 * Thorlabs_PM10x (qmi/instruments/thorlabs/pm100d.py).
 */

import { SeededRandom } from "../../models/random.js";
import { type BenchClock, createBenchClock } from "../clock/bench-clock.js";
import { commonCommands } from "../scpi/common-commands.js";
import { commandsFor, ScpiEngine } from "../scpi/engine.js";
import { errorQueueCommands } from "../scpi/error-commands.js";
import { ESR } from "../scpi/errors.js";
import { STB } from "../scpi/status.js";
import { VirtualScpiInstrument } from "../scpi-instrument.js";
import { formatErrorEntryPm100 } from "./commands/format.js";
import { measureCommands } from "./commands/measure.js";
import { senseCommands } from "./commands/sense.js";
import { systemCommands } from "./commands/system.js";
import { type LightReader, NO_LIGHT, Pm100Core } from "./core.js";
import { checkSensorSpec, type Pm100SensorSpec, S144C } from "./sensor.js";
import type { Pm100Settings, PowerUnit } from "./settings.js";

export interface VirtualThorlabsPm100Options {
  /** The bench clock (default: a clock of its own, in event mode). */
  clock?: BenchClock;
  /** What the head sees (default: no light). */
  detector?: LightReader;
  /** Seed of the reading noise (default 1). */
  seed?: number;
  /** Reading noise (default true); false for exact readings. */
  noise?: boolean;
  /** Serial number in *IDN? (default "P0012345"). */
  serialNumber?: string;
  /** The head (default {@link S144C}); null for none attached. */
  sensor?: Pm100SensorSpec | null;
}

/**
 * Time from a program message's arrival to its effect, s: the manual gives
 * none; the 2400's and 2450's figure (0.5 ms) is used.
 */
export const COMMAND_LATENCY_PM100 = 5e-4;

/**
 * Entries the error queue holds: 30, as the manual of its predecessor, the
 * PM100, states ("The device stores errors in a queue containing up to 30
 * entries", PM100 manual §4.4.4); the PM100USB's manual does not say.
 */
export const ERROR_QUEUE_CAPACITY_PM100 = 30;

/** *IDN? fields after the serial: firmware version (an assumption) and the console's calibration date. */
const FIRMWARE = "1.7.0";
const CONSOLE_CALIBRATION = "15-MAR-2023";

export class VirtualThorlabsPm100 extends VirtualScpiInstrument<Pm100Core> {
  readonly label = "virtual Thorlabs PM100USB";
  readonly serialNumber: string;
  readonly #core: Pm100Core;
  protected readonly engine: ScpiEngine<Pm100Core>;

  constructor(options: VirtualThorlabsPm100Options = {}) {
    super(options.clock ?? createBenchClock("event"), COMMAND_LATENCY_PM100);
    const sensor = options.sensor === null ? undefined : (options.sensor ?? S144C);
    if (sensor) checkSensorSpec(sensor);
    this.serialNumber = options.serialNumber ?? "P0012345";
    this.#core = new Pm100Core({
      timeline: this.timeline,
      sensor,
      detector: options.detector ?? NO_LIGHT,
      random: options.noise === false ? undefined : new SeededRandom(options.seed ?? 1),
      onInternalError: (error) => this.reportInternalError(error),
    });
    // "THORLABS,MMM,SSS,X.X.X" (PM100D manual §6.4.2.2.1 "*IDN?").
    const identity = `THORLABS,PM100USB,${this.serialNumber},${FIRMWARE}`;
    const command = commandsFor<Pm100Core>();
    this.engine = new ScpiEngine({
      context: this.#core,
      errorQueueCapacity: ERROR_QUEUE_CAPACITY_PM100,
      // Whether the console discards the rest of a message after an error is not documented; the 2400's rule.
      abortMessageOnError: true,
      onInternalError: (error) => this.internalErrorList.push(error),
      commands: [
        // Ahead of the common ones, which complete at once: here *OPC and *WAI wait for the reading
        // and the zero in progress ("after all pending command operations are complete", PM100D manual §6.4.2.2.3).
        command("*OPC", {
          set: {
            params: [],
            run: (k, _args, { engine }) => {
              k.waitForOperations();
              engine.status.events.latch(ESR.OPC);
            },
          },
          query: {
            run: (k) => {
              k.waitForOperations();
              return "1";
            },
          },
        }),
        command("*WAI", { set: { params: [], run: (k) => k.waitForOperations() } }),
        ...commonCommands<Pm100Core>({
          identity: () => identity,
          reset: (k) => k.reset(),
          clearStatus: (k) => {
            k.operation.clearEvents();
            k.questionable.clearEvents();
          },
          statusSummary: (k) => (k.questionable.summary ? STB.QSB : 0) | (k.operation.summary ? STB.OSB : 0),
        }),
        ...errorQueueCommands<Pm100Core>(formatErrorEntryPm100),
        ...senseCommands(),
        ...measureCommands(),
        ...systemCommands(CONSOLE_CALIBRATION),
      ],
    });
  }

  /** The present settings (read-only view; change them with commands). */
  get settings(): Readonly<Pm100Settings> {
    return this.#core.settings;
  }

  /** The head attached, or undefined. */
  get sensor(): Pm100SensorSpec | undefined {
    return this.#core.sensor;
  }

  /** `SENS:CORR:WAV`, m. */
  get correctionWavelength(): number {
    return this.#core.settings.correctionWavelength;
  }

  /** `SENS:AVER:COUN`: samples per reading. */
  get averageCount(): number {
    return this.#core.settings.averageCount;
  }

  /** Duration of one reading, s (averageCount × SAMPLE_TIME). */
  get measurementTime(): number {
    return this.#core.measurementTime;
  }

  /** Full-scale current of the present range, A. */
  get currentRange(): number {
    return this.#core.settings.currentRange;
  }

  /** Full-scale power of the present range at the correction wavelength, W (undefined with no head). */
  get powerRange(): number | undefined {
    return this.#core.sensor ? this.#core.powerRange : undefined;
  }

  get rangeAutoEnabled(): boolean {
    return this.#core.settings.rangeAutoEnabled;
  }

  /** `SENS:POW:UNIT`. */
  get powerUnit(): PowerUnit {
    return this.#core.settings.powerUnit;
  }

  /** The dark zero subtracted from readings, A. */
  get zeroCurrent(): number {
    return this.#core.zeroCurrent;
  }
}
