/** Shared set-up of the virtual 2450 tests: an exact (noise-free) instrument on an ohmic device. */
import {
  createBenchClock,
  ResistorDut,
  TwoTerminalPort,
  VirtualKeithley2450,
  type VirtualKeithley2450Options,
} from "../../src/virtual/index.js";
import { RecordingPort } from "./k2400-helpers.js";

/**
 * An exact 2450 on a recording port with an `ohms` resistor (default
 * 1 kΩ), on an event-mode bench clock of its own.
 */
export function k2450(options: VirtualKeithley2450Options & { ohms?: number } = {}) {
  const { ohms = 1000, ...rest } = options;
  const clock = rest.clock ?? createBenchClock("event");
  const port = new RecordingPort(clock, new TwoTerminalPort(clock, new ResistorDut(ohms)));
  const instrument = new VirtualKeithley2450({ clock, port, noise: false, ...rest });
  const send = async (message: string): Promise<string | undefined> =>
    (await instrument.handleLine(message))[0];
  /** Reads and empties the error queue, codes only. */
  const errors = async (): Promise<number[]> => {
    const codes: number[] = [];
    for (;;) {
      const code = Number(((await send(":SYST:ERR?")) ?? "").split(",")[0]);
      if (code === 0) return codes;
      codes.push(code);
    }
  };
  return { instrument, clock, port, send, errors };
}

/** Python's `%g` of a number (6 significant digits, trailing zeros dropped), as PyMeasure formats set values. */
export function percentG(value: number): string {
  if (value === 0) return "0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = value.toExponential(5).split("e") as [string, string];
    const e = Number(exp);
    return `${mantissa.replace(/\.?0+$/, "")}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  return value
    .toPrecision(6)
    .replace(/\.?0+$/, "")
    .replace(/^(-?\d+)\.$/, "$1");
}

/** numpy's linspace(start, stop, n). */
function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step));
}

const NO_ERROR = '0,"No error;0;0 0"';

/**
 * What PyMeasure's Keithley2450 (pymeasure/instruments/keithley/keithley2450.py)
 * sends for reset(), apply_voltage(compliance_current=0.1), measure_current(),
 * enable_source(), source_voltage = 0.5, current, source_enabled,
 * ramp_to_voltage(1, steps=3), current, buffer_data, shutdown(), source_enabled and id,
 * with the replies of a noise-free 2450 on 1 kΩ. A reply is a string, a
 * pattern, or undefined for none.
 *
 * `buffer_data` is the 2400's buffer read (`:FORM:DATA ASCII` then
 * `:TRAC:DATA?` with no index range): the 2450 needs the range, so it
 * queues -109 and sends nothing — PyMeasure's own docstring says its 2450
 * buffer handling only works with the instrument in "SCPI 2400" mode.
 */
export const PYMEASURE_2450_EXCHANGE: ReadonlyArray<readonly [string, string | RegExp | undefined]> = [
  ["*RST;:stat:pres;:*CLS;", undefined],
  [":SOUR:FUNC VOLT", undefined],
  [":SOUR:FUNC?", "VOLT"],
  [":SOUR:VOLT:RANG:AUTO 1", undefined],
  [":SOUR:VOLT:ILIM 0.1", undefined],
  ["SYST:ERR?", NO_ERROR],
  [":SENS:FUNC 'CURR';:SENS:CURR:NPLC 1.000000;", undefined],
  [":SENS:CURR:RANG:AUTO 1;", undefined],
  ["SYST:ERR?", NO_ERROR],
  ["OUTPUT ON", undefined],
  [":SOUR:VOLT:LEV 0.5", undefined],
  [":READ?", "5.000000E-04"],
  ["OUTPUT?", "1"],
  [":SOUR:VOLT?", "5.000000E-01"],
  ...linspace(0.5, 1, 3).map((v) => [`:SOUR:VOLT:LEV ${percentG(v)}`, undefined] as const),
  [":READ?", "1.000000E-03"],
  [":FORM:DATA ASCII", undefined],
  [":TRAC:DATA?", undefined],
  ["SYST:ERR?", /^-109,"Missing parameter;1;2026\/01\/01 00:00:\d\d\.\d{3}"$/],
  [":SOUR:FUNC?", "VOLT"],
  [":SOUR:VOLT?", "1.000000E+00"],
  ...linspace(1, 0, 30).map((v) => [`:SOUR:VOLT:LEV ${percentG(v)}`, undefined] as const),
  [":ABOR", undefined],
  ["OUTPUT OFF", undefined],
  ["OUTPUT?", "0"],
  ["*IDN?", "KEITHLEY INSTRUMENTS,MODEL 2450,04501234,1.7.12b"],
];
