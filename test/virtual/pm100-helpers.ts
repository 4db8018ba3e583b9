/**
 * Shared set-up of the virtual PM100USB tests: an exact meter with a stub
 * detector, and the exchanges third-party drivers make with the meter,
 * transcribed from their source (sent line, then the reply they parse).
 */
import type { LightDrive } from "../../src/virtual/chip/optical.js";
import { type BenchClock, createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import {
  type LightReader,
  S144C,
  VirtualThorlabsPm100,
  type VirtualThorlabsPm100Options,
} from "../../src/virtual/thorlabs-pm100/index.js";

/** A LightDetector stand-in: light of a set power and wavelength; records the bench time of each read. */
export class StubDetector implements LightReader {
  /** Power arriving, W. */
  power = 0;
  /** Vacuum wavelength of the light, m. */
  wavelength = 1550e-9;
  readonly reads: number[] = [];

  constructor(readonly clock: BenchClock) {}

  read(): { power: number; light: LightDrive } {
    this.reads.push(this.clock.now());
    return { power: this.power, light: { wavelength: this.wavelength, power: this.power } };
  }
}

/** The S144C without dark current: readings are exactly the light's. */
export const DARKLESS_S144C = { ...S144C, darkCurrent: 0 };

/** An exact (noise-free) meter on an event-mode clock of its own (unless given one), reading a stub detector. */
export function pm100(options: VirtualThorlabsPm100Options = {}) {
  const clock = options.clock ?? createBenchClock("event");
  const detector = new StubDetector(clock);
  const instrument = new VirtualThorlabsPm100({ clock, detector, noise: false, ...options });
  const send = async (message: string): Promise<string | undefined> =>
    (await instrument.handleLine(message))[0];
  /** Reads and empties the error queue, codes only. */
  const errors = async (): Promise<number[]> => {
    const codes: number[] = [];
    for (;;) {
      const code = Number(((await send("SYST:ERR?")) ?? "").split(",")[0]);
      if (code === 0) return codes;
      codes.push(code);
    }
  };
  return { instrument, clock, detector, send, errors };
}

export const IDN = "THORLABS,PM100USB,P0012345,1.7.0";
export const S144C_IDN = "S144C,220315101,15-MAR-2022,1,2,33";
export const NO_ERROR = '+0,"No error"';

/** An NR3 number as the meter sends it. */
export const NUMBER = /^-?\d\.\d{6}E[-+]\d\d$/;
/** An NR1 integer. */
export const INTEGER = /^\d+$/;

export type Exchange = ReadonlyArray<readonly [string, string | RegExp | undefined]>;

/** PyMeasure's ThorlabsPM100USB._set_flags (thorlabspm100usb.py), transcribed: the flags as nine booleans. */
export function pymeasureSensor(reply: string) {
  const response = reply.trim().split(",");
  if (response[0] === "no sensor") throw new Error("OSError: No sensor connected.");
  // format(int(flags), "09b")[::-1]: bit 0 first.
  const bits = [
    ...Number.parseInt(response[5] ?? "", 10)
      .toString(2)
      .padStart(9, "0"),
  ].reverse();
  if (bits.length !== 9)
    throw new Error(`ValueError: too many values to unpack (expected 9, got ${bits.length})`);
  const [power, energy, , , responseSettable, wavelengthSettable, tauSettable, , temperature] = bits.map(
    (b) => b === "1",
  );
  return {
    name: response[0],
    serial: response[1],
    calibration: response[2],
    type: response[3],
    subtype: response[4],
    power,
    energy,
    responseSettable,
    wavelengthSettable,
    tauSettable,
    temperature,
  };
}

/**
 * The flag parsing of PyMeasure's first PM100USB driver (PR #64, 2017):
 * `bin(int(flags))[2:]` unpacked into nine names, which fails for any
 * value below 256 (issue #498: an S130C's "ValueError: not enough values
 * to unpack (expected 9, got 6)").
 */
export function pymeasure2017Flags(reply: string): boolean[] {
  const bits = [...Number.parseInt(reply.split(",")[5] ?? "", 10).toString(2)].map((b) => b === "1");
  if (bits.length !== 9)
    throw new Error(`ValueError: not enough values to unpack (expected 9, got ${bits.length})`);
  return bits;
}

/** Python's repr of a float, as `f"{value}"` and `"{}".format(value)` write it. */
export function pyFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/**
 * PyMeasure's ThorlabsPM100USB (pymeasure/instruments/thorlabs/
 * thorlabspm100usb.py): `__init__` → `_set_flags` (`SYST:SENSOR:IDN?`),
 * then `id`, `wavelength = 1310` (min and max asked once, then
 * `SENSE:CORR:WAV {value}`), `wavelength`, and `power` (`MEAS:POW?`),
 * with the replies of an S144C head.
 */
export const PYMEASURE_EXCHANGE: Exchange = [
  ["SYST:SENSOR:IDN?", S144C_IDN],
  ["*IDN?", IDN],
  ["SENS:CORR:WAV? MIN", "8.000000E+02"],
  ["SENS:CORR:WAV? MAX", "1.700000E+03"],
  ["SENSE:CORR:WAV 1310", undefined],
  ["SENSE:CORR:WAV?", "1.310000E+03"],
  ["MEAS:POW?", NUMBER],
];

/**
 * ThorlabsPM100's example.py (github:clade/ThorlabsPM100), first part: the
 * strings its metaclass builds from ThorlabsPM100.py's command classes
 * (a getter appends `?` to the first word: `Sense:Correction:WAVelength?
 * MINimum`); then the other properties it declares for a photodiode.
 */
export const THORLABSPM100_EXCHANGE: Exchange = [
  ["System:Beeper:IMMediate", undefined],
  ["CONFigure?", "POW"],
  ["READ?", NUMBER],
  ["Sense:Correction:WAVelength?", "1.550000E+03"],
  ["Sense:Power:Dc:Range:UPPer?", NUMBER],
  ["Sense:Power:Dc:Range:AUTO ON", undefined],
  ["Sense:Power:Dc:Range:UPPer?", NUMBER],
  ["Input:Pdiode:Filter:Lpass:STATe 0", undefined],
  ["Sense:Average:COUNt?", "1"],
  ["Sense:Average:COUNt 1", undefined],
  ["READ?", NUMBER],
  ["READ?", NUMBER],
  ["Sense:Average:COUNt 10", undefined],
  ["READ?", NUMBER],
  ["Input:Pdiode:Filter:Lpass:STATe 1", undefined],
  ["System:Beeper:IMMediate", undefined],
  ["System:Sensor:IDN?", S144C_IDN],
  ["Sense:Correction:WAVelength? MINimum", "8.000000E+02"],
  ["Sense:Correction:WAVelength? MAXimum", "1.700000E+03"],
  ["Sense:Correction:WAVelength 1310", undefined],
  ["Sense:Correction:WAVelength?", "1.310000E+03"],
  ["Sense:Correction:Power:Pdiode:RESPonse?", "8.350000E-03"],
  ["Sense:Correction:Loss:Input:MAGNitude?", "0.000000E+00"],
  ["Sense:Correction:BEAMdiameter?", "5.000000E+00"],
  ["Sense:Power:Dc:UNIT DBM", undefined],
  ["Sense:Power:Dc:UNIT?", "DBM"],
  ["Configure:Scalar:POWer", undefined],
  ["Initiate:IMMediate", undefined],
  ["FETCh?", NUMBER],
  ["Measure:Scalar:POWer", undefined],
  ["FETCh?", NUMBER],
  ["Sense:Correction:Collect:Zero:INITiate", undefined],
  // 1 while the zero runs; an event clock with nothing else to do finishes it before a client's next line.
  ["Sense:Correction:Collect:Zero:STATe?", /^[01]$/],
  ["System:Error:NEXT?", NO_ERROR],
];

/**
 * QCoDeS' Thorlab_PM100D (Qcodes_contrib_drivers, drivers/Thorlabs/
 * PM100D.py): `__init__` (`_set_transition_filter(512, 0)`,
 * `averaging(300)`, `_set_conf_power()`, `connect_message()`), then
 * `power()` (`_get_power`: CONF:POW, ABOR;:STAT:OPER?, INIT, MEAS:POW, FETC?),
 * `wavelength` get and set (nm on the wire, m in QCoDeS: `scale=1e9`),
 * `attenuation`, `power_range`, `auto_range`, `current`, `current_range`,
 * `zero_value` and `beam_diameter` (mm on the wire, `scale=1e3`).
 */
export const QCODES_EXCHANGE: Exchange = [
  ["STAT:OPER:PTR 512", undefined],
  ["STAT:OPER:NTR 0", undefined],
  ["STAT:OPER?", INTEGER],
  ["AVER 300", undefined],
  ["CONF:POW", undefined],
  ["ABOR;:STAT:OPER?", INTEGER],
  ["INIT", undefined],
  ["*IDN?", IDN],
  ["CONF:POW", undefined],
  ["ABOR;:STAT:OPER?", INTEGER],
  ["INIT", undefined],
  ["MEAS:POW", undefined],
  ["FETC?", NUMBER],
  ["SENS:CORR:WAV?", "1.550000E+03"],
  [`SENS:CORR:WAV ${pyFloat(1.31e-6 * 1e9)}`, undefined],
  ["SENS:CORR:WAV?", "1.310000E+03"],
  [`CORR ${pyFloat(3)}`, undefined],
  ["CORR?", "3.000000E+00"],
  ["SENS:POW:RANG:AUTO?", "1"],
  [`SENS:POW:RANG:UPP ${pyFloat(0.001)}`, undefined],
  ["SENS:POW:RANG:UPP?", NUMBER],
  ["SENS:POW:RANG:AUTO?", "0"],
  ["SENS:POW:RANG:AUTO 1", undefined],
  ["SENS:POW:RANG:AUTO?", "1"],
  ["MEAS:CURR?", NUMBER],
  ["SENS:CURR:RANG:UPP?", NUMBER],
  ["CORR:COLL:ZERO:MAGN?", "0.000000E+00"],
  ["CORR:BEAM?", "5.000000E+00"],
  [`CORR:BEAM ${pyFloat(2e-3 * 1e3)}`, undefined],
  ["CORR:BEAM?", "2.000000E+00"],
  ["SYST:ERR?", /^\+0,/],
];

/**
 * QMI's Thorlabs_PM10x (qmi/instruments/thorlabs/pm100d.py): `get_idn`
 * (four fields), `get_sensor_info` (six, flags `int()`), `reset` (*CLS,
 * *RST, *OPC?, then `_check_error`, which wants `^\s*[-+]?\s*0\s*,`),
 * `set_range`, `set_autorange` and `set_wavelength` (each followed by
 * `_check_error`), and the getters.
 */
export const QMI_EXCHANGE: Exchange = [
  ["*IDN?", IDN],
  ["SYST:SENS:IDN?", S144C_IDN],
  ["*CLS", undefined],
  ["*RST", undefined],
  ["*OPC?", "1"],
  ["SYST:ERR?", /^\s*[-+]?\s*0\s*,/],
  [`SENS:POW:RANG ${pyFloat(1e-4)}`, undefined],
  ["SYST:ERR?", /^\s*[-+]?\s*0\s*,/],
  ["SENS:POW:RANG?", NUMBER],
  ["SENS:POW:RANG:AUTO 1", undefined],
  ["SYST:ERR?", /^\s*[-+]?\s*0\s*,/],
  ["SENS:POW:RANG:AUTO?", "1"],
  [`SENS:CORR:WAV ${pyFloat(1550)}`, undefined],
  ["SYST:ERR?", /^\s*[-+]?\s*0\s*,/],
  ["SENS:CORR:WAV?", "1.550000E+03"],
  ["MEAS:POW?", NUMBER],
  ["MEAS:CURR?", NUMBER],
];
