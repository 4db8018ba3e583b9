/** The virtual PM100USB's SCPI dialect: forms, compound messages, its error queue, the sensor head's identity, no head. */
import { describe, expect, it } from "vitest";
import { S144C, SENSOR_FLAG } from "../../src/virtual/thorlabs-pm100/index.js";
import { IDN, NO_ERROR, pm100, pymeasure2017Flags, pymeasureSensor, S144C_IDN } from "./pm100-helpers.js";

describe("identity", () => {
  it("answers *IDN? as THORLABS,<model>,<serial>,<firmware>, and SCPI version 1999.0", async () => {
    const { send } = pm100();
    expect(await send("*IDN?")).toBe(IDN);
    expect(await send("SYST:VERS?")).toBe("1999.0");
    expect(await send("*TST?")).toBe("0");
  });
});

describe("long and short forms", () => {
  it.each([
    ["SENS:CORR:WAV 1310", "SENS:CORR:WAV?", "1.310000E+03"],
    ["SENSE1:CORRECTION:WAVELENGTH 1.31e3", "sense:corr:wav?", "1.310000E+03"],
    ["CORR:WAV 1064.5NM", "CORRection:WAVelength?", "1.064500E+03"],
    ["SENS:CORR:WAV MAX", "SENS:CORR:WAV?", "1.700000E+03"],
    ["SENS:AVER 10", "SENS:AVER:COUN?", "10"],
    ["SENSe:AVERage:COUNt 5", "AVER?", "5"],
    ["SENS:POW:UNIT DBM", "SENS:POW:DC:UNIT?", "DBM"],
    ["POW:RANG:AUTO OFF", "SENS:POW:RANG:AUTO?", "0"],
    // 1e-4 W at 9.8 mA/W is 0.98 µA: the 5 µA range, 5 µA / 9.8 mA/W full scale.
    ["SENS:POW:RANG 1e-4", "SENS:POW:RANG:UPP?;AUTO?", "5.102041E-04;0"],
    ["SENS:POW:RANG 100UW", "SENS:CURR:RANG?", "5.000000E-06"],
    ["SENS:CURR:DC:RANG:UPP 1e-6", "SENS:CURR:RANG?;:SENS:CURR:RANG:AUTO?", "5.000000E-06;0"],
    ["SENS:CURR:RANG MAX", "SENS:CURR:RANG?", "5.000000E-03"],
    ["CORR 3", "SENS:CORR:LOSS:INP:MAGN?", "3.000000E+00"],
    ["SENS:CORR:BEAM 2", "CORR:BEAMdiameter?", "2.000000E+00"],
    ["CONF:CURR", "CONF?", "CURR"],
    ["CONFigure:SCALar:POWer", "CONFigure?", "POW"],
    ["INP:PDI:FILT:LPAS:STAT 1", "INP:FILT?", "1"],
    ["SYST:LFR 60", "SYST:LFR?", "60"],
    ["SYST:BEEP:STAT OFF", "SYST:BEEP:STAT?", "0"],
    ["STAT:OPER:ENAB 512", "STAT:OPER:ENAB?;PTR?;NTR?", "512;32767;0"],
    ["STAT:OPER:PTR 512;NTR 0", "STAT:OPER:PTR?", "512"],
  ])("%s, then %s → %s", async (set, query, reply) => {
    const { send, errors } = pm100();
    await send(set);
    expect(await send(query)).toBe(reply);
    expect(await errors()).toEqual([]);
  });

  it.each([
    ["SENS:CORR:WAV? MIN", "8.000000E+02"],
    ["SENS:CORR:WAV? MAXimum", "1.700000E+03"],
    ["SENS:AVER? MAX", "32767"],
    ["SENS:CURR:RANG? MIN", "5.000000E-08"],
    ["SENS:POW:RANG? MAX", "5.102041E-01"],
    ["SENS:CORR:BEAM? MAX", "5.000000E+00"],
    ["SENS:CORR:POW:PDI:RESP?", "9.800000E-03"],
  ])("%s → %s", async (query, reply) => {
    const { send } = pm100();
    expect(await send(query)).toBe(reply);
  });

  it("steps the range UP and DOWN", async () => {
    const { send } = pm100();
    await send("SENS:CURR:RANG 1e-6;RANG UP");
    expect(await send("SENS:CURR:RANG?")).toBe("5.000000E-05");
    await send("SENS:CURR:RANG DOWN;RANG DOWN;RANG DOWN;RANG DOWN");
    expect(await send("SENS:CURR:RANG?")).toBe("5.000000E-08");
  });

  it("answers the queries of one compound message together, `;`-separated, resolving relative headers", async () => {
    const { send } = pm100();
    expect(await send("SENS:CORR:WAV 1310;WAV?;:SENS:AVER 3;AVER?;:CONF?;*IDN?")).toBe(
      `1.310000E+03;3;POW;${IDN}`,
    );
  });

  it("*RST restores the head's default wavelength, averaging 1, autorange and W", async () => {
    const { send, instrument } = pm100();
    await send("SENS:CORR:WAV 1310;:SENS:AVER 50;:SENS:POW:RANG 1e-3;:SENS:POW:UNIT DBM;:CONF:CURR");
    await send("*RST");
    expect(instrument.correctionWavelength).toBeCloseTo(1550e-9, 18);
    expect([instrument.averageCount, instrument.rangeAutoEnabled, instrument.powerUnit]).toEqual([
      1,
      true,
      "W",
    ]);
    expect(await send("CONF?")).toBe("POW");
  });
});

describe("the error queue", () => {
  it.each([
    ["SENS:CORR:WAV 500", -222],
    ["SENS:CORR:WAV 1310UM", -131],
    ["SENS:AVER 0", -222],
    ["SENS:AVER 40000", -222],
    ["SENS:POW:UNIT MW", -224],
    ["SENS:POW:RANG 2", -222],
    ["SYST:LFR 55", -222],
    ["CORR 61", -222],
    ["SENS:CORR:POW:PDI:RESP 0.5", -221],
    ["SENS:NOPE 1", -113],
    ["SENS:CORR:WAV", -109],
    ["SENS:AVER 1, 2", -108],
    ["FETC?", -230],
  ])("%s queues %d", async (line, code) => {
    const { send, errors } = pm100();
    expect(await send(line)).toBeUndefined();
    expect(await errors()).toEqual([code]);
  });

  it('sends entries as <code>,"<text>", and +0,"No error" once empty; *ESR? tells the classes', async () => {
    const { send } = pm100();
    await send("*ESR?"); // clears power-on
    await send("SENS:CORR:WAV 5000");
    await send("BOGUS");
    expect(await send("SYST:ERR:COUN?")).toBe("2");
    expect(await send("SYST:ERR?")).toBe('-222,"Data out of range"');
    expect(await send("SYSTem:ERRor:NEXT?")).toBe('-113,"Undefined header"');
    expect(await send("SYST:ERR?")).toBe(NO_ERROR);
    expect(Number(await send("*ESR?"))).toBe(32 | 16);
  });

  it("discards the rest of a message after an error in it", async () => {
    const { send, instrument, errors } = pm100();
    await send("SENS:CORR:WAV 5000;:SENS:AVER 7");
    expect(instrument.averageCount).toBe(1);
    expect(await errors()).toEqual([-222]);
  });

  it("*CLS empties the queue; the Status Byte shows EAV while it is not", async () => {
    const { send } = pm100();
    await send("BOGUS");
    expect(Number(await send("*STB?")) & 4).toBe(4);
    await send("*CLS");
    expect(await send("SYST:ERR?")).toBe(NO_ERROR);
    expect(Number(await send("*STB?")) & 4).toBe(0);
  });
});

describe("the sensor head's identity", () => {
  it("answers SYST:SENS:IDN? with six unquoted fields: name, serial, calibration date, type, subtype, flags", async () => {
    const { send } = pm100();
    const reply = await send("SYST:SENS:IDN?");
    expect(reply).toBe(S144C_IDN);
    expect(reply?.split(",")).toHaveLength(6);
  });

  it("reports small flags as they are: PyMeasure's parser reads power sensor and wavelength settable from 33", async () => {
    const { send } = pm100();
    const sensor = pymeasureSensor((await send("SYSTem:SENSor:IDN?")) ?? "");
    expect(sensor).toMatchObject({
      name: "S144C",
      serial: "220315101",
      calibration: "15-MAR-2022",
      type: "1",
      subtype: "2",
      power: true,
      energy: false,
      responseSettable: false,
      wavelengthSettable: true,
      tauSettable: false,
      temperature: false,
    });
  });

  it("which a nine-bit parser cannot unpack (PyMeasure issue #498)", async () => {
    const { send } = pm100();
    expect(() => pymeasure2017Flags(S144C_IDN)).toThrow(/expected 9, got 6/);
    expect(await send("SYST:SENS:IDN?")).toBe(S144C_IDN);
  });

  it("refuses the wavelength of a head whose flags say it cannot be set (-221), and keeps its own", async () => {
    const fixed = { ...S144C, name: "FIXED", flags: SENSOR_FLAG.POWER };
    const { send, errors, instrument } = pm100({ sensor: fixed });
    expect((await send("SYST:SENS:IDN?"))?.split(",")[5]).toBe("1");
    await send("SENS:CORR:WAV 1310");
    expect(await errors()).toEqual([-221]);
    expect(await send("SENS:CORR:WAV?")).toBe("1.550000E+03");
    expect(instrument.correctionWavelength).toBeCloseTo(1550e-9, 18);
  });

  it("rejects a sensor spec that is not a photodiode or whose table does not cover its range", () => {
    expect(() => pm100({ sensor: { ...S144C, type: 2 } })).toThrow(/photodiode/);
    expect(() => pm100({ sensor: { ...S144C, wavelengthMax: 1800e-9 } })).toThrow(/cover/);
  });
});

describe("with no head attached", () => {
  it("SYST:SENS:IDN? says no sensor, which PyMeasure refuses to connect to", async () => {
    const { send } = pm100({ sensor: null });
    const reply = (await send("SYST:SENS:IDN?")) ?? "";
    expect(reply).toBe("no sensor,,,0,0,0");
    expect(() => pymeasureSensor(reply)).toThrow(/No sensor connected/);
  });

  it.each([
    "MEAS:POW?",
    "READ?",
    "INIT",
    "FETC?",
    "CONF:POW",
    "SENS:CORR:WAV 1550",
    "SENS:CORR:WAV?",
    "SENS:CORR:WAV? MIN",
    "SENS:POW:RANG?",
    "SENS:CORR:COLL:ZERO",
  ])("%s queues -241 Hardware missing", async (line) => {
    const { send } = pm100({ sensor: null });
    expect(await send(line)).toBeUndefined();
    expect(await send("SYST:ERR?")).toBe('-241,"Hardware missing"');
  });

  it("still answers what is the console's own, and its operation status shows no sensor", async () => {
    const { send, errors, instrument } = pm100({ sensor: null });
    expect(await send("*IDN?")).toBe(IDN);
    expect(await send("SENS:AVER 10;AVER?;:SENS:CURR:RANG?")).toBe("10;5.000000E-08");
    expect(Number(await send("STAT:OPER:COND?")) & 0x100).toBe(0);
    expect(instrument.powerRange).toBeUndefined();
    expect(await errors()).toEqual([]);
  });
});
