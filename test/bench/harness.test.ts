/**
 * The bench harness's verdicts (bench/harness.ts): a ratio against the
 * declared target, "not measured" without a figure, and no verdict at all
 * when an implementation's results disagree with the reference — a fast
 * wrong answer must not pass.
 */
import { describe, expect, it } from "vitest";
import {
  AGREEMENT_LIMIT,
  type BenchRow,
  checksumDisagreement,
  checkTargets,
  compare,
  TARGETS,
} from "../../bench/harness.js";

const row = (medianMs: Record<string, number>, agreement?: Record<string, number>): BenchRow => ({
  bench: "test",
  case: "case",
  work: 1,
  workUnit: "unit",
  medianMs,
  targets: TARGETS.batch,
  ...(agreement === undefined ? {} : { agreement }),
});

describe("checkTargets", () => {
  it("judges each target by other ÷ wasm", () => {
    const verdicts = checkTargets(row({ wasm: 2, "ts reference": 4, numpy: 1 }, { wasm: 0, numpy: 1e-15 }));
    expect(verdicts.map((v) => [v.against, v.ratio, v.verdict])).toEqual([
      ["ts reference", 2, "met"],
      ["numpy", 0.5, "missed"],
    ]);
  });

  it("does not judge a row that never compared its results", () => {
    expect(checkTargets(row({ wasm: 1, "ts reference": 2, numpy: 3 })).map((v) => v.verdict)).toEqual([
      "not comparable",
      "not comparable",
    ]);
    expect(
      checkTargets(row({ wasm: 1, "ts reference": 2, numpy: 3 }, { wasm: 0 })).map((v) => v.verdict),
    ).toEqual(["met", "not comparable"]);
  });

  it("judges a named subject against a named other, and a real-time factor against 'real time'", () => {
    const simulated: BenchRow = {
      ...row({ wasm: 50, "real time": 1000 }, { wasm: 0, "real time": 0 }),
      targets: [{ against: "real time", atLeast: 10 }],
    };
    expect(checkTargets(simulated).map((v) => [v.ratio, v.verdict])).toEqual([[20, "met"]]);
    const rate: BenchRow = {
      ...row({ "virtual 2400": 125, echo: 100 }),
      targets: [{ subject: "virtual 2400", against: "echo", atLeast: 0.8 }],
      comparesResults: false,
    };
    expect(checkTargets(rate).map((v) => [v.ratio, v.verdict])).toEqual([[0.8, "met"]]);
    expect(checkTargets({ ...rate, medianMs: { "virtual 2400": 130, echo: 100 } })[0]?.verdict).toBe(
      "missed",
    );
    // Without comparesResults: false, a row with no agreement record is still not judged.
    expect(checkTargets({ ...rate, comparesResults: undefined })[0]?.verdict).toBe("not comparable");
  });

  it("judges a row's paired ratio, when it has one, instead of the ratio of its medians", () => {
    const rate: BenchRow = {
      ...row({ "virtual 2400": 130, echo: 100 }),
      targets: [{ subject: "virtual 2400", against: "echo", atLeast: 0.8 }],
      comparesResults: false,
    };
    expect(checkTargets({ ...rate, pairedRatio: 0.85 }).map((v) => [v.ratio, v.verdict])).toEqual([
      [0.85, "met"],
    ]);
    expect(
      checkTargets({ ...rate, medianMs: { "virtual 2400": 100, echo: 100 }, pairedRatio: 0.7 })[0]?.verdict,
    ).toBe("missed");
  });

  it("says 'not measured' where the other side has no figure", () => {
    expect(checkTargets(row({ wasm: 1, "ts reference": 2 }, { wasm: 0 })).map((v) => v.verdict)).toEqual([
      "met",
      "not measured",
    ]);
  });

  it.each([
    ["numpy", { wasm: 0, numpy: 10 * AGREEMENT_LIMIT }, ["met", "not comparable"]],
    ["numpy (NaN)", { wasm: 0, numpy: Number.NaN }, ["met", "not comparable"]],
    ["wasm", { wasm: 10 * AGREEMENT_LIMIT, numpy: 0 }, ["not comparable", "not comparable"]],
  ] as const)("refuses a verdict when %s disagrees with the reference", (_, agreement, expected) => {
    const verdicts = checkTargets(row({ wasm: 1, "ts reference": 2, numpy: 3 }, agreement));
    expect(verdicts.map((v) => v.verdict)).toEqual(expected);
  });
});

describe("agreement measures", () => {
  it("compare: worst difference relative to each output's scale, and how many values differ", () => {
    const result = compare(
      [Float64Array.of(1, 2, 4.000001), [10, 20]],
      [Float64Array.of(1, 2, 4), Float64Array.of(10, 20)],
    );
    expect(result.worst).toBeCloseTo(0.000001 / 4, 15);
    expect(result.differing).toBe(1);
    expect(result.count).toBe(5);
    expect(compare([[Number.NaN]], [Float64Array.of(1)]).worst).toBeNaN();
  });

  it("checksumDisagreement: relative to the larger magnitude, or to a floor for sums near 0", () => {
    expect(checksumDisagreement([100, 0], [100.0001, 0])).toBeCloseTo(1e-4 / 100.0001, 12);
    expect(checksumDisagreement([1e-20], [2e-20])).toBeCloseTo(0.5, 12);
    expect(checksumDisagreement([1e-20], [2e-20], 1)).toBeCloseTo(1e-20, 30);
    expect(checksumDisagreement([1, 2], [1])).toBeNaN();
  });
});
