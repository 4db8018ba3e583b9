/**
 * Taking readings (2450 Reference Manual §6 ":READ?", ":FETCh?",
 * ":MEASure:<function>?", ":INITiate[:IMMediate]", ":ABORt",
 * ":TRIGger:LOAD "SimpleLoop""): each query names an optional buffer and
 * the elements it wants back.
 */
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { numeric, text } from "../../scpi/params.js";
import type { Keithley2450Core } from "../core.js";
import type { SenseFunction } from "../ranges.js";
import {
  type BufferElement,
  bufferAndElements,
  bufferName,
  formatReading,
  type Reading2450,
  type ReadingBuffer,
} from "../reading.js";

type Core = Keithley2450Core;
const command = commandsFor<Core>();

/** One reading's reply: its elements, RELative to its buffer's first reading. */
export function reply(
  k: Core,
  got: { reading: Reading2450; buffer: ReadingBuffer },
  elements: readonly BufferElement[],
): string {
  const first = got.buffer.at(0)?.time ?? got.reading.time;
  return formatReading(got.reading, elements, first, k.calendar);
}

const MEASURE_FUNCTIONS: ReadonlyArray<{ fn: SenseFunction; node: string }> = [
  { fn: "VOLT", node: "VOLTage[:DC]" },
  { fn: "CURR", node: "CURRent[:DC]" },
  { fn: "RES", node: "RESistance" },
];

export function acquisitionCommands(): ReturnType<typeof command>[] {
  const asked = bufferAndElements<Core>();
  return [
    command(":READ", {
      query: {
        params: [asked],
        run: (k, [a]) => k.read(a.buffer, (got) => reply(k, got, a.elements)),
      },
    }),
    command(":FETCh", {
      query: { params: [asked], run: (k, [a]) => reply(k, k.fetch(a.buffer), a.elements) },
    }),
    // :MEASure? leaves the output as it is: with it off, the reading is of the open terminals.
    command(":MEASure", {
      query: {
        params: [asked],
        run: (k, [a]) => k.read(a.buffer, (got) => reply(k, got, a.elements)),
      },
    }),
    ...MEASURE_FUNCTIONS.map(({ fn, node }) =>
      // "Selects the measure function, makes measurements, …and returns the last reading" (§6 ":MEASure:<function>?").
      command(`:MEASure:${node}`, {
        query: {
          params: [asked],
          run: (k, [a]) => {
            k.settings.senseFunction = fn;
            return k.read(a.buffer, (got) => reply(k, got, a.elements));
          },
        },
      }),
    ),
    command(":INITiate[:IMMediate]", { set: { params: [], run: (k) => k.initiate() } }),
    // The trigger model has run to its end before :ABORt can be read (see core.ts): nothing is left to stop.
    command(":ABORt", { set: { params: [], run: () => undefined } }),
    // "SimpleLoop": count readings at the present source level, with a delay (§6 ":TRIGger:LOAD "SimpleLoop"").
    command(":TRIGger:LOAD", {
      set: {
        params: [
          text<Core>(),
          numeric<Core>({ min: 1, max: 268_435_455, integer: true }),
          numeric<Core>({ min: 0, max: 1e4, unit: "S", optional: true }),
          bufferName<Core>(),
        ],
        run: (k, [template, count, delay, buffer]) => {
          if (template.toUpperCase() !== "SIMPLELOOP") throw new ScpiError(-224);
          const name = buffer ?? "defbuffer1";
          k.buffer(name);
          const fn = k.settings.sourceFunction;
          k.sweep = {
            sourceFunction: fn,
            levels: [k.settings.source[fn].level],
            delay,
            count,
            failAbort: false,
            buffer: name,
          };
        },
      },
    }),
  ];
}
