/**
 * Shared set-up of the virtual TSL-570 tests: an exact (noise-free) laser
 * in-process, a client that reads the laser's CR-terminated replies and
 * its unterminated binary blocks off a wire, and the exchanges that
 * third-party drivers have with the laser, transcribed from their source.
 */
import { type BenchClock, createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import {
  VirtualSantecTsl570,
  type VirtualSantecTsl570Options,
} from "../../src/virtual/santec-tsl570/instrument.js";
import { type ByteStream, openByteStream } from "./line-client.js";

export const IDN = "SANTEC,TSL-570,21020001,0001.0000.0001";
export const NO_ERROR = '0,"No error"';

/** An exact TSL-570 on a bench clock of its own (event mode unless given one). */
export function tsl570(options: VirtualSantecTsl570Options = {}) {
  const clock = options.clock ?? createBenchClock("event");
  const instrument = new VirtualSantecTsl570({ noise: false, ...options, clock });
  const handled = (line: string) => instrument.handleLine(line).then((replies) => replies[0]);
  /** One line's reply (undefined for none); on the manual clock, the clock is moved until it comes. */
  const send = (line: string): Promise<string | undefined> =>
    clock.kind === "manual" ? onManualClock(clock, handled(line)) : handled(line);
  /** Reads and empties the error queue, codes only. */
  const errors = async (): Promise<number[]> => {
    const codes: number[] = [];
    for (;;) {
      const code = Number(((await send(":SYST:ERR?")) ?? "").split(",")[0]);
      if (code === 0) return codes;
      codes.push(code);
    }
  };
  return { instrument, clock, send, errors };
}

/** Moves a manual clock to each waiting request in turn until `promise` settles (as a lockstep master would). */
export async function onManualClock<T>(clock: BenchClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const result = promise.finally(() => {
    settled = true;
  });
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (settled) return result;
    const due = clock.nextDue;
    if (due !== undefined) await clock.advance(Math.max(0, due - clock.now()));
  }
}

/** Wavelengths of a `:READout:DATa?` block's payload: little-endian int32 in 0.1 pm, in nm. */
export function decodeLog(payload: Buffer): number[] {
  const values: number[] = [];
  for (let i = 0; i + 4 <= payload.length; i += 4) values.push(payload.readInt32LE(i) / 1e4);
  return values;
}

/**
 * A client of the laser's wire: replies end in CR; a binary block
 * (`#<n><length><bytes>`) has no terminator, so it is read by its length.
 * Lines are sent ending in `terminator` (LF unless told: the laser takes
 * CR, LF or CR LF).
 */
export class CrClient {
  #buffer = Buffer.alloc(0);
  #waiter: (() => void) | undefined;

  /** What ends each line sent. */
  terminator: "\n" | "\r" | "\r\n" = "\n";

  constructor(
    readonly stream: ByteStream,
    readonly close: () => Promise<void>,
  ) {
    stream.on("data", (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#waiter?.();
    });
  }

  /** Bytes received and not read yet. */
  get unread(): Buffer {
    return this.#buffer;
  }

  send(line: string): void {
    this.stream.write(`${line}${this.terminator}`);
  }

  /** The next reply up to its CR (without it), or undefined if none comes within `timeoutMs`. */
  async readLine(timeoutMs = 2000): Promise<string | undefined> {
    const found = await this.#until(
      () => this.#buffer.indexOf(0x0d),
      (at) => at >= 0,
      timeoutMs,
    );
    if (found === undefined) return undefined;
    return this.#take(found + 1)
      .subarray(0, found)
      .toString("latin1");
  }

  /** Sends a line and reads its reply. */
  async query(line: string, timeoutMs?: number): Promise<string | undefined> {
    this.send(line);
    return this.readLine(timeoutMs);
  }

  /** Exactly `count` bytes, or undefined if they do not come within `timeoutMs`. */
  async readBytes(count: number, timeoutMs = 2000): Promise<Buffer | undefined> {
    const ready = await this.#until(
      () => this.#buffer.length,
      (n) => n >= count,
      timeoutMs,
    );
    return ready === undefined ? undefined : this.#take(count);
  }

  /** An IEEE 488.2 definite-length block: its payload, read by its header's length and nothing more. */
  async readBlock(timeoutMs = 2000): Promise<Buffer> {
    const head = await this.readBytes(2, timeoutMs);
    if (head?.[0] !== 0x23) throw new Error(`not a block: ${head?.toString("latin1")}`);
    const digits = Number(String.fromCharCode(head[1] as number));
    const length = Number((await this.readBytes(digits, timeoutMs))?.toString("latin1"));
    const payload = await this.readBytes(length, timeoutMs);
    if (payload === undefined) throw new Error(`block of ${length} bytes cut short`);
    return payload;
  }

  #take(count: number): Buffer {
    const taken = this.#buffer.subarray(0, count);
    this.#buffer = this.#buffer.subarray(count);
    return taken;
  }

  async #until<T>(probe: () => T, ready: (value: T) => boolean, timeoutMs: number): Promise<T | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (let value = probe(); ; value = probe()) {
      if (ready(value)) return value;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#waiter = undefined;
    }
  }
}

export async function tcpCrClient(resource: string): Promise<CrClient> {
  if (!resource.startsWith("TCPIP")) throw new Error(`not a socket resource: ${resource}`);
  const { stream, close } = await openByteStream(resource);
  return new CrClient(stream, close);
}

export async function serialCrClient(resource: string): Promise<CrClient> {
  if (!resource.startsWith("ASRL")) throw new Error(`not a serial resource: ${resource}`);
  const { stream, close } = await openByteStream(resource);
  return new CrClient(stream, close);
}

/** A sent line and the reply expected (undefined: none; a pattern where the value varies). */
export type Exchange = ReadonlyArray<readonly [string, string | RegExp | undefined]>;

/** What a driver sends after each write it checks: PyMeasure's `check_set_errors` (SCPIMixin: "SYST:ERR?"). */
const PYMEASURE_CHECK = ["SYST:ERR?", NO_ERROR] as const;

/**
 * PyMeasure's TSL570 (pymeasure/instruments/santec/tsl570.py, tsl500series.py),
 * in SCPI: `command_set = "SCPI"`, `command_set`, `id`, `power_unit = "dBm"`,
 * `power_setpoint = 5`, `power_setpoint`, `output_enabled = True`,
 * `output_enabled`, `power`, `wavelength_setpoint = 1.55e-6`,
 * `wavelength_setpoint`, `frequency_setpoint = 1.93e14`, `frequency_setpoint`,
 * `wavelength_min`, `wavelength_max`, `frequency_min`, `frequency_max`,
 * `wavelength_start = 1.5e-6`, `wavelength_stop = 1.51e-6`,
 * `wavelength_step = 1e-9`, `sweep_mode = SweepMode.CONTINUOUS_ONE_WAY`,
 * `sweep_pattern = SweepPattern.CONTINUOUS` (a read, then a write),
 * `sweep_routing`, `sweep_speed = 10`, `sweep_speed`, `sweep_dwell = 0.5`,
 * `sweep_delay = 0`, `sweep_cycles = 2`, `sweep_cycles`, `start_sweep()`,
 * `sweep_status` (PREPARATION_FOR_SWEEP_START: the laser moves from 1553 nm
 * to the start), `stop_sweep()`, `sweep_status`, `sweep_count`, with the
 * replies of an exact virtual laser (values are set with `%g`, modes with `%d`).
 */
export const PYMEASURE_TSL570_EXCHANGE: Exchange = [
  [":SYSTem:COMMunicate:CODe 1", undefined],
  [":SYSTem:COMMunicate:CODe?", "1"],
  ["*IDN?", IDN],
  [":POWer:UNIT 0", undefined],
  [":POWer 5", undefined],
  PYMEASURE_CHECK,
  [":POWer?", "+5.00000000E+000"],
  [":POWer:STATe 1", undefined],
  [":POWer:STATe?", "1"],
  [":POWer:ACTual?", "+5.00000000E+000"],
  [":WAVelength 1.55e-06", undefined],
  PYMEASURE_CHECK,
  [":WAVelength?", "+1.55000000E-006"],
  [":FREQuency 1.93e+14", undefined],
  PYMEASURE_CHECK,
  [":FREQuency?", "+1.93000000E+014"],
  [":WAVelength:SWEep:RANGe:MINimum?", "+1.48000000E-006"],
  [":WAVelength:SWEep:RANGe:MAXimum?", "+1.64000000E-006"],
  [":FREQuency:SWEep:RANGe:MINimum?", "+1.82800279E+014"],
  [":FREQuency:SWEep:RANGe:MAXimum?", "+2.02562472E+014"],
  [":WAVelength:SWEep:STARt 1.5e-06", undefined],
  PYMEASURE_CHECK,
  [":WAVelength:SWEep:STOP 1.51e-06", undefined],
  PYMEASURE_CHECK,
  [":WAVelength:SWEep:STEP 1e-09", undefined],
  PYMEASURE_CHECK,
  [":WAVelength:SWEep:MODe 1", undefined],
  [":WAVelength:SWEep:MODe?", "1"],
  [":WAVelength:SWEep:MODe 1", undefined],
  [":WAVelength:SWEep:MODe?", "1"],
  [":WAVelength:SWEep:SPEed 10", undefined],
  [":WAVelength:SWEep:SPEed?", "+1.00000000E+001"],
  [":WAVelength:SWEep:DWELl 0.5", undefined],
  [":WAVelength:SWEep:DELay 0", undefined],
  [":WAVelength:SWEep:CYCLes 2", undefined],
  [":WAVelength:SWEep:CYCLes?", "2"],
  [":WAVelength:SWEep 1", undefined],
  [":WAVelength:SWEep?", "4"],
  [":WAVelength:SWEep 0", undefined],
  [":WAVelength:SWEep?", "0"],
  [":WAVelength:SWEep:COUNt?", "0"],
];

/** What QMI's driver sends after each write (`_write_and_check_errors` → `_check_error`). */
const QMI_CHECK: Exchange = [
  [":SYST:ERR?", NO_ERROR],
  [":SYST:ALER?", "No alerts."],
];

/**
 * QMI's Santec_Tsl570 (qmi/instruments/santec/tsl_570.py), which works in
 * Legacy without selecting it (the virtual laser's power-on set): `open()`
 * (ranges and power unit), `get_idn()`, `reset()`, `clear()`,
 * `set_power_level_unit_to_dbm()`, `set_power_level(5.0)`,
 * `get_power_level()`, `set_optical_output_status(True)`,
 * `get_optical_output_status()`, `get_actual_power()`,
 * `set_wavelength(1550.5)`, `operation_complete()` (tuning: False),
 * `get_wavelength()`, `set_frequency(193.1)`, `get_frequency()`,
 * `set_wavelength_unit_to_thz()`, `get_wavelength_unit()`,
 * `set_wavelength_fine(12.34)`, `get_wavelength_fine()`,
 * `disable_finetuning_operation()`, `set_coherence_control_status(False)`,
 * `get_coherence_control_status()`, `set_sweep_start_wavelength(1500.0)`,
 * `set_sweep_stop_wavelength(1510.0)`, `get_sweep_start_frequency()`,
 * `set_sweep_mode(1)`, `set_sweep_speed(50)`, `get_sweep_speed()`,
 * `set_sweep_dwell(0.5)`, `set_sweep_delay(1.0)`, `get_sweep_delay()`,
 * `set_sweep_cycles(1)`, `set_trigger_output_timing_mode(3)`,
 * `set_trigger_output_period_mode(0)`, `set_trigger_output_step(0.1)`,
 * `get_trigger_output_step()`, `set_sweep_state(1)`, `get_sweep_state()`
 * (preparation: 4). The log read that follows the sweep is in the wire test.
 */
export const QMI_TSL570_EXCHANGE: Exchange = [
  [":WAV:MIN?", "1480.0000"],
  [":WAV:MAX?", "1640.0000"],
  [":WAV:FREQ:MIN?", "182.80028"],
  [":WAV:FREQ:MAX?", "202.56247"],
  [":POW:UNIT?", "0"],
  ["*IDN?", IDN],
  ["*RST", undefined],
  ...QMI_CHECK,
  ["*CLS", undefined],
  ...QMI_CHECK,
  [":POW:UNIT 0", undefined],
  ...QMI_CHECK,
  [":POW:UNIT?", "0"],
  [":POW 5.00", undefined],
  ...QMI_CHECK,
  [":POW?", "5.00"],
  [":POW:STAT 1", undefined],
  ...QMI_CHECK,
  [":POW:STAT?", "1"],
  [":POW:ACT?", "5.00"],
  [":WAV 1550.5000", undefined],
  ...QMI_CHECK,
  ["*OPC?", "0"],
  [":WAV?", "1550.5000"],
  [":WAV:FREQ 193.10000", undefined],
  ...QMI_CHECK,
  [":WAV:FREQ?", "193.10000"],
  [":WAV:UNIT 1", undefined],
  ...QMI_CHECK,
  [":WAV:UNIT?", "1"],
  [":WAV:FIN 12.34", undefined],
  ...QMI_CHECK,
  ["WAV:FIN?", "12.34"],
  [":WAV:FIN:DIS", undefined],
  ...QMI_CHECK,
  [":COHC 0", undefined],
  ...QMI_CHECK,
  [":COHC?", "0"],
  [":WAV:SWE:STAR 1500.0", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:STOP 1510.0", undefined],
  ...QMI_CHECK,
  [":WAV:FREQ:SWE:STAR?", "199.86164"],
  [":WAV:SWE:MOD 1", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:SPE 50", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:SPE?", "50.0"],
  [":WAV:SWE:DWEL 0.5", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:DEL 1.0", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:DEL?", "1.0"],
  [":WAV:SWE:CYCL 1", undefined],
  ...QMI_CHECK,
  [":TRIG:OUTP 3", undefined],
  ...QMI_CHECK,
  [":TRIG:OUTP:SETT 0", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:STOP?", "1510.0000"],
  [":WAV:SWE:STAR?", "1500.0000"],
  [":TRIG:OUTP:STEP 0.1000", undefined],
  ...QMI_CHECK,
  [":TRIG:OUTP:STEP?", "0.1000"],
  [":WAV:SWE:STAT 1", undefined],
  ...QMI_CHECK,
  [":WAV:SWE:STAT?", "4"],
];

/**
 * Santec's own class (python-samples, samples/tsl_instrument/tsl_instrument.py,
 * Legacy), pyvisa with `read_termination="\r"`: `get_idn()`,
 * `get_self_test_query()`, `get_command_set()`, `get_wavelength()` (asks the
 * unit first), `set_wavelength(1555.5)`, `get_operation_complete_query()`,
 * `get_power_unit()`, `set_power(3)`, `get_power()`,
 * `set_internal_shutter_status(0)`, `get_internal_shutter_status()`,
 * `get_optical_output_status()`, `get_power_control_mode()`,
 * `set_sweep_mode(1)`, `get_sweep_mode()`, `set_sweep_speed(100)`,
 * `get_sweep_speed()`, `get_sweep_dwell()`, `get_sweep_cycles()`,
 * `get_sweep_count()`, `get_sweep_delay()`, `set_output_trigger_signal(3)`,
 * `get_output_trigger_signal()`, `set_trigger_step(0.5)`, `get_trigger_step()`,
 * `get_output_trigger_period_mode()`, `external_interlock()`,
 * `get_firmware_version()`, `get_sweep_status()`, `start_sweep()`,
 * `get_sweep_status()`. (Its `set_start_wavelength` compares a method with a
 * number and cannot run; the sweep uses the power-on 1500–1600 nm.)
 */
export const SANTEC_SAMPLE_EXCHANGE: Exchange = [
  ["*IDN?", IDN],
  ["*TST?", "0"],
  [":SYST:COMM:COD?", "0"],
  [":WAV:UNIT?", "0"],
  [":WAV?", "1550.0000"],
  [":WAV:UNIT?", "0"],
  [":WAV 1555.5", undefined],
  ["*OPC?", "0"],
  [":POW:UNIT?", "0"],
  [":POW 3", undefined],
  [":POW?", "3.00"],
  [":POW:SHUT 0", undefined],
  [":POW:SHUT?", "0"],
  [":POW:STAT?", "1"],
  [":POW:ATT:AUT?", "1"],
  [":WAV:SWE:MOD 1", undefined],
  [":WAV:SWE:MOD?", "1"],
  [":WAV:SWE:SPE 100", undefined],
  [":WAV:SWE:SPE?", "100.0"],
  [":WAV:SWE:DWEL?", "0.0"],
  [":WAV:SWE:CYCL?", "1"],
  [":WAV:SWE:COUN?", "0"],
  [":WAV:SWE:DEL?", "0.0"],
  [":TRIG:OUTP 3", undefined],
  [":TRIG:OUTP?", "3"],
  [":TRIG:OUTP:STEP 0.5", undefined],
  [":TRIG:OUTP:STEP?", "0.5000"],
  [":TRIG:OUTP:SETT?", "0"],
  [":SYST:LOCK?", "0"],
  [":SYST:VERS?", "0001.0000.0001"],
  [":WAV:SWE?", "0"],
  [":WAV:SWE 1", undefined],
  [":WAV:SWE?", "4"],
];
