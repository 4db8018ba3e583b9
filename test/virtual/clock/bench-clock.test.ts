import { describe, expect, it } from "vitest";
import { ClockClosedError, createBenchClock } from "../../../src/virtual/clock/bench-clock.js";

/** Lets `turns` turns of the event loop pass. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** An instrument-like sequence of intervals on a clock: records when each one ends. */
async function intervals(clock: ReturnType<typeof createBenchClock>, durations: number[], ends: number[]) {
  for (const dt of durations) {
    await clock.sleep(dt);
    ends.push(clock.now());
  }
}

describe("manual bench clock", () => {
  it("answers a wait only once time is advanced past its due time", async () => {
    const clock = createBenchClock("manual");
    let done = false;
    const wait = clock.sleep(0.5).then(() => {
      done = true;
    });
    await turns(5);
    expect(done).toBe(false);
    await clock.advance(0.4);
    expect(done).toBe(false);
    expect(clock.now()).toBeCloseTo(0.4, 15);
    await clock.advance(0.1);
    await wait;
    expect(done).toBe(true);
  });

  it("stops at each due time so a chain of intervals sees its own times", async () => {
    const clock = createBenchClock("manual");
    const ends: number[] = [];
    const chain = intervals(clock, [0.1, 0.2, 0.3], ends);
    await clock.advance(1);
    await chain;
    expect(ends.map((t) => Number(t.toFixed(12)))).toEqual([0.1, 0.3, 0.6]);
    expect(clock.now()).toBe(1);
  });

  it("refuses advances that are not a finite number of seconds ≥ 0", () => {
    const clock = createBenchClock("manual");
    expect(() => clock.advance(-1)).toThrow(/finite number of seconds/);
    expect(() => clock.advance(Number.NaN)).toThrow(/finite number of seconds/);
  });
});

describe("event bench clock", () => {
  it("overlaps the intervals of two instruments: time is the longest, not the sum", async () => {
    const clock = createBenchClock("event");
    const a: number[] = [];
    const b: number[] = [];
    await Promise.all([intervals(clock, [0.25, 0.25, 0.5], a), intervals(clock, [0.6, 0.1], b)]);
    expect(a).toEqual([0.25, 0.5, 1]);
    expect(b.map((t) => Number(t.toFixed(12)))).toEqual([0.6, 0.7]);
    expect(clock.now()).toBe(1);
  });

  it("does not jump past a request declared and still on the wire", async () => {
    const clock = createBenchClock("event");
    let done = false;
    const release = clock.declare("TCPIP::127.0.0.1::5025::SOCKET");
    const wait = clock.sleep(3).then(() => {
      done = true;
    });
    await turns(10);
    expect(done).toBe(false);
    expect(clock.now()).toBe(0);
    clock.arrived("TCPIP::127.0.0.1::5025::SOCKET");
    await wait;
    expect(clock.now()).toBe(3);
    release(); // already ended by its arrival: a second end changes nothing
    expect(clock.declared).toBe(0);
  });

  it("lets a declaration that never arrives be released", async () => {
    const clock = createBenchClock("event");
    const release = clock.declare("ASRL/dev/pts/9::INSTR");
    const wait = clock.sleep(1);
    await turns(3);
    expect(clock.now()).toBe(0);
    release();
    await wait;
    expect(clock.now()).toBe(1);
  });

  it("refuses to be advanced by hand", async () => {
    await expect(createBenchClock("event").advance(1)).rejects.toThrow(/only a manual clock/);
  });
});

describe("wall bench clock", () => {
  it("is real time: a 50 ms sleep takes at least 50 ms of host time", async () => {
    const clock = createBenchClock("wall");
    const start = process.hrtime.bigint();
    await clock.sleep(0.05);
    const took = Number(process.hrtime.bigint() - start) / 1e9;
    expect(took).toBeGreaterThanOrEqual(0.049);
    expect(clock.now()).toBeGreaterThanOrEqual(0.05);
  });

  it("anchors its zero on the host-monotonic clock and the wall clock", () => {
    const before = process.hrtime.bigint();
    const clock = createBenchClock("wall");
    expect(clock.anchor.hrtimeNs).toBeGreaterThanOrEqual(before);
    expect(Math.abs(clock.anchor.wallSeconds - Date.now() / 1000)).toBeLessThan(1);
  });
});

describe.each(["wall", "event", "manual"] as const)("%s bench clock: close", (mode) => {
  it("rejects what waits and what would wait", async () => {
    const clock = createBenchClock(mode);
    const wait = clock.sleep(10);
    clock.close();
    await expect(wait).rejects.toBeInstanceOf(ClockClosedError);
    await expect(clock.sleep(1)).rejects.toThrow(/closed while a request due at/);
  });
});

describe("after(): a wait and what follows it, in one promise", () => {
  it.each(["event", "manual"] as const)(
    "on the %s clock runs its callback at the due time, in due order",
    async (mode) => {
      const clock = createBenchClock(mode);
      const seen: Array<[string, number]> = [];
      const late = clock.after(0.3, () => seen.push(["late", clock.now()]));
      const early = clock.after(0.1, () => {
        seen.push(["early", clock.now()]);
        return "early's result";
      });
      if (mode === "manual") await clock.advance(0.5);
      expect(await early).toBe("early's result");
      await late;
      expect(seen).toEqual([
        ["early", 0.1],
        ["late", 0.3],
      ]);
      clock.close();
    },
  );

  it("rejects with the callback's error, and refuses on a closed clock", async () => {
    const clock = createBenchClock("event");
    await expect(
      clock.after(0.1, () => {
        throw new Error("the reading failed");
      }),
    ).rejects.toThrow("the reading failed");
    clock.close();
    await expect(clock.after(1, () => 1)).rejects.toBeInstanceOf(ClockClosedError);
  });
});
