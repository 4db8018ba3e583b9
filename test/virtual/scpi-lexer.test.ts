import { describe, expect, it } from "vitest";
import { ScpiError } from "../../src/virtual/scpi/errors.js";
import { type ParamToken, parseUnit, splitUnits } from "../../src/virtual/scpi/lexer.js";

const unit = (text: string) => parseUnit({ text, unterminatedString: false });
const codeOf = (f: () => unknown): number | undefined => {
  try {
    f();
  } catch (error) {
    if (error instanceof ScpiError) return error.code;
    throw error;
  }
  return undefined;
};

describe("splitUnits", () => {
  it.each([
    ["*IDN?", ["*IDN?"]],
    [":SOUR:VOLT 1;:READ?", [":SOUR:VOLT 1", ":READ?"]],
    [":DISP:TEXT 'a;b';*OPC?", [":DISP:TEXT 'a;b'", "*OPC?"]],
    [':DISP:TEXT "say ""hi;"" twice";X', [':DISP:TEXT "say ""hi;"" twice"', "X"]],
    [":CALC3:DATA?;", [":CALC3:DATA?", ""]],
  ])("%j → %j", (message, texts) => {
    expect(splitUnits(message).map((u) => u.text)).toEqual(texts);
  });

  it("flags the unit whose string the message never closed", () => {
    expect(splitUnits(":A 1;:DISP:TEXT 'open;still open")).toEqual([
      { text: ":A 1", unterminatedString: false },
      { text: ":DISP:TEXT 'open;still open", unterminatedString: true },
    ]);
  });
});

describe("parseUnit headers", () => {
  it.each([
    ["*IDN?", { absolute: false, common: true, query: true, mnemonics: [{ name: "IDN" }] }],
    [":*CLS", { absolute: true, common: true, query: false, mnemonics: [{ name: "CLS" }] }],
    [
      ":sour:Volt:LEV",
      {
        absolute: true,
        common: false,
        query: false,
        mnemonics: [{ name: "SOUR" }, { name: "VOLT" }, { name: "LEV" }],
      },
    ],
    [
      "sens1:curr:prot?",
      {
        absolute: false,
        common: false,
        query: true,
        mnemonics: [{ name: "SENS", suffix: 1 }, { name: "CURR" }, { name: "PROT" }],
      },
    ],
    [
      ":CALC3:DATA?",
      {
        absolute: true,
        common: false,
        query: true,
        mnemonics: [{ name: "CALC", suffix: 3 }, { name: "DATA" }],
      },
    ],
    ["  \t:OUTP", { absolute: true, common: false, query: false, mnemonics: [{ name: "OUTP" }] }],
  ])("%j", (text, header) => {
    expect(unit(text)?.header).toEqual(header);
  });

  it("treats an empty unit as nothing to do", () => {
    expect(unit("   ")).toBeUndefined();
  });

  it.each([
    [":SOUR::VOLT 1", -102],
    [":SOUR:VOLT:", -102],
    ["1234", -102],
    ["*IDN?x", -111],
    [":SOUR:VOLT,1", -111],
    [":ABCDEFGHIJKLM 1", -112],
    [":SOUR\u0007:VOLT 1", -101],
    [":SOUR:VOLT 1\u00e9", -101],
  ])("%j fails with %i", (text, code) => {
    expect(codeOf(() => unit(text))).toBe(code);
  });
});

describe("parseUnit parameters", () => {
  const params = (text: string): readonly ParamToken[] => unit(`:X ${text}`)?.params ?? [];

  it.each<[string, ParamToken[]]>([
    ["1", [{ kind: "number", value: 1 }]],
    ["-1.5e-3", [{ kind: "number", value: -1.5e-3 }]],
    ["+.5", [{ kind: "number", value: 0.5 }]],
    ["5.", [{ kind: "number", value: 5 }]],
    ["1 E 3", [{ kind: "number", value: 1000 }]],
    ["10mV", [{ kind: "number", value: 10, suffix: "MV" }]],
    ["10 uA", [{ kind: "number", value: 10, suffix: "UA" }]],
    ["#H1F", [{ kind: "number", value: 31 }]],
    ["#q17", [{ kind: "number", value: 15 }]],
    ["#B101", [{ kind: "number", value: 5 }]],
    ["on", [{ kind: "chars", value: "ON" }]],
    ["MAXimum", [{ kind: "chars", value: "MAXIMUM" }]],
    ["'it''s'", [{ kind: "string", value: "it's" }]],
    [
      '"VOLT","CURR"',
      [
        { kind: "string", value: "VOLT" },
        { kind: "string", value: "CURR" },
      ],
    ],
    [
      "0.1, 0.2 ,0.3",
      [
        { kind: "number", value: 0.1 },
        { kind: "number", value: 0.2 },
        { kind: "number", value: 0.3 },
      ],
    ],
    [
      "VOLT,CURR,RES",
      [
        { kind: "chars", value: "VOLT" },
        { kind: "chars", value: "CURR" },
        { kind: "chars", value: "RES" },
      ],
    ],
  ])("%j", (text, tokens) => {
    expect(params(text)).toEqual(tokens);
  });

  it.each([
    ["1 2", -103],
    ["1,", -109],
    ["1,,2", -109],
    ["-", -102],
    ["@", -102],
    ["1.2.3", -121],
    ["1x2", -121],
    ["#HXYZ", -121],
    ["#15abcde", -168],
    ["(@1)", -178],
    ["ABCDEFGHIJKLM", -144],
    ["1e40000", -123],
    [`1${"0".repeat(300)}`, -124],
  ])("%j fails with %i", (text, code) => {
    expect(codeOf(() => params(text))).toBe(code);
  });

  it("refuses a unit whose string is unterminated (-151)", () => {
    expect(codeOf(() => parseUnit({ text: ":DISP:TEXT 'open", unterminatedString: true }))).toBe(-151);
  });
});
