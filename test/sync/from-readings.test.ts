import { firstValueFrom, take, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { fromReadings } from "../../src/sync/from-readings.js";
import type { IVColumns } from "../../src/sync/iv-frame.js";

function columns(start: number, n: number): IVColumns {
  const time = Float64Array.from({ length: n }, (_, k) => start + k);
  return { time, voltage: time.map((t) => t / 10), current: time.map((t) => t / 1e4) };
}

describe("fromReadings", () => {
  it("numbers the frames and pairs voltage with current over shared times", async () => {
    async function* chunks() {
      yield columns(0, 3);
      yield columns(3, 2);
    }
    const frames = await firstValueFrom(fromReadings("k2400", chunks()).pipe(toArray()));
    expect(frames.map((f) => [f.voltage.sequence, f.current.sequence])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(frames[1]?.voltage.sourceId).toBe("k2400.voltage");
    expect(frames[1]?.current).toMatchObject({ sourceId: "k2400.current", quantity: "current", unit: "A" });
    expect(Array.from(frames[1]?.current.times ?? [])).toEqual([3, 4]);
    expect(Array.from(frames[0]?.voltage.values ?? [])).toEqual([0, 0.1, 0.2]);
  });

  it("passes the instrument's error on, after the frames that arrived", async () => {
    async function* chunks() {
      yield columns(0, 1);
      throw new Error("TCPIP::127.0.0.1::5025::SOCKET: connection closed");
    }
    const seen: number[] = [];
    await expect(
      new Promise((resolve, reject) =>
        fromReadings("k2400", chunks()).subscribe({
          next: (f) => seen.push(f.voltage.sequence),
          error: reject,
          complete: () => resolve(undefined),
        }),
      ),
    ).rejects.toThrow(/connection closed/);
    expect(seen).toEqual([0]);
  });

  it("stops the source when the subscriber leaves, so the driver can clean up", async () => {
    let finallyRan = false;
    let produced = 0;
    async function* endless() {
      try {
        for (;;) {
          produced++;
          yield columns(produced, 1);
        }
      } finally {
        finallyRan = true;
      }
    }
    const firstTwo = await firstValueFrom(fromReadings("k2400", endless()).pipe(take(2), toArray()));
    expect(firstTwo).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(finallyRan).toBe(true);
    expect(produced).toBeLessThanOrEqual(3);
  });

  it("hands a failing clean-up to onCleanupError instead of an unhandled rejection", async () => {
    const heard: unknown[] = [];
    const readings: AsyncIterable<IVColumns> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: columns(0, 1) }),
        return: async () => {
          throw new Error("ASRL/dev/pts/9::INSTR: port closed");
        },
      }),
    };
    await firstValueFrom(fromReadings("k2400", readings, (error) => heard.push(error)).pipe(take(1)));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(String(heard[0])).toMatch(/port closed/);
  });

  it("refuses a chunk whose columns differ in length", async () => {
    async function* bad() {
      yield { time: new Float64Array(2), voltage: new Float64Array(2), current: new Float64Array(1) };
    }
    await expect(firstValueFrom(fromReadings("k2400", bad()))).rejects.toThrow(
      /k2400: batch 0 has 2 times, 2 voltages and 1 currents/,
    );
  });
});
