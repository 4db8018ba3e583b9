/**
 * The virtual Keithley 2450 SourceMeter in its SCPI command set: the SCPI
 * engine with the 2450's command table (2450 Reference Manual 2450-901-01,
 * §6 "SCPI command reference") in front of its core, on a port of a chip
 * and on a bench clock. The line handling it shares with the 2400 is
 * ../scpi-instrument.ts; transports are ../server.ts.
 *
 * `language: "TSP"` models an instrument left in its TSP command set, for
 * testing that a driver refuses it: only `*IDN?`, `*LANG?` (answering
 * `TSP`), `*LANG` and `*RST` are understood; every other line is -113
 * "Undefined header", queued where a SCPI client cannot read it, with no
 * reply (the real instrument answers SCPI there with TSP syntax errors in
 * its event log). `*LANG <language>` takes effect at the next power-on
 * (§6 "*LANG"), so it changes nothing here.
 */

import { SeededRandom } from "../../models/random.js";
import type { ElectricalPort } from "../chip/ports.js";
import { type TwoTerminalDevice, TwoTerminalPort } from "../chip/two-terminal.js";
import { type BenchClock, createBenchClock } from "../clock/bench-clock.js";
import { defaultDut } from "../default-dut.js";
import { DEFAULT_NOISE, MeasurementNoise, type NoiseSpec } from "../measurement-noise.js";
import { commonCommands } from "../scpi/common-commands.js";
import { type CommandDefinition, commandsFor, ScpiEngine } from "../scpi/engine.js";
import { errorQueueCommands } from "../scpi/error-commands.js";
import { choice } from "../scpi/params.js";
import { STB } from "../scpi/status.js";
import { VirtualScpiInstrument } from "../scpi-instrument.js";
import { acquisitionCommands } from "./commands/acquisition.js";
import { senseCommands } from "./commands/sense.js";
import { sourceCommands } from "./commands/source.js";
import { formatErrorEntry2450, systemCommands } from "./commands/system.js";
import { traceCommands } from "./commands/trace.js";
import { Keithley2450Core, type SourceState } from "./core.js";
import type { Keithley2450Settings } from "./settings.js";

export interface VirtualKeithley2450Options {
  /** Seed of the measurement noise (default 1). */
  seed?: number;
  /** The bench clock (default: a clock of its own, in event mode). */
  clock?: BenchClock;
  /** The chip port the terminals are wired to (default: a chip of its own with `dut` on its one port). */
  port?: ElectricalPort;
  /** With no `port`: the device on the instrument's own chip (default: the hidden-truth memristor). */
  dut?: TwoTerminalDevice;
  /** Gaussian reading noise: true (default) for DEFAULT_NOISE, false for exact readings, or its terms. */
  noise?: boolean | Partial<NoiseSpec>;
  /** Serial number in *IDN? (default "04501234"). */
  serialNumber?: string;
  /** The command set it is in (default "SCPI"); see the file's comment for "TSP". */
  language?: "SCPI" | "TSP";
  /** The calendar date of the bench clock's 0, for time stamps (default 2026-01-01T00:00:00Z, so runs replay exactly). */
  epochMs?: number;
  /** Told every change of what the terminals are driven with. */
  onSource?: (state: SourceState) => void;
}

/** Time from a program message's arrival to its effect, s: the 2400's assumption (see its instrument.ts). */
export const COMMAND_LATENCY_2450 = 5e-4;

/**
 * Entries the error queue holds. The 2450 keeps errors in its event log,
 * whose size the manual does not tie to the SCPI queue; 32 is an
 * assumption, not a figure from the manual.
 */
export const ERROR_QUEUE_CAPACITY_2450 = 32;

/** Firmware field of *IDN? (a released 2450 firmware version). */
const FIRMWARE = "1.7.12b";
const DEFAULT_EPOCH = Date.UTC(2026, 0, 1);

export class VirtualKeithley2450 extends VirtualScpiInstrument<Keithley2450Core> {
  readonly label = "virtual Keithley 2450";
  readonly port: ElectricalPort;
  readonly serialNumber: string;
  readonly language: "SCPI" | "TSP";
  readonly #core: Keithley2450Core;
  protected readonly engine: ScpiEngine<Keithley2450Core>;

  constructor(options: VirtualKeithley2450Options = {}) {
    if (options.port && options.dut) {
      throw new RangeError("virtual Keithley 2450: give a port of a chip or a dut of its own, not both");
    }
    super(options.clock ?? createBenchClock("event"), COMMAND_LATENCY_2450);
    this.port = options.port ?? new TwoTerminalPort(this.clock, options.dut ?? defaultDut());
    this.serialNumber = options.serialNumber ?? "04501234";
    this.language = options.language ?? "SCPI";
    const noise = options.noise ?? true;
    const calendar = { epochMs: options.epochMs ?? DEFAULT_EPOCH };
    this.#core = new Keithley2450Core({
      port: this.port,
      timeline: this.timeline,
      calendar,
      noise:
        noise === false
          ? undefined
          : new MeasurementNoise(
              { ...DEFAULT_NOISE, ...(noise === true ? {} : noise) },
              new SeededRandom(options.seed ?? 1),
            ),
      ...(options.onSource && { onSource: options.onSource }),
    });
    // "KEITHLEY INSTRUMENTS,MODEL 2450,<serial>,<firmware>" (§6 "*IDN?").
    const identity = `KEITHLEY INSTRUMENTS,MODEL 2450,${this.serialNumber},${FIRMWARE}`;
    const language = this.language;
    const command = commandsFor<Keithley2450Core>();
    const lang: CommandDefinition<Keithley2450Core> = command("*LANG", {
      set: { params: [choice(["SCPI", "TSP", "SCPI2400"])], run: () => undefined },
      query: { run: () => language },
    });
    const common = commonCommands<Keithley2450Core>({
      identity: () => identity,
      reset: (k) => k.reset(),
      clearStatus: (k) => {
        k.operationEvents.clearEvents();
        k.questionableEvents.clearEvents();
      },
      statusSummary: (k) =>
        (k.questionableEvents.summary ? STB.QSB : 0) | (k.operationEvents.summary ? STB.OSB : 0),
    });
    this.engine = new ScpiEngine({
      context: this.#core,
      errorQueueCapacity: ERROR_QUEUE_CAPACITY_2450,
      // Discarding the rest of a message after an error is the 2400's rule, kept as an assumption.
      abortMessageOnError: true,
      timestamp: () => this.timeline.cursor,
      onInternalError: (error) => this.internalErrorList.push(error),
      commands:
        language === "TSP"
          ? [lang, ...common.filter((c) => c.pattern.text === "*IDN" || c.pattern.text === "*RST")]
          : [
              lang,
              ...common,
              ...errorQueueCommands<Keithley2450Core>((entry) => formatErrorEntry2450(entry, calendar)),
              ...senseCommands(),
              ...sourceCommands(),
              ...acquisitionCommands(),
              ...traceCommands(),
              ...systemCommands(),
            ],
    });
  }

  /** The present settings (read-only view; change them with commands). */
  get settings(): Readonly<Keithley2450Settings> {
    return this.#core.settings;
  }
}
