/**
 * One timebase (issue 15 §3): readings of both source-meters of one bench,
 * each stamped by its own clock (the 2400's TIME, the 2450's RELative
 * time), mapped onto the run's timebase by the bench, interleave in the
 * order they were taken — on the event clock, where the mapping is exact,
 * and on the wall clock.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type EmbeddedBench, serveEmbeddedBench } from "../../src/bench/embedded.js";
import { type Bench, openBench } from "../../src/bench/open.js";

let embedded: EmbeddedBench | undefined;
let bench: Bench | undefined;
afterEach(async () => {
  await bench?.close();
  await embedded?.close();
  bench = undefined;
  embedded = undefined;
});

describe.each(["event", "wall"] as const)("on the %s clock", (mode) => {
  it("readings of the 2400 and the 2450 interleave in the order taken, on the run's timebase", async () => {
    embedded = await serveEmbeddedBench({
      clock: mode,
      clockControl: false,
      instruments: {
        smu1: { model: "keithley2400", port: "memristor", noise: false },
        smu2: { model: "keithley2450", port: "heater", noise: false },
      },
    });
    bench = await openBench(embedded.file, { timebase: embedded.clock });
    for (const name of ["smu1", "smu2"]) {
      const smu = bench.sourceMeter(name);
      await smu.complianceCurrent.set(0.01);
      await smu.outputEnabled.set(true);
    }
    const taken: Array<{ name: string; time: number; before: number; after: number }> = [];
    // The 2400 stamps from its power-on, the 2450 from its buffer's first reading: different zeros.
    await embedded.clock.sleep(0.05);
    for (let round = 0; round < 4; round++) {
      for (const name of round % 2 === 0 ? ["smu1", "smu2"] : ["smu2", "smu1"]) {
        const smu = bench.sourceMeter(name);
        const before = bench.timebase.now();
        const reading = await smu.read();
        const after = bench.timebase.now();
        const [time] = bench.toRunTime(name, [reading.time]);
        taken.push({ name, time: time as number, before, after });
      }
    }
    const times = taken.map((t) => t.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(times).size).toBe(times.length);
    // Each reading is placed within the exchange that took it: on the event clock exactly at its end (the
    // reply leaves at the reading's end), but for the seven digits the wire carries; on the wall clock within
    // the spread of the replies' transfer times, which the offset fixed at the first reading cannot know.
    const slack = (time: number) => (mode === "event" ? 5e-7 * Math.abs(time) : 2e-3);
    for (const { time, before, after } of taken) {
      expect(time).toBeGreaterThan(before);
      expect(time).toBeLessThanOrEqual(after + slack(time));
      if (mode === "event") expect(Math.abs(time - after)).toBeLessThanOrEqual(slack(time));
    }
  });
});
