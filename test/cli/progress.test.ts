import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createProgress } from "../../src/cli/progress.js";

/** A stream that keeps what is written to it; a terminal when `tty`. */
function collector(tty = false) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        chunks.push(String(chunk));
        callback();
      },
    }),
    tty ? { isTTY: true, columns: 120 } : {},
  );
  return { stream, text: () => chunks.join(""), lines: () => chunks.join("").split("\n").filter(Boolean) };
}

/** A clock the test moves. */
function fakeClock() {
  let ms = 1000;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe("createProgress without a terminal (CI logs)", () => {
  it("prints a bounded number of plain lines however many updates come, each with the rate and the time left", () => {
    const out = collector();
    const clock = fakeClock();
    const progress = createProgress({
      total: 10_000,
      label: "sweep",
      unit: "points",
      stream: out.stream,
      now: clock.now,
    });
    for (let done = 1; done <= 10_000; done++) {
      clock.advance(2); // 500 points/s: 20 s in all, less than a heartbeat
      progress.update(done, `${(1540 + done * 0.002).toFixed(3)} nm`);
    }
    progress.finish();
    const lines = out.lines();
    // The start, one at each tenth from 10 % to 90 %, the summary.
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe("sweep: 10000 points to go");
    expect(lines[1]).toBe("sweep: 1000/10000 points (10 %), 500 points/s, 18 s left, 1542.000 nm");
    for (const line of lines.slice(1, -1))
      expect(line).toMatch(/^sweep: \d+\/10000 points \(\d0 %\), 500 points\/s, \d+ s left/);
    expect(lines.at(-1)).toBe("sweep: done, 10000/10000 points in 20 s (500 points/s)");
    expect(out.text()).not.toContain("\r");
    expect(out.text()).not.toContain("\u001b");
  });

  it("keeps a slow run's log alive with a line per heartbeat, never more", () => {
    const out = collector();
    const clock = fakeClock();
    const progress = createProgress({
      total: 100,
      label: "heater",
      stream: out.stream,
      now: clock.now,
      heartbeatMs: 60_000,
    });
    // A step every 10 s: after 9 steps no tenth is reached, and 90 s hold one heartbeat, at 60 s.
    for (let done = 1; done <= 9; done++) {
      clock.advance(10_000);
      progress.update(done);
    }
    const lines = out.lines();
    expect(lines).toEqual([
      "heater: 100 steps to go",
      "heater: 6/100 steps (6 %), 6 steps/min, 15 min 40 s left",
    ]);
  });

  it("says how long it would take at the present rate, in minutes and hours when slow", () => {
    const out = collector();
    const clock = fakeClock();
    const progress = createProgress({
      total: 50,
      label: "pulses",
      unit: "pulses",
      stream: out.stream,
      now: clock.now,
    });
    clock.advance(3_600_000);
    progress.update(5);
    expect(out.lines()[1]).toBe("pulses: 5/50 pulses (10 %), 5 pulses/h, 9 h 00 min left");
  });

  it("ends with a failure line that says where and why, and then stays quiet", () => {
    const out = collector();
    const clock = fakeClock();
    const progress = createProgress({
      total: 40,
      label: "sweep",
      unit: "points",
      stream: out.stream,
      now: clock.now,
    });
    clock.advance(4_000);
    progress.update(4);
    progress.fail("SIGINT");
    progress.update(30);
    progress.finish();
    progress.fail("again");
    expect(out.lines()).toEqual([
      "sweep: 40 points to go",
      "sweep: 4/40 points (10 %), 1 points/s, 36 s left",
      "sweep: failed at 4/40 points after 4 s: SIGINT",
    ]);
  });

  it("refuses a total or a count that is not a number of units", () => {
    const out = collector();
    expect(() => createProgress({ total: 0, label: "x", stream: out.stream })).toThrow(/total/);
    const progress = createProgress({ total: 5, label: "x", stream: out.stream });
    expect(() => progress.update(Number.NaN)).toThrow(/done/);
  });
});

describe("createProgress on a terminal", () => {
  it("draws one bar that it redraws in place, then the summary", async () => {
    const out = collector(true);
    const progress = createProgress({ total: 20, label: "sweep", unit: "points", stream: out.stream });
    for (let done = 1; done <= 20; done++) {
      progress.update(done, "1550.000 nm");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    progress.finish();
    const text = out.text();
    // cli-progress throttles its redraws (10 a second): a few states, each with the rate and the time left.
    expect(text).toMatch(
      /sweep \|=+-*\| \d+% \d+\/20 points \| [\d.]+ points\/s \| \d+ s left \| 1550\.000 nm/,
    );
    expect(text).toMatch(/sweep \|=+\| 100% 20\/20 points \| [\d.]+ points\/s \| 0 s left/);
    // Redrawn in place (back to column 1, clear to the end), not once per update.
    expect(text).toContain("\u001b[0K");
    expect(text.split("\u001b[1G").length - 1).toBeLessThan(20);
    const lines = text.split("\n").filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines.at(-1)).toMatch(/^sweep: done, 20\/20 points in \d+ s \([\d.]+ points\/s\)$/);
  });
});
