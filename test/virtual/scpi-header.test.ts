import { describe, expect, it } from "vitest";
import { compilePattern, matchHeader } from "../../src/virtual/scpi/header.js";
import type { TypedMnemonic } from "../../src/virtual/scpi/lexer.js";

/** "SENS1:CURR" → typed mnemonics, as the lexer would produce them. */
function typed(header: string): TypedMnemonic[] {
  return header.split(":").map((word) => {
    const [, name = "", digits = ""] = /^(.*?[A-Za-z_])(\d*)$/.exec(word) ?? [];
    return digits ? { name: name.toUpperCase(), suffix: Number(digits) } : { name: name.toUpperCase() };
  });
}

describe("matchHeader", () => {
  const LEVEL = ":SOURce[1]:VOLTage[:LEVel][:IMMediate][:AMPLitude]";
  const PROTECTION = "[:SENSe[1]]:CURRent[:DC]:PROTection[:LEVel]";
  const WINDOW = ":DISPlay[:WINDow#]:TEXT[:DATA]";
  const TTL = ":SOURce2:TTL";

  it.each([
    [LEVEL, "SOUR:VOLT"],
    [LEVEL, "SOURCE:VOLTAGE"],
    [LEVEL, "SOUR1:VOLT:LEV"],
    [LEVEL, "SOUR:VOLT:IMM:AMPL"],
    [LEVEL, "SOURCE:VOLT:LEVEL:AMPLITUDE"],
    [LEVEL, "SOUR:VOLT:AMPL"],
    [PROTECTION, "SENS:CURR:PROT"],
    [PROTECTION, "CURR:PROT"],
    [PROTECTION, "SENSE1:CURRENT:DC:PROTECTION:LEVEL"],
    [TTL, "SOUR2:TTL"],
  ])("%s accepts %s", (pattern, header) => {
    expect(matchHeader(compilePattern(pattern), typed(header)).kind).toBe("match");
  });

  it.each([
    [LEVEL, "SOU:VOLT", "none"],
    [LEVEL, "SOURC:VOLT", "none"],
    [LEVEL, "VOLT", "none"],
    [LEVEL, "SOUR:VOLT:LEV:LEV", "none"],
    [LEVEL, "SOUR:LEV", "none"],
    [PROTECTION, "SENS:PROT", "none"],
    [TTL, "SOUR:TTL", "bad-suffix"],
    [LEVEL, "SOUR2:VOLT", "bad-suffix"],
    [PROTECTION, "SENS:CURR2:PROT", "bad-suffix"],
    [WINDOW, "DISP:WIND100:TEXT", "bad-suffix"],
  ])("%s refuses %s (%s)", (pattern, header, kind) => {
    expect(matchHeader(compilePattern(pattern), typed(header)).kind).toBe(kind);
  });

  it.each([
    ["DISP:TEXT", [1]],
    ["DISP:WIND:TEXT", [1]],
    ["DISP:WIND2:TEXT:DATA", [2]],
  ])("captures the window number of %s", (header, suffixes) => {
    expect(matchHeader(compilePattern(WINDOW), typed(header))).toEqual({ kind: "match", suffixes });
  });

  it("matches common commands by name only", () => {
    expect(matchHeader(compilePattern("*IDN"), [{ name: "IDN" }]).kind).toBe("match");
  });

  it.each(["[:SOURce", ":SOURce]", ":SOUR ce"])("refuses the malformed pattern %j", (pattern) => {
    expect(() => compilePattern(pattern)).toThrow(SyntaxError);
  });
});
