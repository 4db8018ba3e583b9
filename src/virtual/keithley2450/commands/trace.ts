/**
 * Reading buffers (2450 Reference Manual §6 "TRACe subsystem"): the
 * default buffers and user buffers, their counts, contents by index range
 * with the elements asked, and their statistics; and :FORMat.
 */
import { commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { nr1 } from "../../scpi/format.js";
import { choice, numeric, text } from "../../scpi/params.js";
import type { Keithley2450Core } from "../core.js";
import { DEFAULT_BUFFERS } from "../core.js";
import {
  bufferAndElements,
  bufferName,
  formatReading,
  nr3u,
  type Reading2450,
  ReadingBuffer,
} from "../reading.js";

type Core = Keithley2450Core;
const command = commandsFor<Core>();

/** Largest buffer, readings (§6 ":TRACe:POINts": standard buffers up to 6 875 000 readings in all). */
const MAX_POINTS = 6_875_000;

const STATISTICS: ReadonlyArray<{ node: string; of: (xs: number[]) => number }> = [
  { node: "AVERage", of: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length },
  { node: "MAXimum", of: (xs) => xs.reduce((a, b) => Math.max(a, b)) },
  { node: "MINimum", of: (xs) => xs.reduce((a, b) => Math.min(a, b)) },
  {
    node: "STDDev",
    of: (xs) => {
      if (xs.length < 2) return 0;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    },
  },
];

export function traceCommands(): ReturnType<typeof command>[] {
  const index = () => numeric<Core>({ min: 1, max: MAX_POINTS, integer: true });
  return [
    // Indices run from 1 (the oldest kept) to the count; a range outside them is -222.
    command(":TRACe:DATA", {
      query: {
        params: [index(), index(), bufferAndElements<Core>()],
        run: (k, [start, end, a]) => {
          const buffer = k.buffer(a.buffer);
          if (start > end || end > buffer.length) throw new ScpiError(-222);
          const first = buffer.at(0)?.time ?? 0;
          let out = "";
          for (let i = start - 1; i < end; i++) {
            const reading = buffer.at(i) as Reading2450;
            out += `${out === "" ? "" : ","}${formatReading(reading, a.elements, first, k.calendar)}`;
          }
          return out;
        },
      },
    }),
    command(":TRACe:ACTual", {
      query: { params: [bufferName<Core>()], run: (k, [b]) => nr1(k.buffer(b).length) },
    }),
    command(":TRACe:ACTual:STARt", {
      query: { params: [bufferName<Core>()], run: (k, [b]) => nr1(k.buffer(b).length > 0 ? 1 : 0) },
    }),
    command(":TRACe:ACTual:END", {
      query: { params: [bufferName<Core>()], run: (k, [b]) => nr1(k.buffer(b).length) },
    }),
    command(":TRACe:CLEar", { set: { params: [bufferName<Core>()], run: (k, [b]) => k.buffer(b).clear() } }),
    // Resizing clears the buffer (§6 ":TRACe:POINts": "the buffer is cleared").
    command(":TRACe:POINts", {
      set: {
        params: [numeric<Core>({ min: 10, max: MAX_POINTS, integer: true }), bufferName<Core>()],
        run: (k, [points, b]) => {
          const buffer = k.buffer(b);
          buffer.capacity = points;
          buffer.clear();
        },
      },
      query: { params: [bufferName<Core>()], run: (k, [b]) => nr1(k.buffer(b).capacity) },
    }),
    // A user buffer of the STANdard style (FULL, COMPact, WRITable are not modelled: -224).
    command(":TRACe:MAKE", {
      set: {
        params: [
          text<Core>(),
          numeric<Core>({ min: 10, max: MAX_POINTS, integer: true }),
          choice<"STANdard", Core>(["STANdard"], { optional: true }),
        ],
        run: (k, [name, size]) => {
          const key = name.toLowerCase();
          if (k.buffers.has(key)) throw new ScpiError(-221);
          if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(name)) throw new ScpiError(-224);
          k.buffers.set(key, new ReadingBuffer(name, size));
        },
      },
    }),
    command(":TRACe:DELete", {
      set: {
        params: [text<Core>()],
        run: (k, [name]) => {
          const key = name.toLowerCase();
          if ((DEFAULT_BUFFERS as readonly string[]).includes(key)) throw new ScpiError(-221);
          if (!k.buffers.delete(key)) throw new ScpiError(-224);
        },
      },
    }),
    ...STATISTICS.map(({ node, of }) =>
      command(`:TRACe:STATistics:${node}`, {
        query: {
          params: [bufferName<Core>()],
          run: (k, [b]) => {
            const values = k.buffer(b).values();
            if (values.length === 0) throw new ScpiError(-230);
            return nr3u(of(values));
          },
        },
      }),
    ),
    // ASCII only: REAL and SREal binary blocks are not simulated (-224 rather than ASCII sent as binary).
    command(":FORMat[:DATA]", {
      set: { params: [choice<"ASCii", Core>(["ASCii"])], run: () => undefined },
      query: { run: () => "ASC" },
    }),
  ];
}
