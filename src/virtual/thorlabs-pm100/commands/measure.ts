/**
 * The measurement commands (PM100D manual §6.4; Thorlabs' PM100D2 SCPI
 * reference for their semantics): `CONFigure[:SCALar][:POWer]` and
 * `:CURRent[:DC]` select what `READ?` and `FETCh?` return (`CONF?` answers
 * `POW` or `CURR`); `MEASure…?` is CONF and READ?; `READ?` is ABOR, INIT and
 * FETC?; `INITiate` starts a reading; `ABORt` drops it.
 *
 * `MEASure[:SCALar]:POWer` without `?` is sent by two third-party drivers
 * (ThorlabsPM100's `measure.scalar.power()`, QCoDeS' PM100D `_get_power`:
 * `INIT`, `MEAS:POW`, `FETC?`), after the manual's command table that lists
 * it as "Performs a power measurement". What the console does with it is
 * not documented; here it configures and starts a reading (CONF, INIT) for
 * `FETC?` to take, rather than queue -113.
 */
import { andThen, commandsFor } from "../../scpi/engine.js";
import type { Pm100Core } from "../core.js";
import type { MeasureFunction } from "../settings.js";
import { formatReading } from "./format.js";

type Core = Pm100Core;
const command = commandsFor<Core>();

const FUNCTIONS: ReadonlyArray<{ fn: MeasureFunction; node: string }> = [
  { fn: "POW", node: "[:POWer]" },
  { fn: "CURR", node: ":CURRent[:DC]" },
];

function configure(k: Core, fn: MeasureFunction): void {
  k.requireSensor();
  k.abort();
  k.settings.measureFunction = fn;
}

export function measureCommands(): ReturnType<typeof command>[] {
  return [
    ...FUNCTIONS.flatMap(({ fn, node }) => [
      command(`:CONFigure[:SCALar]${node}`, { set: { params: [], run: (k) => configure(k, fn) } }),
      command(`:MEASure[:SCALar]${node}`, {
        set: {
          params: [],
          run: (k) => {
            configure(k, fn);
            k.initiate();
          },
        },
        query: {
          run: (k) => {
            configure(k, fn);
            return andThen(k.read(), (reading) => formatReading(k, reading));
          },
        },
      }),
    ]),
    command(":CONFigure", { query: { run: (k) => k.settings.measureFunction } }),
    command(":READ", { query: { run: (k) => andThen(k.read(), (reading) => formatReading(k, reading)) } }),
    command(":FETCh", { query: { run: (k) => andThen(k.fetch(), (reading) => formatReading(k, reading)) } }),
    command(":INITiate[:IMMediate]", { set: { params: [], run: (k) => k.initiate() } }),
    command(":ABORt", { set: { params: [], run: (k) => k.abort() } }),
  ];
}
