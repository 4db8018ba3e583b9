/** The virtual 2400's settings: *RST defaults, round trips, and what it refuses (manual §18, Appendix B). */
import { describe, expect, it } from "vitest";
import { k2400 } from "./k2400-helpers.js";

const RESET_STATE: ReadonlyArray<readonly [string, string]> = [
  [":SOUR:FUNC?", "VOLT"],
  [":SOUR:VOLT?", "+0.000000E+00"],
  [":SOUR:CURR?", "+0.000000E+00"],
  [":SOUR:VOLT:RANG?", "+2.100000E+01"],
  [":SOUR:VOLT:RANG:AUTO?", "1"],
  [":SOUR:CURR:RANG?", "+1.050000E-04"],
  [":SOUR:VOLT:MODE?", "FIX"],
  [":SOUR:CURR:MODE?", "FIX"],
  [":SOUR:VOLT:STAR?", "+0.000000E+00"],
  [":SOUR:SWE:POIN?", "2500"],
  [":SOUR:SWE:SPAC?", "LIN"],
  [":SOUR:SWE:DIR?", "UP"],
  [":SOUR:SWE:RANG?", "BEST"],
  [":SOUR:LIST:VOLT?", "+0.000000E+00"],
  [":SOUR:DEL?", "+0.000000E+00"],
  [":SOUR:DEL:AUTO?", "1"],
  [":SOUR:CLE:AUTO?", "0"],
  [":SENS:FUNC:CONC?", "1"],
  [":SENS:FUNC?", '"CURR:DC"'],
  [":SENS:CURR:PROT?", "+1.050000E-04"],
  [":SENS:VOLT:PROT?", "+2.100000E+01"],
  [":SENS:CURR:RANG?", "+1.050000E-04"],
  [":SENS:CURR:RANG:AUTO?", "1"],
  [":SENS:VOLT:RANG?", "+2.100000E+01"],
  [":SENS:RES:RANG?", "+2.100000E+05"],
  [":SENS:RES:MODE?", "AUTO"],
  [":SENS:CURR:NPLC?", "+1.000000E+00"],
  [":SENS:AVER?", "0"],
  [":FORM:ELEM?", "VOLT,CURR,RES,TIME,STAT"],
  [":FORM?", "ASC"],
  [":OUTP?", "0"],
  [":OUTP:SMOD?", "NORM"],
  [":TRIG:COUN?", "1"],
  [":TRIG:DEL?", "+0.000000E+00"],
  [":TRIG:SOUR?", "IMM"],
  [":ARM:COUN?", "1"],
  [":ARM:SOUR?", "IMM"],
  [":SYST:BEEP:STAT?", "1"],
  [":SYST:RSEN?", "0"],
  [":SYST:AZER?", "1"],
  [":SYST:LFR?", "60"],
  [":DISP:ENAB?", "1"],
  [":ROUT:TERM?", "FRON"],
  [":TRAC:FEED:CONT?", "NEV"],
];

describe("identity and defaults", () => {
  it("identifies as a Model 2400", async () => {
    expect(await k2400({ serialNumber: "1234567" }).send("*IDN?")).toBe(
      "KEITHLEY INSTRUMENTS INC.,MODEL 2400,1234567,C30   Mar 17 2006 09:29:29/A02  /K/J",
    );
  });

  it.each(RESET_STATE)("powers on with %s → %s", async (query, reply) => {
    expect(await k2400().send(query)).toBe(reply);
  });

  it("returns to the same state on *RST", async () => {
    const { send, errors } = k2400();
    await send(":SOUR:FUNC CURR;:SOUR:CURR 1e-3;:SENS:FUNC:ALL;:SENS:CURR:NPLC 5;:FORM:ELEM CURR;:OUTP ON");
    await send(":TRIG:COUN 7;:ARM:COUN 3;:SOUR:DEL 0.1;:SYST:RSEN ON;:ROUT:TERM REAR;:SOUR:SWE:POIN 11");
    expect(await errors()).toEqual([]);
    await send("*RST");
    const replies: Array<string | undefined> = [];
    for (const [query] of RESET_STATE) replies.push(await send(query));
    expect(replies).toEqual(RESET_STATE.map(([, reply]) => reply));
  });

  it("starts with the source delay it is given, and *RST restores the manual's", async () => {
    const { send } = k2400({ sourceDelay: 0.05 });
    expect(await send(":SOUR:DEL?;DEL:AUTO?")).toBe("+5.000000E-02;0");
    await send("*RST");
    expect(await send(":SOUR:DEL?;DEL:AUTO?")).toBe("+0.000000E+00;1");
  });
});

describe("settings read back", () => {
  it.each([
    [":SOUR:FUNC CURR", ":SOUR:FUNC?", "CURR"],
    [":SOURCE:FUNCTION:MODE CURRENT", ":SOUR:FUNC:MODE?", "CURR"],
    [":SOUR:VOLT 1.5", ":SOUR:VOLT?;VOLT:RANG?", "+1.500000E+00;+2.100000E+00"],
    [":SOUR:VOLT:LEV:IMM:AMPL -3", ":SOUR:VOLT:LEV?", "-3.000000E+00"],
    [":VOLT 2", ":SOUR:VOLT?", "+2.000000E+00"],
    [":SOUR:VOLT 150mV", ":SOUR:VOLT?", "+1.500000E-01"],
    [":SOUR:CURR 10uA", ":SOUR:CURR?", "+1.000000E-05"],
    [":SOUR:VOLT:RANG 3", ":SOUR:VOLT:RANG?;RANG:AUTO?", "+2.100000E+01;0"],
    [":SOUR:VOLT:RANG 0.1", ":SOUR:VOLT:RANG?", "+2.100000E-01"],
    [":SOUR:VOLT:RANG UP", ":SOUR:VOLT:RANG?", "+2.100000E+02"],
    [":SOUR:VOLT:RANG DOWN", ":SOUR:VOLT:RANG?", "+2.100000E+00"],
    [":SOUR:CURR:RANG 5e-3", ":SOUR:CURR:RANG?", "+1.050000E-02"],
    [":SOUR:CURR:RANG MIN", ":SOUR:CURR:RANG?", "+1.050000E-06"],
    [":SOUR:VOLT:MODE LIST", ":SOUR:VOLT:MODE?", "LIST"],
    [":SOUR:VOLT:STAR 1;STOP 3;:SOUR:SWE:POIN 5", ":SOUR:VOLT:STEP?", "+5.000000E-01"],
    [":SOUR:VOLT:STAR 0;STOP 1;STEP 0.25", ":SOUR:SWE:POIN?", "5"],
    [":SOUR:VOLT:STAR 1;STOP -1;STEP -0.5", ":SOUR:SWE:POIN?", "5"],
    [":SOUR:VOLT:STAR 1;STOP 3", ":SOUR:VOLT:CENT?;SPAN?", "+2.000000E+00;+2.000000E+00"],
    [":SOUR:VOLT:CENT 5;SPAN 4", ":SOUR:VOLT:STAR?;STOP?", "+3.000000E+00;+7.000000E+00"],
    [
      ":SOUR:SWE:SPAC LOG;DIR DOWN;RANG AUTO;CAB EARL",
      ":SOUR:SWE:SPAC?;DIR?;RANG?;CAB?",
      "LOG;DOWN;AUTO;EARL",
    ],
    [
      ":SOUR:LIST:VOLT 1,2;VOLT:APP 3",
      ":SOUR:LIST:VOLT?;VOLT:POIN?",
      "+1.000000E+00,+2.000000E+00,+3.000000E+00;3",
    ],
    [":SOUR:LIST:CURR 1e-3", ":SOUR:LIST:CURR:POIN?", "1"],
    [":SOUR:DEL 0.05", ":SOUR:DEL?;DEL:AUTO?", "+5.000000E-02;0"],
    [":SOUR:DEL 20ms", ":SOUR:DEL?", "+2.000000E-02"],
    [":SOUR:CLE:AUTO ON;AUTO:MODE TCO", ":SOUR:CLE:AUTO?;AUTO:MODE?", "1;TCO"],
    [":SENS:FUNC:CONC OFF;:SENS:FUNC 'RES'", ":SENS:FUNC?", '"RES"'],
    [':SENS:FUNC "VOLTAGE:DC","curr"', ":SENS:FUNC?", '"VOLT:DC","CURR:DC"'],
    [":SENS:FUNC:ALL", ":SENS:FUNC:COUN?;:SENS:FUNC:OFF:COUN?", "3;0"],
    [":SENS:FUNC:ALL;:SENS:FUNC:OFF 'CURR'", ":SENS:FUNC?;:SENS:FUNC:OFF?", '"VOLT:DC","RES";"CURR:DC"'],
    [":SENS:FUNC:OFF:ALL;:SENS:FUNC 'VOLT'", ":SENS:FUNC:STAT? 'VOLT';STAT? 'RES'", "1;0"],
    [":SENS:CURR:RANG 1e-3", ":SENS:CURR:RANG?;RANG:AUTO?", "+1.050000E-03;0"],
    [":SENS:CURR:RANG:AUTO 0;:SENS:CURR:RANG 2e-2", ":SENS:CURR:RANG?", "+1.050000E-01"],
    [":SENS:VOLT:RANG 1", ":SENS:VOLT:DC:RANG:UPP?", "+2.100000E+00"],
    [":SENS:RES:RANG 5e3;:SENS:RES:MODE MAN", ":SENS:RES:RANG?;:SENS:RES:MODE?", "+2.100000E+04;MAN"],
    [":SENS:VOLT:NPLC 0.1", ":SENS:CURR:NPLC?;:SENS:RES:NPLC?", "+1.000000E-01;+1.000000E-01"],
    [":SENS:CURR:PROT 10e-3", ":SENS:CURR:PROT:LEV?", "+1.000000E-02"],
    [":SENS:VOLT:PROT -5", ":SENS:VOLT:PROT?", "-5.000000E+00"],
    [":SENS:CURR:PROT:RSYN ON", ":SENS:VOLT:PROT:RSYN?", "1"],
    [":SENS:AVER ON;AVER:TCON MOV;COUN 4", ":SENS:AVER?;AVER:TCON?;COUN?", "1;MOV;4"],
    [":FORM:ELEM CURR,VOLT", ":FORM:ELEM?", "VOLT,CURR"],
    [":FORM:ELEM:SENS1 TIME", ":FORM:ELEM?", "TIME"],
    [":FORM:DATA ASCII", ":FORM:DATA?", "ASC"],
    [":OUTP ON", ":OUTP?;:OUTP:STAT?", "1;1"],
    [":OUTP:SMOD HIMP", ":OUTP:SMOD?", "HIMP"],
    [":TRIG:COUN 10;:ARM:COUN 5", ":TRIG:COUN?;:ARM:COUN?", "10;5"],
    [":ARM:COUN INF", ":ARM:COUN?", "+9.900000E+37"],
    [":TRIG:SEQ1:DEL 0.5", ":TRIG:DEL?", "+5.000000E-01"],
    [":TRIG:ILIN 3;OLIN 4;OUTP SOUR,SENS", ":TRIG:ILIN?;OLIN?;OUTP?", "3;4;SOUR,SENS"],
    [":ARM:SOUR TIM;TIM 2", ":ARM:SOUR?;TIM?", "TIM;+2.000000E+00"],
    [":SYST:RSEN ON", ":SYST:RSEN?", "1"],
    [":SYST:BEEP:STAT OFF;:SYST:BEEP 440,0.1", ":SYST:BEEP:STAT?", "0"],
    [":SYST:AZER ONCE", ":SYST:AZER:STAT?", "0"],
    [":SYST:LFR 50", ":SYST:LFR?", "50"],
    [":SYST:KEY 12", ":SYST:KEY?", "12"],
    [":DISP:ENAB 0", ":DISP:ENAB?", "0"],
    [":DISP:TEXT 'HELLO';TEXT:STAT ON", ":DISP:TEXT?;TEXT:STAT?", '"HELLO";1'],
    [":DISP:WIND2:TEXT:DATA 'bottom line'", ":DISP:WIND2:TEXT?;:DISP:WIND1:TEXT?", '"bottom line";""'],
    [":ROUT:TERM REAR", ":ROUT:TERM?", "REAR"],
    [":FORM:SREG HEX;:STAT:MEAS:ENAB 512", ":STAT:MEAS:ENAB?", "#H200"],
    [":FORM:SREG BIN;:STAT:OPER:ENAB 5", ":STAT:OPER:ENAB?", "#B101"],
    [":TRAC:POIN 10;:TRAC:TST:FORM DELT", ":TRAC:POIN?;TST:FORM?", "10;DELT"],
    [":TRAC:FEED SENS1", ":DATA:FEED?", "SENS"],
    [":CALC3:FORM SDEV", ":CALC3:FORM?", "SDEV"],
  ])("%s → %s is %s", async (set, query, reply) => {
    const { send, errors } = k2400();
    await send(set);
    expect(await errors()).toEqual([]);
    expect(await send(query)).toBe(reply);
  });

  it.each([
    [":SOUR:VOLT? MAX", "+2.100000E+02"],
    [":SOUR:VOLT? MIN", "-2.100000E+02"],
    [":SOUR:CURR? MAX", "+1.050000E+00"],
    [":SOUR:VOLT:RANG? DEF", "+2.100000E+01"],
    [":SOUR:VOLT:RANG? MIN", "+2.100000E-01"],
    [":SOUR:DEL? MAX", "+9.999999E+02"],
    [":SENS:CURR:PROT? DEF", "+1.050000E-04"],
    [":SENS:CURR:NPLC? MIN", "+1.000000E-02"],
    [":TRIG:COUN? MAX", "2500"],
  ])("%s → %s", async (query, reply) => {
    expect(await k2400().send(query)).toBe(reply);
  });

  it("going to local turns source autorange off and the sourcing mode back to fixed (manual §18)", async () => {
    const { send } = k2400();
    await send(":SOUR:VOLT:MODE SWE;:SYST:LOC");
    expect(await send(":SOUR:VOLT:MODE?;RANG:AUTO?")).toBe("FIX;0");
  });
});

describe("refusals", () => {
  const over100 = Array.from({ length: 101 }, (_, i) => (i / 100).toFixed(2)).join(",");
  it.each([
    [":SOUR:VOLT 211", -222],
    [":SOUR:CURR -1.1", -222],
    [":SOUR:VOLT:RANG 2;:SOUR:VOLT 3", -222],
    [":SOUR:VOLT 5;:SOUR:VOLT:RANG 2", -221],
    [":SOUR:VOLT:RANG 2;:SOUR:VOLT MAX", -221],
    [":SOUR:VOLT:RANG 300", -222],
    [":SOUR:FUNC MEM", -224],
    [":SOUR:FUNC 'VOLT'", -104],
    [":SOUR:VOLT:MODE STEP", -224],
    [":SOUR:VOLT:STAR 0;STOP 1;STEP 2", -221],
    [":SOUR:VOLT:STAR 0;STOP 1;STEP -0.5", -221],
    [":SOUR:VOLT:STAR 0;STOP 1;STEP 1e-4", -221],
    [":SOUR:VOLT:CENT 200;SPAN 40", -222],
    [":SOUR:SWE:POIN 2501", -222],
    [`:SOUR:LIST:VOLT ${over100}`, -223],
    [":SOUR:LIST:VOLT 1,2,300", -222],
    [":SOUR:DEL 1000", -222],
    [":SENS:CURR:NPLC 11", -222],
    [":SENS:CURR:NPLC 0.001", -222],
    [":SENS:CURR:PROT 1e-8", -221],
    [":SENS:CURR:PROT 1e-6;:SENS:CURR:RANG 1", -221],
    [":SENS:CURR:PROT 2", -222],
    [":SENS:FUNC VOLT", -104],
    [":SENS:FUNC 'POWER'", -224],
    [":SENS:FUNC:CONC OFF;:SENS:FUNC 'VOLT','CURR'", -221],
    [":SENS:FUNC:CONC OFF;:SENS:FUNC:ALL", -221],
    [":SENS:AVER:COUN 101", -222],
    [":FORM REAL,32", -224],
    [":FORM:ELEM POWER", -224],
    [":TRIG:COUN 2501", -222],
    [":TRIG:COUN 0", -222],
    [":ARM:COUN 2;:TRIG:COUN 1251", -221],
    [":TRIG:COUN 1000;:ARM:COUN 3", -221],
    [":TRIG:SOUR BUS", -224],
    [":TRAC:FEED:CONT NEXT;:TRAC:POIN 5", -221],
    [":SYST:LFR 55", -224],
    [":SYST:KEY 32", -222],
    [`:DISP:TEXT '${"x".repeat(21)}'`, -223],
    [":DISP:WIND3:TEXT 'x'", -114],
    [":SENS:CURR:DC:PROT:TRIP 1", -113],
  ])("%s → %i", async (message, code) => {
    const { send, errors } = k2400();
    await send(message);
    expect(await errors()).toEqual([code]);
  });

  it("leaves the setting as it was", async () => {
    const { send } = k2400();
    await send(":SOUR:VOLT 2;:SOUR:VOLT 300");
    expect(await send(":SOUR:VOLT?")).toBe("+2.000000E+00");
  });
});
