/**
 * NR3 formatting (src/virtual/scpi/format.ts): the integer fast path must
 * give exactly the text of `toExponential`, which the SCPI style is defined
 * from, for every double it takes, and leave ties, zero and the extremes to it.
 */
import { describe, expect, it } from "vitest";
import { SCPI_NOT_A_NUMBER, SCPI_OVERFLOW } from "../../src/scpi/protocol.js";
import { nr3 } from "../../src/virtual/scpi/format.js";

/** The reference: the style made from toExponential alone. */
function reference(value: number, digits = 6, plus = true): string {
  const finite = Number.isNaN(value)
    ? SCPI_NOT_A_NUMBER
    : Number.isFinite(value)
      ? value
      : Math.sign(value) * SCPI_OVERFLOW;
  const text = Math.abs(finite).toExponential(digits);
  const e = text.indexOf("e");
  const expDigits = text.slice(e + 2);
  const sign = finite < 0 ? "-" : plus ? "+" : "";
  return `${sign}${text.slice(0, e)}E${text[e + 1]}${expDigits.length === 1 ? "0" : ""}${expDigits}`;
}

/** A deterministic generator (mulberry32), so a failure is reproducible. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("nr3", () => {
  it("writes the Keithley style", () => {
    expect(nr3(1.05e-4)).toBe("+1.050000E-04");
    expect(nr3(-2.5)).toBe("-2.500000E+00");
    expect(nr3(123456789)).toBe("+1.234568E+08");
    expect(nr3(1e-300)).toBe("+1.000000E-300");
    expect(nr3(0)).toBe("+0.000000E+00");
    expect(nr3(Number.NaN)).toBe("+9.910000E+37");
    expect(nr3(Number.NEGATIVE_INFINITY)).toBe("-9.900000E+37");
    expect(nr3(2, 6, false)).toBe("2.000000E+00");
    expect(nr3(2, 3)).toBe("+2.000E+00");
  });

  it("gives toExponential's text for random doubles over 60 decades, ties and powers of ten", () => {
    const random = generator(14);
    const values: number[] = [];
    for (let i = 0; i < 200_000; i++) values.push((random() * 2 - 1) * 10 ** Math.floor(random() * 60 - 35));
    // Values at and beside a tie of the seventh digit, and next to each power of ten.
    for (let i = 0; i < 50_000; i++) {
      const tie = (Math.floor(random() * 9e6) + 1e6 + 0.5) / 1e6;
      values.push(tie * 10 ** Math.floor(random() * 40 - 20));
    }
    for (let k = -30; k <= 30; k++) {
      for (const m of [1, 9.9999995, 9.999999, 9.9999994999, 1.0000005, 1.2345675, 5, 2.5]) {
        values.push(m * 10 ** k, -m * 10 ** k, Number(`${m}e${k}`));
      }
    }
    values.push(-0, Number.MIN_VALUE, Number.MAX_VALUE, 1e22, 1e23, 1e-16, 1e-17, 0.1, 0.3);
    const wrong = values.filter((v) => nr3(v) !== reference(v));
    expect(wrong.map((v) => [v, nr3(v), reference(v)])).toEqual([]);
  });
});
