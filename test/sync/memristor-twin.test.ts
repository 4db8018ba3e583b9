import { scan } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { linearIonDriftJoglekar, simulate, vteam } from "../../src/models/memristor/index.js";
import { type IVFrame, ivFrame } from "../../src/sync/iv-frame.js";
import { memristorTwin } from "../../src/sync/memristor-twin.js";
import { bipolarTriangle } from "../../src/sync/waveforms.js";

/** A bipolar triangle sampled every 20 ms, with the current a model predicts for it. */
function sweep(model: typeof vteam, params = model.defaults) {
  const voltage = bipolarTriangle(1.2, 200);
  const time = voltage.map((_, k) => 0.02 * k);
  const x0 = model.initialState(params);
  const { current } = simulate(model, params, { times: time, voltages: voltage, x0 });
  return { time, voltage, current, x0 };
}

/** Splits columns into frames at the given sample indices. */
function frames(
  columns: { time: Float64Array; voltage: Float64Array; current: Float64Array },
  cuts: number[],
) {
  const edges = [0, ...cuts, columns.time.length];
  return edges.slice(0, -1).map((from, n) => {
    const to = edges[n + 1];
    return ivFrame(
      "k2400",
      n,
      {
        time: columns.time.slice(from, to),
        voltage: columns.voltage.slice(from, to),
        current: columns.current.slice(from, to),
      },
      0,
    );
  });
}

describe("memristorTwin", () => {
  it.each([
    ["vteam", vteam],
    ["linear ion drift (Joglekar)", linearIonDriftJoglekar as unknown as typeof vteam],
  ])("%s: predicts the same in chunks as in one piece, one twin frame per frame, on time", (_, model) => {
    const data = sweep(model);
    const whole = simulate(model, model.defaults, { times: data.time, voltages: data.voltage, x0: data.x0 });
    const [f0, f1, f2] = frames(data, [37, 150]);
    new TestScheduler((actual, expected) => expect(actual).toEqual(expected)).run(
      ({ cold, expectObservable }) => {
        const input = cold<IVFrame>("a-b--c|", { a: f0 as IVFrame, b: f1 as IVFrame, c: f2 as IVFrame });
        const twin = input.pipe(memristorTwin({ model, params: model.defaults, x0: data.x0 }));
        // Predictions so far, concatenated: each emission must equal the prefix
        // of the one-piece simulation.
        const predictedOnly = twin.pipe(
          scan((acc: number[], frame) => [...acc, ...frame.predicted.values], []),
        );
        expectObservable(predictedOnly).toBe("a-b--c|", {
          a: Array.from(whole.current.slice(0, 37)),
          b: Array.from(whole.current.slice(0, 150)),
          c: Array.from(whole.current),
        });
      },
    );
  });

  it("starts each subscription afresh from x0, so a retry predicts what the first run did", () => {
    const data = sweep(vteam);
    const runs: number[][] = [];
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, flush }) => {
      const twin = cold<IVFrame>(
        "ab|",
        Object.fromEntries(frames(data, [100]).map((f, n) => ["ab"[n], f])),
      ).pipe(
        memristorTwin({ model: vteam, params: vteam.defaults, x0: data.x0 }),
        scan((acc: number[], frame) => [...acc, ...frame.predicted.values], []),
      );
      twin.subscribe((all) => (runs[0] = all));
      twin.subscribe((all) => (runs[1] = all));
      flush();
    });
    expect(runs[0]).toHaveLength(data.time.length);
    expect(runs[1]).toEqual(runs[0]);
  });

  it("residual is measured − predicted, zero when the device is its model", () => {
    const data = sweep(vteam);
    const offset = 1e-6;
    const measured = { ...data, current: data.current.map((i) => i + offset) };
    const out: { residual: Float64Array; predicted: Float64Array; measured: Float64Array }[] = [];
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, flush }) => {
      cold<IVFrame>("ab|", Object.fromEntries(frames(measured, [100]).map((f, n) => ["ab"[n], f])))
        .pipe(memristorTwin({ model: vteam, params: vteam.defaults, x0: data.x0 }))
        .subscribe((frame) =>
          out.push({
            residual: frame.residual.values,
            predicted: frame.predicted.values,
            measured: frame.measured.values,
          }),
        );
      flush();
    });
    const residual = out.flatMap((f) => Array.from(f.residual));
    expect(residual).toHaveLength(data.time.length);
    for (const r of residual) expect(r).toBeCloseTo(offset, 15);
    expect(out[1]?.residual).toBeInstanceOf(Float64Array);
  });

  it("labels its batches as the model's, on the measured times and sequence", () => {
    const data = sweep(vteam);
    const [f0] = frames(data, []);
    let seen: { sourceId: string; quantity: string; unit: string; sequence: number; times: Float64Array }[] =
      [];
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, flush }) => {
      cold<IVFrame>("a|", { a: f0 as IVFrame })
        .pipe(memristorTwin({ model: vteam, params: vteam.defaults }))
        .subscribe((frame) => {
          seen = [frame.predicted, frame.residual];
        });
      flush();
    });
    expect(seen.map((b) => [b.sourceId, b.quantity, b.unit, b.sequence])).toEqual([
      ["model.vteam.current", "current", "A", 0],
      ["model.vteam.residual", "residual", "A", 0],
    ]);
    expect(seen[0]?.times).toBe(f0?.current.times);
  });
});
