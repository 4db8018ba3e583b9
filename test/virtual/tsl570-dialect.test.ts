/**
 * The virtual TSL-570's dialect: both command sets, long and short forms,
 * compound messages, unit suffixes, MIN/MAX, the laser's error codes, the
 * output and power commands, and what the instrument was commanded.
 */
import { describe, expect, it } from "vitest";
import { dbmToWatts } from "../../src/virtual/santec-tsl570/ranges.js";
import { IDN, NO_ERROR, tsl570 } from "./tsl570-helpers.js";

describe("identity, command sets and the error queue", () => {
  it("answers *IDN?, *TST? and an empty error queue as the laser does", async () => {
    const { send } = tsl570();
    expect(await send("*IDN?")).toBe(IDN);
    expect(await send("*TST?")).toBe("0");
    expect(await send(":SYST:ERR?")).toBe(NO_ERROR);
    expect(await send(":SYSTem:ALERt?")).toBe("No alerts.");
  });

  it("powers up in the command set it is given (Legacy by default) and switches with :SYST:COMM:COD", async () => {
    const legacy = tsl570();
    expect(await legacy.send(":SYST:COMM:COD?")).toBe("0");
    expect(await legacy.send(":WAV?")).toBe("1550.0000");
    await legacy.send(":SYSTem:COMMunicate:CODe 1");
    expect(legacy.instrument.commandSet).toBe("SCPI");
    expect(await legacy.send(":WAV?")).toBe("+1.55000000E-006");
    const scpi = tsl570({ commandSet: "SCPI" });
    expect(await scpi.send(":SYST:COMM:COD?")).toBe("1");
  });

  it.each([
    [":NOPE", -113],
    [":WAV2 1550", -113], // a numeric suffix the header does not take: SCPI's -114, the laser's -113
    ["*WAI", -113], // not among Santec's common commands
    ["*OPC", -113],
    [":WAV 1700", -222],
    [":WAV 1479.9999", -222],
    [":WAV abc", -148],
    [":WAV 1550nm", -102], // Legacy takes no unit suffix
    [":WAV:SWE:SPE 3", -222],
    [":WAV:SWE:MOD 4", -222],
    [":POW:STAT", -109],
    [":POW:STAT 1,2", -108],
    [":POW:STAT ON", -148],
    [":POW 14", -222],
    [":POW -15.01", -222],
    [":WAV:SWE:DWEL 1000", -222],
    [":WAV:SWE:CYCL 1000", -222],
    [":TRIG:OUTP 4", -222],
    [':WAV "1550"', -102],
    [":WAV? FOO", -148],
  ])("%s queues %i", async (line, code) => {
    const { send, errors, instrument } = tsl570();
    await send(line);
    expect(await errors()).toEqual([code]);
    expect(instrument.errors).toEqual([]);
  });

  it("answers :SYST:ERR? with the laser's text for a folded code", async () => {
    const { send } = tsl570();
    await send(":WAV 1550,1551");
    await send(":WAV 1700");
    await send(":WAV X");
    expect(await send(":SYST:ERR?")).toBe('-108,"Parameter not allowed"');
    expect(await send(":SYST:ERR?")).toBe('-222,"Data out of range"');
    expect(await send(":SYST:ERR?")).toBe('-148,"Character data not allowed"');
    expect(await send(":SYST:ERR?")).toBe(NO_ERROR);
  });

  it("leaves a setting as it was when a value is out of range", async () => {
    const { send, instrument } = tsl570();
    await send(":WAV 1600");
    await send(":WAV 1700");
    expect(await send(":WAV?")).toBe("1600.0000");
    expect(instrument.wavelengthSetpoint).toBeCloseTo(1600e-9, 18);
    await send(":WAV:SWE:SPE 20");
    await send(":WAV:SWE:SPE 150");
    expect(await send(":WAV:SWE:SPE?")).toBe("20.0");
  });

  it("*CLS empties the queue; *RST empties it, stops a sweep and keeps every setting", async () => {
    const { send, errors, instrument } = tsl570();
    await send(":NOPE");
    await send("*CLS");
    expect(await errors()).toEqual([]);
    await send(":POW:UNIT 1;:POW 2;:WAV:SWE:SPE 50;:POW:STAT 1;:WAV:SWE 1");
    await send(":NOPE");
    expect(await send(":WAV:SWE?")).toBe("4");
    await send("*RST");
    expect(await errors()).toEqual([]);
    expect(await send(":WAV:SWE?")).toBe("0");
    expect(await send(":POW:UNIT?;:POW?;:WAV:SWE:SPE?;:POW:STAT?")).toBe("1;2.00;50.0;1");
    expect(instrument.outputEnabled).toBe(true);
  });
});

describe("long and short forms, Legacy (nm, THz, dBm, s)", () => {
  it.each([
    [":WAVelength 1555.1234", ":WAV?", "1555.1234"],
    [":wav 1555.12344", ":wavelength?", "1555.1234"],
    [":WAV MAX", ":WAV?", "1640.0000"],
    [":WAV 1550", ":WAV? MIN", "1480.0000"],
    [":WAV 1550", ":WAV:MINimum?;:WAV:MAXimum?", "1480.0000;1640.0000"],
    [":WAVelength:FREQuency 193.1", ":WAV?", "1552.5244"],
    [":FREQ 193.1", ":FREQuency?;:WAV:FREQ?", "193.10000;193.10000"],
    [":FREQ 193.1", ":FREQ:MIN?;:FREQ:MAX?", "182.80028;202.56247"],
    [":WAV:UNIT 1", ":WAVelength:UNIT?", "1"],
    [":WAV:FIN -12.346", ":WAVelength:FINe?", "-12.35"],
    [":WAV:FIN 50;:WAVelength:FINetuning:DISable", ":WAV:FIN?", "0.00"],
    [":POWer 5.555", ":POW?", "5.56"],
    [":POW:UNIT 1;:POW 2.5", ":POWer?", "2.50"],
    [":POW:UNIT 1;:POW 10", ":POW:UNIT 0;:POW?", "10.00"],
    [":POW 3", ":POW? MAX;:POW? MIN", "13.00;-15.00"],
    [":POW:UNIT 1", ":POW? MAX;:POW? MIN", "20.00;0.04"],
    [":POW:ATT 12.345", ":POWer:ATTenuation?", "12.35"],
    [":POW:ATT:AUTo 0", ":POW:ATT:AUT?", "0"],
    [
      ":WAV:SWE:STAR 1500;:WAV:SWE:STOP 1510",
      ":WAVelength:SWEep:STARt?;:WAVelength:SWEep:STOP?",
      "1500.0000;1510.0000",
    ],
    [":WAV:SWE:STEP 0.0012", ":WAV:SWE:STEP?", "0.0012"],
    [":WAV:SWE:STAR 1500;:FREQ:SWE:STEP 0.1", ":WAV:SWE:STEP?", "0.7505"],
    [":FREQ:SWE:STAR 199.86164", ":WAV:SWE:STAR?", "1500.0000"],
    [":WAV:SWE:RANG:MIN?", ":WAVelength:SWEep:RANGe:MAXimum?", "1640.0000"],
    [":FREQ:SWE:RANG:MIN?", ":FREQuency:SWEep:RANGe:MAXimum?", "202.56247"],
    [":WAV:SWE:MOD 2", ":WAVelength:SWEep:MODe?", "2"],
    [":WAV:SWE:SPE 200", ":WAVelength:SWEep:SPEed?", "200.0"],
    [":WAV:SWE:DWEL 1.25", ":WAVelength:SWEep:DWELl?", "1.3"],
    [":WAV:SWE:DEL 999.9", ":WAVelength:SWEep:DELay?", "999.9"],
    [":WAV:SWE:CYCL 7", ":WAVelength:SWEep:CYCLes?", "7"],
    [":TRIG:OUTP 2", ":TRIGger:OUTPut?", "2"],
    [":TRIG:OUTP:STEP 0.001", ":TRIGger:OUTPut:STEP?", "0.0010"],
    [":TRIG:OUTP:SETT 1", ":TRIGger:OUTPut:SETTing?", "1"],
    [":TRIG:INP:STAN 1", ":TRIGger:INPut:STANdby?", "1"],
    [":COHCtrl 1", ":COHC?", "1"],
  ])("%s, then %s → %s", async (set, query, reply) => {
    const { send, errors } = tsl570();
    await send(set);
    expect(await send(query)).toBe(reply);
    expect(await errors()).toEqual([]);
  });

  it("resolves relative headers from the previous one's path in a compound message", async () => {
    const { send } = tsl570();
    expect(await send(":WAV:SWE:STAR 1500;STOP 1510;STAR?;STOP?;:POW:UNIT?;*OPC?;:WAV:SWE?")).toBe(
      "1500.0000;1510.0000;0;1;0",
    );
  });
});

describe("SCPI (m, Hz, unit suffixes; +d.dddddddd E±ddd)", () => {
  it.each([
    [":WAV 1550NM", ":WAV?", "+1.55000000E-006"],
    [":WAV 1.5512345e-6", ":WAV?", "+1.55123450E-006"],
    [":WAV 1551234.5PM", ":WAVelength?", "+1.55123450E-006"],
    [":WAV 1.5601UM", ":WAV?", "+1.56010000E-006"],
    [":WAV MIN", ":WAV?", "+1.48000000E-006"],
    [":FREQ 193.1THZ", ":FREQ?", "+1.93100000E+014"],
    [":WAV:FREQ 193100GHZ", ":WAV:FREQ?", "+1.93100000E+014"],
    [":FREQ 1.931e14", ":WAV?", "+1.55252438E-006"],
    [":POW 5", ":POW?", "+5.00000000E+000"],
    [":POW 1MW", ":POW?", "+0.00000000E+000"],
    [":POW -3DBM", ":POW?", "-3.00000000E+000"],
    [":POW:UNIT 1;:POW 500UW", ":POW?", "+5.00000000E-001"],
    [":WAV:SWE:STEP 1PM", ":WAV:SWE:STEP?", "+1.00000000E-012"],
    [":TRIG:OUTP:STEP 0.0010nm", ":TRIG:OUTP:STEP?", "+1.00000000E-012"],
    [":WAV:SWE:DWEL 500MS", ":WAV:SWE:DWEL?", "+5.00000000E-001"],
    [":WAV:SWE:SPE 50", ":WAV:SWE:SPE?", "+5.00000000E+001"],
    [":WAV:SWE:STAR 1500NM", ":WAV:SWE:RANG:MIN?", "+1.48000000E-006"],
    [":WAV:SWE:MOD 3", ":WAV:SWE:MOD?", "3"],
  ])("%s, then %s → %s", async (set, query, reply) => {
    const { send, errors } = tsl570({ commandSet: "SCPI" });
    await send(set);
    expect(await send(query)).toBe(reply);
    expect(await errors()).toEqual([]);
  });

  it.each([
    [":WAV 1550", -222], // 1550 m
    [":WAV 1550HZ", -102],
    [":WAV:SWE:SPE 10NM", -102], // speeds are nm/s without a suffix in both sets
    [":POW 30MW", -222],
  ])("%s queues %i", async (line, code) => {
    const { send, errors } = tsl570({ commandSet: "SCPI" });
    await send(line);
    expect(await errors()).toEqual([code]);
  });
});

describe("the output: :POWer:STATe and :POWer:SHUTter act on one state, with inverted parameters", () => {
  it("lets light out with :POW:STAT 1 or :POW:SHUT 0, and stops it with :POW:STAT 0 or :POW:SHUT 1", async () => {
    const { send, instrument, clock } = tsl570();
    const power = () => instrument.lightAt(clock.now() + 1).power;
    expect(instrument.outputEnabled).toBe(false);
    expect(power()).toBe(0);
    await send(":POW:SHUT 0");
    expect(await send(":POW:STAT?;:POW:SHUT?")).toBe("1;0");
    expect(instrument.outputEnabled).toBe(true);
    expect(instrument.shutterOpen).toBe(true);
    expect(power()).toBeCloseTo(1e-3, 15);
    await send(":POW:STAT 0");
    expect(await send(":POW:SHUT?")).toBe("1");
    expect(power()).toBe(0);
    await send(":POW:STATe 1");
    expect(instrument.shutterOpen).toBe(true);
  });

  it("emits the setpoint in watts whatever the unit, and peak less attenuation in manual control", async () => {
    const { send, instrument, clock } = tsl570();
    await send(":POW:STAT 1;:POW:UNIT 1;:POW 2");
    expect(instrument.powerSetpoint).toBeCloseTo(2e-3, 15);
    expect(instrument.lightAt(clock.now() + 1).power).toBeCloseTo(2e-3, 15);
    await send(":POW:UNIT 0;:POW -10");
    expect(instrument.lightAt(clock.now() + 1).power).toBeCloseTo(1e-4, 15);
    await send(":POW:ATT 10;:POW:ATT:AUTO 0");
    expect(instrument.outputPower).toBeCloseTo(dbmToWatts(3), 15);
    expect(await send(":POW:ACT?")).toBe("3.00");
    expect(await send(":POW?")).toBe("-10.00");
  });

  it("monitors the power it emits (:POW:ACT?), and its floor with the output off", async () => {
    const { send } = tsl570();
    await send(":POW 7.5");
    expect(await send(":POW:ACT?")).toBe("-40.00");
    await send(":POW:STAT 1");
    expect(await send(":POW:ACT?")).toBe("7.50");
    await send(":POW:UNIT 1");
    expect(await send(":POW:ACT?")).toBe("5.62");
  });
});

describe("sweep settings", () => {
  it.each([1, 2, 5, 10, 20, 50, 100, 200])("takes %i nm/s", async (speed) => {
    const { send, errors, instrument } = tsl570();
    await send(`:WAV:SWE:SPE ${speed}`);
    expect(await errors()).toEqual([]);
    expect(instrument.settings.sweep.speed).toBeCloseTo(speed * 1e-9, 18);
  });

  it.each([0, 0.5, 3, 15, 150, 201, 500])("refuses %s nm/s with -222", async (speed) => {
    const { send, errors } = tsl570();
    await send(`:WAV:SWE:SPE ${speed}`);
    expect(await errors()).toEqual([-222]);
  });

  it("refuses changes to a sweep and to the wavelength while one is under way (-200), and takes them after", async () => {
    const { send, errors } = tsl570();
    await send(":WAV:SWE:STAR 1549;:WAV:SWE:STOP 1549.1;:WAV:SWE:SPE 200;:WAV:SWE 1");
    await send(":WAV:SWE:SPE 100");
    await send(":WAV 1560");
    await send(":WAV:SWE 1");
    expect(await errors()).toEqual([-200, -200, -200]);
    await send(":WAV:SWE 0");
    await send(":WAV:SWE:SPE 100;:WAV 1560");
    expect(await errors()).toEqual([]);
  });

  it("refuses to start a sweep whose start and stop are the same (-200)", async () => {
    const { send, errors } = tsl570();
    await send(":WAV:SWE:STAR 1550;:WAV:SWE:STOP 1550;:WAV:SWE 1");
    expect(await errors()).toEqual([-200]);
    expect(await send(":WAV:SWE?")).toBe("0");
  });
});
