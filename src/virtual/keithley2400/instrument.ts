/**
 * The virtual Keithley 2400 SourceMeter: the SCPI engine with the 2400's
 * command table in front of its core, on a port of a chip and on a bench
 * clock, with the faults of what it sends back. Transports (TCP, serial
 * PTY) live in ../server.ts; the line handling all virtual SCPI
 * instruments share lives in ../scpi-instrument.ts.
 */

import { SeededRandom } from "../../models/random.js";
import type { ElectricalPort } from "../chip/ports.js";
import { type TwoTerminalDevice, TwoTerminalPort } from "../chip/two-terminal.js";
import { type BenchClock, createBenchClock } from "../clock/bench-clock.js";
import { defaultDut } from "../default-dut.js";
import { DEFAULT_NOISE, MeasurementNoise, type NoiseSpec } from "../measurement-noise.js";
import { commonCommands } from "../scpi/common-commands.js";
import { ScpiEngine } from "../scpi/engine.js";
import { errorQueueCommands } from "../scpi/error-commands.js";
import { ESR } from "../scpi/errors.js";
import { STB } from "../scpi/status.js";
import { VirtualScpiInstrument } from "../scpi-instrument.js";
import type { SourceState } from "../source-state.js";
import { acquisitionCommands } from "./commands/acquisition.js";
import { dataCommands } from "./commands/data.js";
import { senseCommands } from "./commands/sense.js";
import { sourceCommands } from "./commands/source.js";
import { systemCommands } from "./commands/system.js";
import { DEVICE_ERRORS, Keithley2400Core } from "./core.js";
import type { Keithley2400Settings } from "./settings.js";

export interface VirtualKeithley2400Options {
  /** Seed of the measurement noise (default 1). */
  seed?: number;
  /** The bench clock (default: a clock of its own, in event mode). */
  clock?: BenchClock;
  /** The chip port the terminals are wired to (default: a chip of its own with `dut` on its one port). */
  port?: ElectricalPort;
  /** With no `port`: the device on the instrument's own chip (default: the hidden-truth memristor of default-dut.ts). */
  dut?: TwoTerminalDevice;
  /** :SOURce:DELay at power-on, s (auto delay off); *RST restores the manual's default. */
  sourceDelay?: number;
  /** Gaussian reading noise: true (default) for DEFAULT_NOISE, false for exact readings, or its terms. */
  noise?: boolean | Partial<NoiseSpec>;
  /** Serial number in *IDN? (default "4090001"). */
  serialNumber?: string;
  /**
   * Told every change of what the terminals are driven with: output state,
   * source function, applied level (each sweep point too). The record of
   * what the instrument was commanded, for checking safety from its side.
   */
  onSource?: (state: SourceState) => void;
}

/**
 * Time from a program message's arrival to its effect, s: the bus transfer
 * and parsing of a short command. The manual gives no figure: 0.5 ms is an
 * assumption (a round figure, short against any reading), not a
 * measurement. Every line costs it, so a polling loop always moves the clock.
 */
export const COMMAND_LATENCY = 5e-4;

/** Entries the 2400's error queue holds (manual §18 :SYSTem:ERRor[:NEXT]?: "can hold up to 10 messages"). */
export const ERROR_QUEUE_CAPACITY = 10;

/** Firmware field of *IDN? as a Model 2400 of the C30 revision answers (manual §16 "*IDN?"). */
const FIRMWARE = "C30   Mar 17 2006 09:29:29/A02  /K/J";

/** The Keithley-defined errors this model raises, as Appendix B, Table B-1 names them (both set EXE, bit 4). */
const ERROR_TABLE = {
  [DEVICE_ERRORS.OUTPUT_OFF]: { text: "Not permitted with OUTPUT off", esrBit: ESR.EXE },
  [DEVICE_ERRORS.INFINITE_ARM_COUNT]: { text: "Invalid with INF ARM:COUNT", esrBit: ESR.EXE },
};

export class VirtualKeithley2400 extends VirtualScpiInstrument<Keithley2400Core> {
  readonly label = "virtual Keithley 2400";
  readonly port: ElectricalPort;
  readonly serialNumber: string;
  readonly #core: Keithley2400Core;
  protected readonly engine: ScpiEngine<Keithley2400Core>;

  constructor(options: VirtualKeithley2400Options = {}) {
    if (options.port && options.dut) {
      throw new RangeError("virtual Keithley 2400: give a port of a chip or a dut of its own, not both");
    }
    const clock = options.clock ?? createBenchClock("event");
    super(clock, COMMAND_LATENCY);
    this.port = options.port ?? new TwoTerminalPort(this.clock, options.dut ?? defaultDut());
    this.serialNumber = options.serialNumber ?? "4090001";
    const noise = options.noise ?? true;
    this.#core = new Keithley2400Core({
      port: this.port,
      timeline: this.timeline,
      noise:
        noise === false
          ? undefined
          : new MeasurementNoise(
              { ...DEFAULT_NOISE, ...(noise === true ? {} : noise) },
              new SeededRandom(options.seed ?? 1),
            ),
      ...(options.sourceDelay !== undefined && { powerOnSourceDelay: options.sourceDelay }),
      ...(options.onSource && { onSource: options.onSource }),
    });
    const identity = `KEITHLEY INSTRUMENTS INC.,MODEL 2400,${this.serialNumber},${FIRMWARE}`;
    this.engine = new ScpiEngine({
      context: this.#core,
      errorQueueCapacity: ERROR_QUEUE_CAPACITY,
      deviceErrors: ERROR_TABLE,
      abortMessageOnError: true,
      onInternalError: (error) => this.internalErrorList.push(error),
      commands: [
        ...commonCommands<Keithley2400Core>({
          identity: () => identity,
          reset: (k) => k.reset(),
          clearStatus: (k) => k.clearEvents(),
          trigger: (k) => k.busTrigger(),
          statusSummary: (k) =>
            (k.measurementEvents.summary ? 1 : 0) |
            (k.questionableEvents.summary ? STB.QSB : 0) |
            (k.operationEvents.summary ? STB.OSB : 0),
        }),
        ...errorQueueCommands<Keithley2400Core>(),
        // SENSe before SOURce: where both roots are optional (":VOLT:RANG"), SENSe is SCPI's default node.
        ...senseCommands(),
        ...sourceCommands(),
        ...acquisitionCommands(),
        ...dataCommands(),
        ...systemCommands(),
      ],
    });
  }

  /** The present settings (read-only view; change them with commands). */
  get settings(): Readonly<Keithley2400Settings> {
    return this.#core.settings;
  }
}
