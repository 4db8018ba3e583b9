/**
 * SYSTem, STATus, INPut and CALibration (PM100D manual 17654-D02 §6.4;
 * the commands ThorlabsPM100's ThorlabsPM100.py declares for them).
 */
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { boolean, nr1, quoted } from "../../scpi/format.js";
import { bool, numeric } from "../../scpi/params.js";
import { setting } from "../../scpi/setting.js";
import type { Pm100Core } from "../core.js";
import type { TransitionRegister } from "../status.js";

type Core = Pm100Core;
const command = commandsFor<Core>();

/**
 * `SYST:SENS:IDN?` with no head. PyMeasure's ThorlabsPM100USB refuses to
 * connect when the first field is "no sensor" (`if response[0] == "no
 * sensor": raise OSError("No sensor connected.")`); type and subtype 0 are
 * "no sensor" in Thorlabs' driver (PyMeasure's thorlabspm.py, `getSensorInfo`
 * types 0x00 None, subtypes 0x00 'no sensor'). The other fields are empty:
 * what the console puts there is not documented.
 */
export const NO_SENSOR_IDN = "no sensor,,,0,0,0";

/** SCPI version `SYST:VERS?` answers (ThorlabsPM100.py: "Query level of SCPI standard (1999.0)"). */
const SCPI_VERSION = "1999.0";

export function systemCommands(calibrationDate: string): ReturnType<typeof command>[] {
  return [
    command(":SYSTem:SENSor:IDN", {
      query: {
        run: ({ sensor: s }) =>
          s === undefined
            ? NO_SENSOR_IDN
            : `${s.name},${s.serialNumber},${s.calibrationDate},${s.type},${s.subtype},${s.flags}`,
      },
    }),
    command(":SYSTem:VERSion", { query: { run: () => SCPI_VERSION } }),
    command(":SYSTem:BEEPer[:IMMediate]", { set: { params: [], run: () => undefined } }),
    setting<Core, boolean>(":SYSTem:BEEPer:STATe", {
      param: bool(),
      get: (k) => k.settings.beeperEnabled,
      set: (k, on) => {
        k.settings.beeperEnabled = on;
      },
      format: boolean,
    }),
    setting<Core, number>(":SYSTem:LFRequency", {
      param: numeric<Core>({ min: 50, max: 60, integer: true, unit: "HZ" }),
      get: (k) => k.settings.lineFrequency,
      set: (k, hz) => {
        if (hz !== 50 && hz !== 60) throw new ScpiError(-222);
        k.settings.lineFrequency = hz;
      },
      format: nr1,
    }),
    // The console's own calibration ("a human readable calibration string", ThorlabsPM100.py).
    command(":CALibration:STRing", { query: { run: () => quoted(calibrationDate) } }),
    setting<Core, boolean>(":INPut[:PDIode]:FILTer[:LPASs][:STATe]", {
      param: bool(),
      get: (k) => k.settings.lowPassEnabled,
      set: (k, on) => {
        k.settings.lowPassEnabled = on;
      },
      format: boolean,
    }),
    ...registerCommands("OPERation", (k) => k.operation),
    ...registerCommands("QUEStionable", (k) => k.questionable),
    command(":STATus:PRESet", {
      set: {
        params: [],
        run: (k) => {
          k.operation.preset();
          k.questionable.preset();
        },
      },
    }),
  ];
}

const MASK = { min: 0, max: 65535, integer: true } as const;

/** `:STATus:<register>[:EVENt]?`, `:CONDition?`, `:ENABle`, `:PTRansition`, `:NTRansition`. */
function registerCommands(node: string, register: (k: Core) => TransitionRegister) {
  const mask = (pattern: string, field: "enable" | "positiveTransition" | "negativeTransition") =>
    command(pattern, {
      set: {
        params: [numeric<Core>(MASK)],
        run: (k, [value]) => {
          register(k)[field] = value;
        },
      },
      query: { run: (k) => nr1(register(k)[field]) },
    });
  return [
    // Read once whatever the clock completes by the line's time (a reading's data-ready bit) has happened.
    command(`:STATus:${node}[:EVENt]`, { query: { run: (k) => k.settled(() => nr1(register(k).read())) } }),
    command(`:STATus:${node}:CONDition`, {
      query: { run: (k) => k.settled(() => nr1(register(k).condition)) },
    }),
    mask(`:STATus:${node}:ENABle`, "enable"),
    mask(`:STATus:${node}:PTRansition`, "positiveTransition"),
    mask(`:STATus:${node}:NTRansition`, "negativeTransition"),
  ];
}
