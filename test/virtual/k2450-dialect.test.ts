/** The virtual 2450's SCPI dialect: forms, compound messages, its error entries, buffers and elements. */
import { describe, expect, it } from "vitest";
import { nr3 } from "../../src/virtual/scpi/format.js";
import { k2450 } from "./k2450-helpers.js";

const IDN = "KEITHLEY INSTRUMENTS,MODEL 2450,04501234,1.7.12b";

describe("identity and language", () => {
  it("answers *IDN? and *LANG? SCPI", async () => {
    const { send } = k2450();
    expect(await send("*IDN?")).toBe(IDN);
    expect(await send("*LANG?")).toBe("SCPI");
  });

  it("in TSP mode answers *LANG? TSP and *IDN?, and nothing else", async () => {
    const { send, instrument } = k2450({ language: "TSP" });
    expect(await send("*LANG?")).toBe("TSP");
    expect(await send("*IDN?")).toBe(IDN);
    expect(await send(":SYST:ERR?")).toBeUndefined();
    expect(await send(":READ?")).toBeUndefined();
    expect(instrument.errors.map((e) => e.code)).toEqual([-113, -113]);
  });
});

describe("long and short forms", () => {
  it.each([
    [":SOURce1:FUNCtion:MODE CURRent", ":SOUR:FUNC?", "CURR"],
    [":sour:func volt", ":SOURce:FUNCtion?", "VOLT"],
    [":SOURce:VOLTage:LEVel:IMMediate:AMPLitude 1.5", ":SOUR:VOLT?", "1.500000E+00"],
    [":SOUR:VOLT 1500mV", ":SOUR:VOLT:LEV?", "1.500000E+00"],
    [":SOUR:CURR -2e-3", ":SOURce:CURRent?", "-2.000000E-03"],
    [":SOUR:VOLT:ILIM 0.02", ":SOUR:VOLT:ILIMit:LEVel?", "2.000000E-02"],
    [":SOUR:CURR:VLIM 5", ":SOUR:CURR:VLIM?", "5.000000E+00"],
    [":SOUR:VOLT:RANG 2", ":SOUR:VOLT:RANG?;:SOUR:VOLT:RANG:AUTO?", "2.000000E+00;0"],
    [":SOUR:VOLT:RANG 3", ":SOUR:VOLT:RANG?", "2.000000E+01"],
    [":SOUR:VOLT:READ:BACK OFF", ":SOUR:VOLT:READ:BACK?", "0"],
    [":SOUR:VOLT:DEL 0.05", ":SOUR:VOLT:DEL?;:SOUR:VOLT:DEL:AUTO?", "5.000000E-02;0"],
    [':SENSe1:FUNCtion:ON "VOLTage"', ":SENS:FUNC?", '"VOLT:DC"'],
    [":SENS:FUNC 'RES'", ":SENSe:FUNCtion?", '"RES"'],
    [':FUNC "CURR:DC"', ":FUNC?", '"CURR:DC"'],
    [":SENS:CURR:RANG 1e-6", ":SENS:CURR:RANG:UPP?;:SENS:CURR:RANG:AUTO?", "1.000000E-06;0"],
    [":SENS:VOLT:NPLC 0.1", ":SENS:VOLT:NPLCycles?;:SENS:CURR:NPLC?", "1.000000E-01;1.000000E+00"],
    [":SENS:COUN 5", ":SENSe:COUNt?", "5"],
    [":SENS:RES:RSEN ON", ":SENS:RES:RSENse?", "1"],
    [":OUTPut1:STATe ON", ":OUTP?", "1"],
    [":ROUT:TERM REAR", ":ROUTe:TERMinals?", "REAR"],
    [":SYST:BEEP 440, 0.1", "*OPC?", "1"],
  ])("%s, then %s → %s", async (set, query, reply) => {
    const { send, errors } = k2450();
    await send(set);
    expect(await send(query)).toBe(reply);
    expect(await errors()).toEqual([]);
  });

  it("answers the queries of one compound message together, `;`-separated", async () => {
    const { send } = k2450();
    expect(await send(":SOUR:VOLT 2;:SOUR:VOLT?;VOLT:ILIM 1e-3;ILIM?;*LANG?")).toBe(
      "2.000000E+00;1.000000E-03;SCPI",
    );
  });

  it.each([
    [':SENS:FUNC "TEMP"', -224],
    [":SENS:FUNC CURR", -104],
    [":SOUR:VOLT 300", -222],
    [":SOUR:FUNC MEM", -224],
    [":SOUR:VOLT:ILIM 2", -222],
    [":NOPE", -113],
    [':READ? "nosuchbuffer"', -224],
    [':READ? "defbuffer1", FORMatted', -224],
    [":TRAC:DATA? 1, 1", -222],
    [":TRAC:DATA?", -109],
  ])("%s → %i", async (message, code) => {
    const { send, errors } = k2450();
    await send(message);
    expect(await errors()).toEqual([code]);
  });
});

describe("the error queue's extended entries", () => {
  it('answers 0,"No error;0;0 0" when empty', async () => {
    const { send } = k2450();
    expect(await send(":SYST:ERR?")).toBe('0,"No error;0;0 0"');
    expect(await send(":SYSTem:ERRor:NEXT?")).toBe('0,"No error;0;0 0"');
  });

  it("gives an error its event type and its time stamp on the bench clock's calendar", async () => {
    const { send, clock } = k2450({ epochMs: Date.UTC(2025, 5, 30, 23, 59, 59) });
    await clock.sleep(0.5);
    await send(":NOPE");
    await send(":SOUR:VOLT 1e6");
    expect(await send(":SYST:ERR:COUN?")).toBe("2");
    // Queued at 0.5 s + the 0.5 ms command latency, stamped to the millisecond.
    expect(await send(":SYST:ERR?")).toMatch(/^-113,"Undefined header;1;2025\/06\/30 23:59:59\.50[01]"$/);
    expect(await send(":SYST:ERR?")).toMatch(/^-222,"Data out of range;1;2025\/06\/30 23:59:59\.50\d"$/);
    expect(await send(":SYST:ERR?")).toBe('0,"No error;0;0 0"');
  });

  it("clears with :SYST:ERR:CLE and *CLS", async () => {
    const { send } = k2450();
    await send(":NOPE");
    await send(":SYST:ERR:CLE");
    expect(await send(":SYST:ERR:COUN?")).toBe("0");
    await send(":NOPE");
    await send("*CLS");
    expect(await send(":SYST:ERR:COUN?")).toBe("0");
  });
});

describe("buffers and elements", () => {
  const setUp = ':SOUR:VOLT 1;:SOUR:VOLT:ILIM 0.01;:SENS:FUNC "CURR";:OUTP ON';

  it.each([
    [
      "READ, SOUR, REL",
      (r: string[]) => expect(r.slice(0, 3)).toEqual(["1.000000E-03", "1.000000E+00", "0.000000E+00"]),
    ],
    ["REL, READ", (r: string[]) => expect(r).toEqual(["0.000000E+00", "1.000000E-03"])],
    ["SOUR, UNIT, SOURUNIT", (r: string[]) => expect(r).toEqual(["1.000000E+00", "Amp DC", "Volt DC"])],
    // Front terminals (STAT_TERMINAL, 8); the output on (STAT_OUTPUT, 128): the manual's TSP buffer status bits.
    ["STAT, SOURSTAT", (r: string[]) => expect(r).toEqual(["8", "128"])],
    [
      "DATE, TIME",
      (r: string[]) => expect(r).toEqual(["01/01/2026", expect.stringMatching(/^00:00:00\.\d{9}$/)]),
    ],
    [
      "SEC, FRAC",
      (r: string[]) => expect(Number(r[0]) + Number(r[1])).toBeCloseTo(Date.UTC(2026, 0, 1) / 1000, 0),
    ],
  ])(':READ? "defbuffer1", %s answers the elements in that order', async (elements, check) => {
    const { send } = k2450();
    await send(setUp);
    check(((await send(`:READ? "defbuffer1", ${elements}`)) ?? "").split(","));
  });

  it(":READ? with no arguments is the reading alone, stored in defbuffer1; :FETCh? repeats it", async () => {
    const { send } = k2450();
    await send(setUp);
    expect(await send(":READ?")).toBe("1.000000E-03");
    expect(await send(":FETCh?")).toBe("1.000000E-03");
    expect(await send(':TRAC:ACT? "defbuffer1";:TRAC:ACT?;:TRAC:ACT:STAR?;:TRAC:ACT:END?')).toBe("1;1;1;1");
    expect(await send(':TRAC:ACT? "defbuffer2"')).toBe("0");
  });

  it(":SENS:COUN n takes n readings into the buffer and returns the last", async () => {
    const { send } = k2450();
    await send(`${setUp};:SENS:COUN 4`);
    expect(await send(':READ? "defbuffer2", READ')).toBe("1.000000E-03");
    expect(await send(':TRAC:ACT? "defbuffer2"')).toBe("4");
  });

  it(":TRAC:DATA? reads an index range, with the elements asked", async () => {
    const { send } = k2450();
    await send(setUp);
    for (const v of [1, 2, 3]) await send(`:SOUR:VOLT ${v};:READ?`);
    expect(await send(':TRAC:DATA? 2, 3, "defbuffer1", SOUR, READ')).toBe(
      "2.000000E+00,2.000000E-03,3.000000E+00,3.000000E-03",
    );
    expect(await send(":TRAC:DATA? 1, 1")).toBe("1.000000E-03");
    expect(await send(":TRAC:DATA? 3, 4")).toBeUndefined();
    expect(await send(":TRAC:DATA? 3, 2")).toBeUndefined();
    await send(':TRAC:CLE "defbuffer1"');
    expect(await send(":TRAC:ACT?;:TRAC:ACT:STAR?")).toBe("0;0");
    expect(await send(":FETC?")).toBeUndefined();
  });

  it("keeps a buffer to its :TRAC:POIN capacity, the oldest readings dropped", async () => {
    const { send } = k2450();
    expect(await send(":TRAC:POIN?")).toBe("100000");
    await send(`${setUp};:TRAC:POIN 10`);
    for (let v = 1; v <= 12; v++) await send(`:SOUR:VOLT ${v / 10};:READ?`);
    expect(await send(":TRAC:ACT?")).toBe("10");
    expect(await send(':TRAC:DATA? 1, 1, "defbuffer1", SOUR')).toBe("3.000000E-01");
  });

  it("makes and deletes user buffers, and reads statistics of a buffer", async () => {
    const { send, errors } = k2450();
    await send(`${setUp};:TRAC:MAKE "mine", 100`);
    for (const v of [1, 3]) await send(`:SOUR:VOLT ${v};:READ? "mine"`);
    expect(await send(':TRAC:ACT? "mine";:TRAC:ACT?')).toBe("2;0");
    expect(await send(':TRAC:STAT:AVER? "mine";:TRAC:STAT:MAX? "mine";:TRAC:STAT:STDD? "mine"')).toBe(
      `2.000000E-03;3.000000E-03;${nr3(Math.SQRT2 * 1e-3, 6, false)}`,
    );
    await send(':TRAC:DEL "mine"');
    await send(':TRAC:ACT? "mine"');
    await send(':TRAC:DEL "defbuffer1"');
    expect(await errors()).toEqual([-224, -221]);
  });

  it("*RST clears the buffers and deletes user buffers", async () => {
    const { send, errors } = k2450();
    await send(`${setUp};:TRAC:MAKE "mine", 100;:READ?`);
    await send("*RST");
    expect(await send(":TRAC:ACT?;:OUTP?;:SENS:FUNC?")).toBe('0;0;"CURR:DC"');
    await send(':TRAC:ACT? "mine"');
    expect(await errors()).toEqual([-224]);
  });
});
