/**
 * The virtual Keithley 2400 SourceMeter: the SCPI engine with the 2400's
 * command table in front of its core, on a port of a chip and on a bench
 * clock, with the faults of what it sends back. Transports (TCP, serial
 * PTY) live in ../server.ts; this class only turns program messages into
 * response messages, each an interval on the bench clock.
 */
import type { ErrorEntry } from "../../scpi/protocol.js";
import type { ElectricalPort } from "../chip/ports.js";
import { type TwoTerminalDevice, TwoTerminalPort } from "../chip/two-terminal.js";
import { type BenchClock, createBenchClock } from "../clock/bench-clock.js";
import { InstrumentTimeline } from "../clock/timeline.js";
import { defaultDut } from "../default-dut.js";
import { type Fault, FaultQueue } from "../faults.js";
import { SeededRandom } from "../random.js";
import { commonCommands } from "../scpi/common-commands.js";
import { ScpiEngine } from "../scpi/engine.js";
import { errorQueueCommands } from "../scpi/error-commands.js";
import { ESR } from "../scpi/errors.js";
import { STB } from "../scpi/status.js";
import { acquisitionCommands } from "./commands/acquisition.js";
import { dataCommands } from "./commands/data.js";
import { senseCommands } from "./commands/sense.js";
import { sourceCommands } from "./commands/source.js";
import { systemCommands } from "./commands/system.js";
import { DEVICE_ERRORS, Keithley2400Core, type SourceState } from "./core.js";
import { DEFAULT_NOISE, MeasurementNoise, type NoiseSpec } from "./measure.js";
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

export class VirtualKeithley2400 {
  readonly label = "virtual Keithley 2400";
  readonly port: ElectricalPort;
  readonly clock: BenchClock;
  readonly serialNumber: string;
  readonly #core: Keithley2400Core;
  readonly #engine: ScpiEngine<Keithley2400Core>;
  readonly #timeline: InstrumentTimeline;
  readonly #faults = new FaultQueue();
  readonly #internalErrors: unknown[] = [];
  /** Replies go out in the order their lines came in, whichever connection sent them. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Lines handed to {@link respond} and not yet answered. */
  #queued = 0;

  constructor(options: VirtualKeithley2400Options = {}) {
    if (options.port && options.dut) {
      throw new RangeError("virtual Keithley 2400: give a port of a chip or a dut of its own, not both");
    }
    this.clock = options.clock ?? createBenchClock("event");
    this.port = options.port ?? new TwoTerminalPort(this.clock, options.dut ?? defaultDut());
    this.#timeline = new InstrumentTimeline(this.clock, COMMAND_LATENCY);
    this.serialNumber = options.serialNumber ?? "4090001";
    const noise = options.noise ?? true;
    this.#core = new Keithley2400Core({
      port: this.port,
      timeline: this.#timeline,
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
    this.#engine = new ScpiEngine({
      context: this.#core,
      errorQueueCapacity: ERROR_QUEUE_CAPACITY,
      deviceErrors: ERROR_TABLE,
      abortMessageOnError: true,
      onInternalError: (error) => this.#internalErrors.push(error),
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

  /** The bench clock's time, s. */
  get time(): number {
    return this.clock.now();
  }

  /** The error queue, oldest first, without reading it. */
  get errors(): readonly ErrorEntry[] {
    return this.#engine.errors.peek();
  }

  /** Exceptions from the instrument's own code while handling input (each queued as -300); empty unless there is a bug. */
  get internalErrors(): readonly unknown[] {
    return this.#internalErrors;
  }

  /**
   * Executes one program message (its LF terminator removed; a trailing CR
   * is ignored) and returns the response message, if it has one, as the one
   * element of the array (IEEE 488.2: one response message per program
   * message), once its time has passed on the bench clock: the command
   * latency, then whatever its operations take. No faults: this is the
   * instrument itself. Call it for one line at a time.
   */
  async handleLine(line: string): Promise<string[]> {
    const reply = await this.#execute(line);
    return reply === undefined ? [] : [reply];
  }

  /**
   * One line's response, once its time has passed (see {@link handleLine}).
   * Only the waits make promises: this runs on every line served.
   */
  #execute(line: string): Promise<string | undefined> {
    // The 2400 executes nothing while its trigger model runs (manual §16 "*OPC"): every command waits.
    this.#timeline.begin();
    const executed = this.#engine.execute(line.endsWith("\r") ? line.slice(0, -1) : line);
    const answer = (reply: string | undefined): Promise<string | undefined> => {
      this.#timeline.finish();
      return reply === undefined ? NO_REPLY : this.#timeline.reach(() => reply);
    };
    return executed instanceof Promise ? executed.then(answer) : answer(executed);
  }

  /**
   * What goes back on the wire for one line: the response with its LF
   * terminator (or "" for none), once the line's time has passed on the
   * bench clock, with any injected fault. Calls are served in order.
   */
  respond(line: string): Promise<string> {
    // With nothing ahead of it, a line starts at once rather than a microtask turn later.
    const next = this.#queued === 0 ? this.#respondNow(line) : this.#queue.then(() => this.#respondNow(line));
    this.#queued += 1;
    this.#queue = next.then(this.#dequeue, this.#dequeue);
    return next;
  }

  /**
   * An exception from the instrument's own code that escaped a reply (a bug,
   * caught by the transport): kept in {@link internalErrors} and queued as
   * -300 "Device-specific error" (SCPI-99 Vol. 2 §21.8.10), as the engine
   * does for a command handler's, so that the instrument keeps serving and a
   * client sees it in the error queue.
   */
  reportInternalError(error: unknown): void {
    this.#internalErrors.push(error);
    this.#engine.pushError(-300);
  }

  /** The transport dropped an over-long line: queue -363 "Input buffer overrun". */
  inputOverrun(): void {
    this.#engine.pushError(-363);
  }

  /** Makes the next `count` replies (default 1) suffer `fault`. */
  injectFault(fault: Fault, count = 1): void {
    this.#faults.inject(fault, count);
  }

  #respondNow(line: string): Promise<string> {
    try {
      return this.#execute(line).then(this.#withFault);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A response with its terminator, as the next injected fault leaves it ("" for none). */
  readonly #withFault = (reply: string | undefined): string | Promise<string> => {
    if (reply === undefined) return "";
    const fault = this.#faults.take();
    switch (fault?.kind) {
      case undefined:
        return `${reply}\n`;
      case "drop-reply":
        return "";
      case "garbage-reply":
        return `${fault.text}\n`;
      case "delay-reply":
        return sleep(fault.ms).then(() => `${reply}\n`);
    }
  };

  readonly #dequeue = (): void => {
    this.#queued -= 1;
  };
}

const NO_REPLY: Promise<undefined> = Promise.resolve(undefined);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
