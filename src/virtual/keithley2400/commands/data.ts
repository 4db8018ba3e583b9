/**
 * Data formats and the reading buffer: :FORMat (manual §18 "FORMat
 * subsystem"), :TRACe (§18 "TRACe subsystem", §9 "Data store") and the
 * buffer statistics of :CALCulate3 (§18 "CALCulate3").
 */
import { SCPI_NOT_A_NUMBER } from "../../../scpi/protocol.js";
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { nr1, nr3 } from "../../scpi/format.js";
import { choice, list, numeric, type ParamSpec } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Keithley2400Core } from "../core.js";
import { bufferTimes, formatReadings } from "../data-format.js";
import { type Reading, STATUS_WORD } from "../measure.js";
import { ELEMENTS, type Keithley2400Settings } from "../settings.js";

type Core = Keithley2400Core;
const command = commandsFor<Core>();

/** Bytes per stored reading, for :TRACe:FREE? (not in the manual; its RAM is shared with setups). */
const BYTES_PER_READING = 20;
const BUFFER_READINGS = 2500;

export function dataCommands(): ReturnType<typeof command>[] {
  return [...formatCommands(), ...traceCommands(), ...statisticsCommands()];
}

function formatCommands() {
  return [
    command(":FORMat[:DATA]", {
      // Binary REAL,32 and SREal are not simulated: refused (-224) rather than sent as ASCII.
      set: {
        params: [choice(["ASCii"]), numeric<Core>({ min: 32, max: 32, optional: true })],
        run: () => undefined,
      },
      query: { run: () => "ASC" },
    }),
    command(":FORMat:ELEMents[:SENSe[1]]", {
      set: {
        params: [list(choice(["VOLTage", "CURRent", "RESistance", "TIME", "STATus"]), { max: 5 })],
        run: (k, [elements]) => {
          k.settings.elements = ELEMENTS.filter((e) => elements.includes(e));
        },
      },
      query: { run: (k) => k.settings.elements.join(",") },
    }),
    setting<Core, Keithley2400Settings["statusRegisterFormat"]>(":FORMat:SREGister", {
      param: choice(["ASCii", "HEXadecimal", "OCTal", "BINary"]),
      get: (k) => k.settings.statusRegisterFormat,
      set: (k, format) => {
        k.settings.statusRegisterFormat = format;
      },
      format: (v) => v,
    }),
    setting<Core, "NORM" | "SWAP">(":FORMat:BORDer", {
      param: choice(["NORMal", "SWAPped"]),
      get: (k) => k.settings.byteOrder,
      set: (k, order) => {
        k.settings.byteOrder = order;
      },
      format: (v) => v,
    }),
  ];
}

/** SENSe[1] | CALCulate[1] | CALCulate2: what the buffer stores (CALC results are not simulated; the raw readings are stored). */
const feedSource: ParamSpec<Keithley2400Settings["trace"]["feed"], Core> = {
  optional: false,
  parse([token]) {
    if (token?.kind !== "chars") throw new ScpiError(-104);
    if (/^SENS(E)?1?$/.test(token.value)) return "SENS";
    if (/^CALC(ULATE)?1?$/.test(token.value)) return "CALC1";
    if (/^CALC(ULATE)?2$/.test(token.value)) return "CALC2";
    throw new ScpiError(-224);
  },
};

function traceCommands() {
  // :DATA is an alias of :TRACe on the 2400 (manual Table 18-9).
  const trace = (k: Core) => k.settings.trace;
  return [":TRACe", ":DATA"].flatMap((root) => [
    command(`${root}:DATA`, {
      query: {
        run: (k) => formatReadings(bufferTimes(k.buffer, trace(k).timestampFormat), k.settings.elements),
      },
    }),
    command(`${root}:CLEar`, {
      set: {
        params: [],
        run: (k) => {
          k.buffer = [];
        },
      },
    }),
    command(`${root}:FREE`, {
      query: {
        run: (k) => {
          const used = k.buffer.length * BYTES_PER_READING;
          return `${nr1(BUFFER_READINGS * BYTES_PER_READING - used)},${nr1(used)}`;
        },
      },
    }),
    setting<Core, number>(`${root}:POINts`, {
      param: numeric({ min: 1, max: BUFFER_READINGS, def: BUFFER_READINGS, integer: true }),
      get: (k) => trace(k).points,
      set: (k, points) => {
        // Resizing while storing would lose readings (manual §18: not while the buffer is enabled).
        if (trace(k).control === "NEXT") throw new ScpiError(-221);
        trace(k).points = points;
      },
      format: nr1,
    }),
    command(`${root}:POINts:ACTual`, { query: { run: (k) => nr1(k.buffer.length) } }),
    setting<Core, Keithley2400Settings["trace"]["feed"]>(`${root}:FEED`, {
      param: feedSource,
      get: (k) => trace(k).feed,
      set: (k, feed) => {
        trace(k).feed = feed;
      },
      format: (v) => v,
    }),
    setting<Core, "NEXT" | "NEV">(`${root}:FEED:CONTrol`, {
      param: choice(["NEXT", "NEVer"]),
      get: (k) => trace(k).control,
      set: (k, control) => {
        if (control === "NEXT" && k.buffer.length >= trace(k).points) k.buffer = [];
        trace(k).control = control;
      },
      format: (v) => v,
    }),
    setting<Core, "ABS" | "DELT">(`${root}:TSTamp:FORMat`, {
      param: choice(["ABSolute", "DELTa"]),
      get: (k) => trace(k).timestampFormat,
      set: (k, format) => {
        trace(k).timestampFormat = format;
      },
      format: (v) => v,
    }),
  ]);
}

const MEASURED: ReadonlyArray<{ bit: number; value: (r: Reading) => number }> = [
  { bit: STATUS_WORD.MEASURE_VOLTAGE, value: (r) => r.voltage },
  { bit: STATUS_WORD.MEASURE_CURRENT, value: (r) => r.current },
  { bit: STATUS_WORD.MEASURE_RESISTANCE, value: (r) => r.resistance },
];

const STATISTICS: Readonly<Record<Keithley2400Settings["statisticsFormat"], (xs: number[]) => number>> = {
  MEAN: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  SDEV: (xs) => {
    if (xs.length < 2) return 0;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  },
  MAX: (xs) => Math.max(...xs),
  MIN: (xs) => Math.min(...xs),
  PKPK: (xs) => Math.max(...xs) - Math.min(...xs),
};

/**
 * The selected statistic of each function measured into the buffer, in the
 * order voltage, current, resistance; not of TIME or STATus; 9.91E37 for an
 * empty buffer (manual §18 ":CALCulate3:DATA?").
 */
function statisticsCommands() {
  return [
    setting<Core, Keithley2400Settings["statisticsFormat"]>(":CALCulate3:FORMat", {
      param: choice(["MEAN", "SDEViation", "MAXimum", "MINimum", "PKPK"]),
      get: (k) => k.settings.statisticsFormat,
      set: (k, format) => {
        k.settings.statisticsFormat = format;
      },
      format: (v) => v,
    }),
    command(":CALCulate3:DATA", {
      query: {
        run(k) {
          const first = k.buffer[0];
          if (first === undefined) return nr3(SCPI_NOT_A_NUMBER);
          const statistic = STATISTICS[k.settings.statisticsFormat];
          return MEASURED.filter((m) => (first.status & m.bit) !== 0)
            .map((m) => nr3(statistic(k.buffer.map(m.value))))
            .join(",");
        },
      },
    }),
  ];
}
