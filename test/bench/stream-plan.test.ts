/**
 * A plan's batches as an Observable: the I-V plan on the virtual 2450,
 * subscribed to with rxjs, every batch in order and then completion; a
 * plan that throws errors the stream.
 */
import { lastValueFrom, toArray } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBench, serveEmbeddedBench } from "../../src/bench/embedded.js";
import { type Bench, openBench } from "../../src/bench/open.js";
import { ivPlan } from "../../src/plans/iv.js";
import { streamPlan } from "../../src/plans/stream.js";

let embedded: EmbeddedBench | undefined;
let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  await embedded?.close();
});

const TRIANGLE = {
  amplitude: 1,
  pointsPerCycle: 40,
  cycles: 1,
  compliance: 0.01,
  nplc: 0.1,
  sourceDelay: 0.001,
};

describe("streamPlan", () => {
  it("gives every batch of the I-V plan on the 2450 to a subscriber, in order, then completes", async () => {
    embedded = await serveEmbeddedBench({ clock: "event", clockControl: false });
    bench = await openBench(embedded.file, { timebase: embedded.clock });
    const smu = bench.sourceMeter("smu2");
    const stream = streamPlan({ timebase: bench.timebase });
    const collected = lastValueFrom(stream.batches.pipe(toArray()));
    const summary = await stream.run((context) => ivPlan(smu, TRIANGLE, context));
    const batches = await collected;
    expect(batches.map((b) => b.voltage.length)).toEqual([20, 20, 1]);
    expect(summary).toMatchObject({ mode: "list", total: 41, points: 41, batches: 3, aborted: false });
    const voltages = batches.flatMap((b) => Array.from(b.voltage));
    expect(voltages[10]).toBeCloseTo(1, 2); // the 2450 reads its source back, with noise
    expect(voltages[30]).toBeCloseTo(-1, 2);
    // Times on the run's timebase, increasing across batches.
    const times = batches.flatMap((b) => Array.from(b.time));
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] as number))).toBe(true);
    expect(times.at(-1)).toBeLessThanOrEqual(bench.timebase.now());
  });

  it("errors the stream with the plan's error", async () => {
    const stream = streamPlan({ timebase: { now: () => 0 } as never });
    const seen = lastValueFrom(stream.batches).catch((error: unknown) => error);
    await expect(stream.run(async () => Promise.reject(new Error("halfway")))).rejects.toThrow("halfway");
    expect(await seen).toEqual(new Error("halfway"));
  });
});
