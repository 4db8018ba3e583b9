/**
 * Protocol replay of the Keithley 2450 driver (STYLE.md 3): every property
 * and every verb method as the exact exchange it makes after start-up.
 */
import { describe, expect, it } from "vitest";
import {
  InstrumentError,
  InstrumentModeError,
  ProtocolError,
  SafetyLimitError,
  SweepMismatchError,
} from "../../src/drivers/errors.js";
import { attachKeithley2450 } from "../../src/drivers/instruments/connect-keithley2450.js";
import { KEITHLEY_2450_PROPERTIES, type Keithley2450 } from "../../src/drivers/instruments/keithley2450.js";
import type { SafetyLimitsInput } from "../../src/drivers/instruments/safety.js";
import { type Exchange, ReplayTransport } from "../../src/drivers/transports/replay.js";

const IDN_2450 = "KEITHLEY INSTRUMENTS,MODEL 2450,04412345,1.6.7c";
/** The 2450's empty error queue (INSTRUMENTS.md). */
const NO_ERROR = '0,"No error;0;0 0"';
const ERROR_CHECK: Exchange = [":SYST:ERR?", NO_ERROR];

/** What connecting reads before handing over the driver: state for the checks, each level twice. */
const STARTUP: readonly Exchange[] = [
  ["*IDN?", IDN_2450],
  ["*LANG?", "SCPI"],
  [":SOUR:FUNC?", "VOLT"],
  [":SOUR:VOLT?", "0.000000E+00"],
  [":SOUR:VOLT?", "0.000000E+00"],
  [":SOUR:CURR?", "0.000000E+00"],
  [":SOUR:CURR?", "0.000000E+00"],
  [":SOUR:VOLT:ILIM?", "1.050000E-04"],
  [":SOUR:CURR:VLIM?", "2.100000E+01"],
  [":SENS:FUNC?", '"CURR:DC"'],
  [":OUTP?", "0"],
  ["*CLS", null],
];

const LOOSE: SafetyLimitsInput = {
  maxAbsVoltage: 210,
  maxAbsCurrent: 1.05,
  maxVoltageStep: Number.POSITIVE_INFINITY,
  maxCurrentStep: Number.POSITIVE_INFINITY,
  maxVoltageRate: Number.POSITIVE_INFINITY,
  maxCurrentRate: Number.POSITIVE_INFINITY,
};

/** A number as the 2450 answers it: `5.000000E-01`. */
function nr3(value: number): string {
  const [mantissa, exponent = "0"] = value.toExponential(6).split("e");
  const e = Number(exponent);
  return `${mantissa}E${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

/** A set and the error check after it; a level goes out with its own query, which confirms it. */
function setting(command: string): Exchange[] {
  const level = /^:SOUR:(VOLT|CURR) (\S+)$/.exec(command);
  if (!level) return [[command, null], ERROR_CHECK];
  return [[`${command};:SOUR:${level[1]}?`, nr3(Number(level[2]))], ERROR_CHECK];
}

async function expectProtocol<T>(
  exchanges: readonly Exchange[],
  call: (driver: Keithley2450) => Promise<T>,
  limits: SafetyLimitsInput = LOOSE,
): Promise<T> {
  const transport = new ReplayTransport([...STARTUP, ...exchanges]);
  const driver = await attachKeithley2450(transport, { limits, timeoutMs: 500 });
  let outcome: { value: T } | { error: unknown };
  try {
    outcome = { value: await call(driver) };
  } catch (error) {
    outcome = { error };
  }
  transport.assertDone();
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

type Name = keyof typeof KEITHLEY_2450_PROPERTIES;

const PROPERTY_CASES: readonly { name: Name; reply: string; value: unknown; sent: string }[] = [
  { name: "sourceMode", reply: "CURR", value: "current", sent: ":SOUR:FUNC CURR" },
  { name: "sourceVoltage", reply: "1.200000E+00", value: 1.2, sent: ":SOUR:VOLT 1.2" },
  { name: "sourceCurrent", reply: "-1.000000E-06", value: -1e-6, sent: ":SOUR:CURR -0.000001" },
  { name: "sourceVoltageRange", reply: "2.000000E+01", value: 20, sent: ":SOUR:VOLT:RANG 20" },
  { name: "sourceVoltageAutoRangeEnabled", reply: "1", value: true, sent: ":SOUR:VOLT:RANG:AUTO ON" },
  { name: "sourceCurrentRange", reply: "1.000000E-04", value: 1e-4, sent: ":SOUR:CURR:RANG 0.0001" },
  { name: "sourceCurrentAutoRangeEnabled", reply: "0", value: false, sent: ":SOUR:CURR:RANG:AUTO OFF" },
  { name: "complianceCurrent", reply: "1.000000E-02", value: 0.01, sent: ":SOUR:VOLT:ILIM 0.01" },
  { name: "complianceVoltage", reply: "5.000000E+00", value: 5, sent: ":SOUR:CURR:VLIM 5" },
  { name: "measureFunction", reply: '"VOLT:DC"', value: "voltage", sent: ':SENS:FUNC "VOLT"' },
  { name: "currentRange", reply: "1.000000E-03", value: 1e-3, sent: ":SENS:CURR:RANG 0.001" },
  { name: "currentAutoRangeEnabled", reply: "1", value: true, sent: ":SENS:CURR:RANG:AUTO ON" },
  { name: "voltageRange", reply: "2.000000E+01", value: 20, sent: ":SENS:VOLT:RANG 20" },
  { name: "voltageAutoRangeEnabled", reply: "0", value: false, sent: ":SENS:VOLT:RANG:AUTO OFF" },
  { name: "nplc", reply: "1.000000E-01", value: 0.1, sent: ":SENS:CURR:NPLC 0.1" },
  { name: "sourceVoltageDelay", reply: "1.000000E-03", value: 0.001, sent: ":SOUR:VOLT:DEL 0.001" },
  { name: "sourceVoltageDelayAutoEnabled", reply: "0", value: false, sent: ":SOUR:VOLT:DEL:AUTO OFF" },
  { name: "sourceCurrentDelay", reply: "2.000000E-03", value: 0.002, sent: ":SOUR:CURR:DEL 0.002" },
  { name: "sourceCurrentDelayAutoEnabled", reply: "1", value: true, sent: ":SOUR:CURR:DEL:AUTO ON" },
  { name: "outputEnabled", reply: "1", value: true, sent: ":OUTP ON" },
  { name: "remoteSenseEnabled", reply: "0", value: false, sent: ":SENS:CURR:RSEN OFF" },
];

function property(driver: Keithley2450, name: Name) {
  return driver[name] as unknown as { get(): Promise<unknown>; set(value: unknown): Promise<void> };
}

/** The source-level set of a ramp or a software sweep step. */
const level = (volts: number): Exchange[] => setting(`:SOUR:VOLT ${volts}`);

describe("Keithley 2450 start-up", () => {
  it("refuses a 2450 in its TSP command set, having sent only *IDN? and *LANG?", async () => {
    const transport = new ReplayTransport([
      ["*IDN?", IDN_2450],
      ["*LANG?", "TSP"],
    ]);
    const error = await attachKeithley2450(transport, { timeoutMs: 500 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InstrumentModeError);
    expect((error as Error).message).toMatch(/\*LANG\? answers "TSP", not SCPI: .*\*LANG SCPI.*power-cycle/);
    transport.assertDone();
  });

  it("refuses another instrument by its identity", async () => {
    const transport = new ReplayTransport([["*IDN?", "KEITHLEY INSTRUMENTS INC.,MODEL 2400,4112345,C32"]]);
    await expect(attachKeithley2450(transport, { timeoutMs: 500 })).rejects.toThrow(ProtocolError);
  });

  it("reads an error entry's code and text and keeps the rest", async () => {
    const error = await expectProtocol(
      [
        [":SOUR:VOLT:RANG 20", null],
        [":SYST:ERR?", '-221,"Settings conflict;1;2026/12/07 06:00:00.000"'],
        [":SYST:ERR?", NO_ERROR],
      ],
      (k) => k.sourceVoltageRange.set(20),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InstrumentError);
    expect(error).toMatchObject({
      code: -221,
      text: "Settings conflict",
      detail: "1;2026/12/07 06:00:00.000",
    });
  });
});

describe("Keithley 2450 properties", () => {
  it("has a protocol case for every property of the table", () => {
    expect(PROPERTY_CASES.map((c) => c.name).sort()).toEqual(Object.keys(KEITHLEY_2450_PROPERTIES).sort());
  });

  it.each(PROPERTY_CASES)(
    "$name: get() sends its query and decodes $reply",
    async ({ name, reply, value }) => {
      const query = KEITHLEY_2450_PROPERTIES[name].query;
      // A level read once that is not yet confirmed is read again (the kind's read-back rule) only where tracked.
      const got = await expectProtocol([[query, reply]], (k) => property(k, name).get());
      expect(got).toEqual(value);
    },
  );

  it.each(PROPERTY_CASES)(
    "$name: set($value) sends $sent and checks the error queue",
    async ({ name, value, sent }) => {
      // The state read at start-up is enough for every check (turning the output on included).
      await expectProtocol(setting(sent), (k) => property(k, name).set(value));
    },
  );
});

describe("Keithley 2450 verbs", () => {
  it("read(): one :READ? into defbuffer1, READ is the measured current and SOUR the voltage", async () => {
    const reading = await expectProtocol(
      [
        [
          ':READ? "defbuffer1", READ, SOUR, REL, SOURSTAT',
          "1.000000E-04,1.000000E-01,0.000000E+00,0.000000E+00",
        ],
      ],
      (k) => k.read(),
    );
    expect(reading).toEqual({ voltage: 0.1, current: 1e-4, resistance: Number.NaN, time: 0, status: 0 });
  });

  it("read(): a reply with a missing field is a ProtocolError naming the elements", async () => {
    await expect(
      expectProtocol([[':READ? "defbuffer1", READ, SOUR, REL, SOURSTAT', "1.000000E-04,1.000000E-01"]], (k) =>
        k.read(),
      ),
    ).rejects.toThrow(/4 comma-separated numbers \(READ,SOUR,REL,SOURSTAT × 1\)/);
  });

  it("rampTo(0.4) in steps of 0.2 V from the level read back", async () => {
    await expectProtocol([[":SOUR:VOLT?", "0.000000E+00"], ...level(0.2), ...level(0.4)], (k) =>
      k.rampTo(0.4, { step: 0.2 }),
    );
  });

  it("shutdown(): ramps down to 0 within the step limit, then turns the output off and reads that it is", async () => {
    await expectProtocol(
      [
        [":OUTP?", "1"],
        [":SOUR:VOLT?", "2.000000E-01"],
        [":SOUR:VOLT?", "2.000000E-01"],
        // Read back, not set by the driver: the level may be 0.20000002, so three steps, not two of 0.1.
        ...level(0.2 + -0.2 / 3),
        ...level(0.2 + (-0.2 * 2) / 3),
        ...level(0),
        [":OUTP OFF", null],
        [":OUTP?", "0"],
      ],
      (k) => k.shutdown(),
      { ...LOOSE, maxVoltageStep: 0.1 },
    );
  });

  it("hardwareSweep(): a list loaded 100 values a command, read back, swept, read from the buffer, back to the bias", async () => {
    const levels = Array.from({ length: 150 }, (_, i) => (i + 1) * 1e-3);
    const list = (values: readonly number[]) => values.map((v) => String(v)).join(",");
    const data = levels.map((v, i) => `${nr3(v * 1e-3)},${nr3(v)},${nr3(i * 0.02)},0.000000E+00`).join(",");
    const columns = await expectProtocol(
      [
        [":SOUR:VOLT?", "0.000000E+00"],
        [':TRAC:CLE "defbuffer1"', null],
        [`:SOUR:LIST:VOLT ${list(levels.slice(0, 100))}`, null],
        [`:SOUR:LIST:VOLT:APP ${list(levels.slice(100))}`, null],
        [":SOUR:LIST:VOLT?", levels.map(nr3).join(",")],
        [':SOUR:SWE:VOLT:LIST 1, 0, 1, OFF, "defbuffer1"', null],
        ERROR_CHECK,
        [":INIT", null],
        ["*WAI", null],
        [':TRAC:ACT:END? "defbuffer1"', "150"],
        [':TRAC:DATA? 1, 150, "defbuffer1", READ, SOUR, REL, SOURSTAT', data],
        [":SOUR:VOLT 0;:SOUR:VOLT?", "0.000000E+00"],
        [":ABOR", null],
        [":SOUR:VOLT 0;:SOUR:VOLT?", "0.000000E+00"],
      ],
      (k) => k.hardwareSweep(levels),
    );
    expect(columns.voltage.length).toBe(150);
    expect(columns.voltage[149]).toBeCloseTo(0.15, 12);
    expect(columns.current[0]).toBeCloseTo(1e-6, 15);
    expect(columns.time[1]).toBeCloseTo(0.02, 12);
  });

  it("hardwareSweep(): a list that did not take is a SweepMismatchError, and the sweep still ends", async () => {
    await expect(
      expectProtocol(
        [
          [":SOUR:VOLT?", "0.000000E+00"],
          [':TRAC:CLE "defbuffer1"', null],
          [":SOUR:LIST:VOLT 0.1,0.2", null],
          [":SOUR:LIST:VOLT?", "5.000000E+00"],
          [":ABOR", null],
          [":SOUR:VOLT 0;:SOUR:VOLT?", "0.000000E+00"],
        ],
        (k) => k.hardwareSweep([0.1, 0.2]),
      ),
    ).rejects.toThrow(SweepMismatchError);
  });

  it("hardwareSweep() under a rate limit reads the delay and integration first, and refuses a sweep too fast for it", async () => {
    const error = await expectProtocol(
      [
        [":SOUR:VOLT?", "0.000000E+00"],
        [":SENS:CURR:NPLC?", "1.000000E-02"],
        [":SOUR:VOLT:DEL:AUTO?", "0"],
        [":SOUR:VOLT:DEL?", "0.000000E+00"],
      ],
      (k) => k.hardwareSweep([0.1, 0.2, 0.1]),
      { ...LOOSE, maxVoltageRate: 10 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect(error).toMatchObject({ limit: "maxVoltageRate", limitValue: 10 });
  });

  it("softwareSweep(): a set and a :READ? per level", async () => {
    const reply = (v: number) => `${nr3(v * 1e-3)},${nr3(v)},0.000000E+00,0.000000E+00`;
    const columns = await expectProtocol(
      [
        [":SOUR:VOLT?", "0.000000E+00"],
        ...level(0.1),
        [':READ? "defbuffer1", READ, SOUR, REL, SOURSTAT', reply(0.1)],
        ...level(0.2),
        [':READ? "defbuffer1", READ, SOUR, REL, SOURSTAT', reply(0.2)],
      ],
      (k) => k.collectSoftwareSweep([0.1, 0.2]),
    );
    expect(Array.from(columns.voltage)).toEqual([0.1, 0.2]);
  });

  it("describe() gives the kind's reading keys; readConfiguration() reads every configuration row with its unit", async () => {
    const configuration = await expectProtocol(
      PROPERTY_CASES.map(({ name, reply }): Exchange => [KEITHLEY_2450_PROPERTIES[name].query, reply]),
      async (k) => {
        expect(k.describe().current).toMatchObject({ unit: "A", shape: [] });
        expect(k.describeConfiguration().complianceCurrent).toMatchObject({ unit: "A", dtype: "number" });
        return k.readConfiguration();
      },
    ).catch((error: unknown) => error);
    // Source levels read once each here may disagree with what start-up tracked: a level's single read is checked.
    expect(configuration).not.toBeInstanceOf(Error);
    expect((configuration as Record<string, { value: unknown; unit: string | null }>).nplc).toEqual({
      value: 0.1,
      unit: "PLC",
      doc: KEITHLEY_2450_PROPERTIES.nplc.doc,
    });
  });
});
