/** Shared set-up of the virtual 2400 tests: an exact (noise-free) instrument on an ohmic device. */
import {
  type BenchClock,
  createBenchClock,
  type ElectricalPort,
  type PortDrive,
  type PortReading,
  ResistorDut,
  TwoTerminalPort,
  VirtualKeithley2400,
  type VirtualKeithley2400Options,
} from "../../src/virtual/index.js";

/** One call the instrument made on its port. */
export interface PortCall {
  readonly op: "drive" | "read";
  /** Bench-clock time of the call, s. */
  readonly time: number;
  /** The drive in effect after the call (for a read: the one the reading was taken under). */
  readonly drive: PortDrive;
  /** For a read: when that drive was last set, s (the start of its source-delay-measure cycle). */
  readonly drivenAt: number;
}

/** A level held on the port between two successive calls (what the device saw). */
export interface Hold {
  readonly mode: PortDrive["mode"];
  readonly level: number;
  /** How long it was held, s. */
  readonly dt: number;
}

/**
 * A two-terminal port that records every drive and read the instrument
 * makes, with the bench-clock time, to check levels and timing.
 */
export class RecordingPort implements ElectricalPort {
  readonly calls: PortCall[] = [];
  readonly #clock: BenchClock;
  readonly #inner: TwoTerminalPort;
  #drive: PortDrive;
  #drivenAt: number;

  constructor(clock: BenchClock, inner: TwoTerminalPort) {
    this.#clock = clock;
    this.#inner = inner;
    this.#drive = { mode: "open", level: 0, limit: Number.POSITIVE_INFINITY };
    this.#drivenAt = clock.now();
  }

  get name(): string {
    return this.#inner.name;
  }

  drive(drive: PortDrive, at = this.#clock.now()): void {
    this.#inner.drive(drive, at);
    this.#drive = drive;
    // The instrument sets a drive for its line's time, which may lie ahead of the clock.
    this.#drivenAt = Math.max(at, this.#clock.now());
    this.calls.push({ op: "drive", time: this.#drivenAt, drive, drivenAt: this.#drivenAt });
  }

  read(): PortReading {
    const reading = this.#inner.read();
    this.calls.push({ op: "read", time: this.#clock.now(), drive: this.#drive, drivenAt: this.#drivenAt });
    return reading;
  }

  /** The reads, each with the drive it was taken under: one per source-delay-measure cycle. */
  get reads(): PortCall[] {
    return this.calls.filter((call) => call.op === "read");
  }

  /** The drives other than "open" (what put a level on the device). */
  get driven(): PortCall[] {
    return this.calls.filter((call) => call.op === "drive" && call.drive.mode !== "open");
  }

  /** Each cycle's level and how long it was held before its reading, s. */
  cycles(): Array<{ level: number; held: number }> {
    return this.reads.map((read) => ({ level: read.drive.level, held: read.time - read.drivenAt }));
  }

  /**
   * The levels held from `from` (s) to the last call, one per interval
   * between successive calls (zero-length intervals left out): what the
   * device saw, as the instrument's old `applyVoltage(voltage, dt)` holds.
   */
  holds(from: number): Hold[] {
    const holds: Hold[] = [];
    let drive = this.#driveAt(from);
    let start = from;
    for (const call of this.calls) {
      if (call.time < from) continue;
      if (call.time > start) holds.push({ mode: drive.mode, level: drive.level, dt: call.time - start });
      start = Math.max(start, call.time);
      drive = call.drive;
    }
    return holds;
  }

  /** The drive in effect at `time` (the last one set at or before it). */
  #driveAt(time: number): PortDrive {
    let drive: PortDrive = { mode: "open", level: 0, limit: Number.POSITIVE_INFINITY };
    for (const call of this.calls) {
      if (call.time > time) break;
      drive = call.drive;
    }
    return drive;
  }
}

/** Seconds per reading at the defaults: auto source delay 1 ms + 1 PLC at 60 Hz + 1 ms overhead. */
export const DEFAULT_READING_TIME = 0.001 + 1 / 60 + 0.001;

/**
 * An exact instrument on a recording port with an `ohms` resistor (default
 * 1 kΩ), on an event-mode bench clock of its own.
 */
export function k2400(options: VirtualKeithley2400Options & { ohms?: number } = {}) {
  const { ohms = 1000, ...rest } = options;
  const clock = rest.clock ?? createBenchClock("event");
  const port = new RecordingPort(clock, new TwoTerminalPort(clock, new ResistorDut(ohms)));
  const instrument = new VirtualKeithley2400({ clock, port, noise: false, ...rest });
  /** Sends one program message; its reply, or undefined. */
  const send = async (message: string): Promise<string | undefined> =>
    (await instrument.handleLine(message))[0];
  /** Reads and empties the error queue, codes only. */
  const errors = async (): Promise<number[]> => {
    const codes: number[] = [];
    for (;;) {
      const reply = (await send(":SYST:ERR?")) ?? "";
      const code = Number(reply.split(",")[0]);
      if (code === 0) return codes;
      codes.push(code);
    }
  };
  /** :READ? (or another query) split into numbers, grouped by `width` elements. */
  const numbers = async (query: string, width = 5): Promise<number[][]> => {
    const values = ((await send(query)) ?? "").split(",").map(Number);
    return Array.from({ length: values.length / width }, (_, i) => values.slice(i * width, (i + 1) * width));
  };
  return { instrument, clock, port, send, errors, numbers };
}

/**
 * What PyMeasure's Keithley2400 sends for reset, apply_voltage,
 * measure_current, enable_source, current and shutdown, with the replies of
 * a noise-free 2400 on 1 kΩ (the `:READ?` at 0.5 V: 0.5 mA).
 */
export const PYMEASURE_EXCHANGE: ReadonlyArray<readonly [string, string | undefined]> = [
  ["status:queue:clear;*RST;:stat:pres;:*CLS;", undefined],
  [":SOUR:FUNC VOLT", undefined],
  [":SOUR:FUNC?", "VOLT"],
  [":SOUR:VOLT:RANG:AUTO 1", undefined],
  [":SENS:CURR:PROT 0.1", undefined],
  [":system:error?", '0,"No error"'],
  [":SENS:FUNC 'CURR';:SENS:CURR:NPLC 1.000000;:FORM:ELEM CURR;", undefined],
  [":SENS:CURR:RANG:AUTO 1;", undefined],
  [":system:error?", '0,"No error"'],
  ["OUTPUT ON", undefined],
  [":SOUR:VOLT:LEV 0.5", undefined],
  [":READ?", "+5.000000E-04"],
  ["OUTPut?", "1"],
  [":SOUR:VOLT?", "+5.000000E-01"],
  [":SOUR:VOLT:LEV 0", undefined],
  ["OUTPUT OFF", undefined],
  ["OUTPut?", "0"],
  ["*IDN?", "KEITHLEY INSTRUMENTS INC.,MODEL 2400,4090001,C30   Mar 17 2006 09:29:29/A02  /K/J"],
];
