/**
 * The embedded virtual bench as a bench: the virtual instruments of a spec
 * served on their wires, and the bench file that points at them. Virtual
 * or real is the bench's choice (DESIGN.md, "Virtual instruments"; STYLE.md
 * 13): a plan or the CLI opens what this returns like any bench file, and
 * nothing above can tell it from hardware except the timebase it hands out
 * (the bench clock, in this process).
 */

import {
  DEFAULT_BENCH_INSTRUMENTS,
  serveVirtualBench,
  type VirtualBench,
  type VirtualBenchSpec,
  type VirtualInstrumentSpec,
} from "../virtual/bench.js";
import type { BenchClock } from "../virtual/clock/bench-clock.js";
import { KNOWN_BENCH_DRIVERS } from "./drivers.js";
import { type BenchFile, checkBenchObject } from "./file.js";

export interface EmbeddedBench {
  /** A bench file pointing at the served instruments (TCP), with the clock's control endpoint if served. */
  readonly file: BenchFile;
  /** The bench clock: the run's timebase for whoever opens the file in this process. */
  readonly clock: BenchClock;
  /** The virtual bench itself (its chip, for tests and the twin's truth). */
  readonly virtual: VirtualBench;
  /** Stops the servers, the chip and (if the bench made it) the clock. */
  close(): Promise<void>;
}

/**
 * The default bench's instruments with their noise seeded from `seed`
 * (each takes seed + its index): independent noise for each run of a
 * study, repeatable run by run.
 */
export function seededBenchInstruments(seed: number): Readonly<Record<string, VirtualInstrumentSpec>> {
  return Object.fromEntries(
    Object.entries(DEFAULT_BENCH_INSTRUMENTS).map(([name, spec], k) => [name, { ...spec, seed: seed + k }]),
  );
}

/** Serves `spec` (serveVirtualBench) and describes it as a bench file. */
export async function serveEmbeddedBench(spec: VirtualBenchSpec = {}): Promise<EmbeddedBench> {
  const virtual = await serveVirtualBench(spec);
  try {
    const file = benchFileOf(virtual, spec);
    return { file, clock: virtual.clock, virtual, close: () => virtual.close() };
  } catch (error) {
    await virtual.close();
    throw error;
  }
}

/** The bench file of a served virtual bench: each instrument's driver is its model, reached over TCP. */
export function benchFileOf(
  virtual: VirtualBench,
  spec: VirtualBenchSpec = {},
  name = "virtual bench",
): BenchFile {
  const instruments: Record<string, object> = {};
  for (const [instrument, served] of Object.entries(spec.instruments ?? DEFAULT_BENCH_INSTRUMENTS)) {
    const resource = virtual.resources.instruments[instrument]?.tcp;
    if (!resource) throw new Error(`virtual bench: instrument "${instrument}" is not served on TCP`);
    // The virtual models are named as their drivers are.
    const connects =
      "port" in served ? served.port : served.model === "santec-tsl570" ? "fibre input" : "fibre output";
    instruments[instrument] = { driver: served.model, resource, connects };
  }
  return checkBenchObject(
    {
      name,
      ...(virtual.resources.clock && { clock: { control: virtual.resources.clock } }),
      instruments,
    },
    { registry: KNOWN_BENCH_DRIVERS, where: "the embedded virtual bench" },
  );
}
