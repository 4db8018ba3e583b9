import { describe, expect, it } from "vitest";
import { parseErrorEntry } from "../../src/drivers/scpi/error-queue.js";
import { parseIdentity } from "../../src/drivers/scpi/identity.js";
import { formatNumber, parseBoolean, parseMeasurement, parseNumber } from "../../src/drivers/scpi/values.js";

describe("SCPI values", () => {
  it.each([
    [1.2, "1.2"],
    [1e-7, "1e-7"],
    [-0.000105, "-0.000105"],
    [1.23456789, "1.23456789"],
    [-0, "0"],
    [2.1e8, "210000000"],
  ])("formatNumber(%d) is %s, exact", (value, text) => {
    expect(formatNumber(value)).toBe(text);
    expect(Number(text)).toBe(value === 0 ? 0 : value);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])("formatNumber refuses %d", (value) => {
    expect(() => formatNumber(value)).toThrow(RangeError);
  });

  it.each([
    ["+1.200000E+00", 1.2],
    ["-5", -5],
    [" .5 ", 0.5],
    ["1.", 1],
    ["9.91E37", 9.91e37],
    ["", undefined],
    ["1,2", undefined],
    ["0x10", undefined],
    ["NAN", undefined],
    ["1e", undefined],
  ])("parseNumber(%j) is %s", (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each([
    ["+9.910000E+37", Number.NaN],
    ["+9.900000E+37", Number.POSITIVE_INFINITY],
    ["-9.900000E+37", Number.NEGATIVE_INFINITY],
    ["-1.000000E-03", -1e-3],
    ["oops", undefined],
  ])("parseMeasurement(%j) is %s", (text, value) => {
    expect(parseMeasurement(text)).toBe(value);
  });

  it.each([
    ["1", true],
    ["0", false],
    ["ON", true],
    ["off", false],
    ["2", undefined],
  ])("parseBoolean(%j) is %s", (text, value) => {
    expect(parseBoolean(text)).toBe(value);
  });

  it.each([
    ['-222,"Data out of range"', { code: -222, text: "Data out of range" }],
    ['+802,"Output on"', { code: 802, text: "Output on" }],
    ['0,"No error"', { code: 0, text: "No error" }],
    // SCPI-99 vol. 2 §21.8: "<description>[;<device-dependent info>]"; the info is kept apart.
    [
      '-113, "Undefined header;:SOUR:VOLTX 1"',
      { code: -113, text: "Undefined header", detail: ":SOUR:VOLTX 1" },
    ],
    [
      '-300,"Device-specific error; ""quoted"" detail"',
      { code: -300, text: "Device-specific error", detail: ' "quoted" detail' },
    ],
    ['0,"No error;0;0 0"', { code: 0, text: "No error", detail: "0;0 0" }],
    ["-222,Data out of range", undefined],
    ["No error", undefined],
  ])("parseErrorEntry(%j)", (text, entry) => {
    expect(parseErrorEntry(text)).toEqual(entry);
  });

  it("parseIdentity trims the four fields", () => {
    expect(parseIdentity("KEITHLEY INSTRUMENTS INC., MODEL 2400, 4112345, C32 /A02")).toEqual({
      manufacturer: "KEITHLEY INSTRUMENTS INC.",
      model: "MODEL 2400",
      serial: "4112345",
      firmware: "C32 /A02",
    });
  });
});
