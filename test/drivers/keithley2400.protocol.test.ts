import { describe, expect, it } from "vitest";
import { ProtocolError, SafetyLimitError, SweepMismatchError } from "../../src/drivers/errors.js";
import { attachKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import { KEITHLEY_2400_PROPERTIES, type Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";
import type { SafetyLimitsInput } from "../../src/drivers/instruments/safety.js";
import { type Exchange, ReplayTransport } from "../../src/drivers/transports/replay.js";
// A level as the 2400 answers it (`+1.000000E-01`): the virtual instrument's formatter.
import { nr3 } from "../../src/virtual/scpi/format.js";
import {
  ERROR_CHECK,
  expectProtocol,
  IDN_2400,
  LOOSE_LIMITS,
  NO_ERROR,
  readReply,
  STARTUP,
  STARTUP_STATE,
  setting,
} from "./support/keithley-protocol.js";

type Name = keyof typeof KEITHLEY_2400_PROPERTIES;

/** Each property: what `get` reads and returns, what `set` sends for a value. */
const PROPERTY_CASES: readonly { name: Name; reply: string; value: unknown; sent: string }[] = [
  { name: "sourceMode", reply: "CURR", value: "current", sent: ":SOUR:FUNC CURR" },
  { name: "sourceVoltage", reply: "+1.200000E+00", value: 1.2, sent: ":SOUR:VOLT:LEV 1.2" },
  { name: "sourceCurrent", reply: "-1.000000E-06", value: -1e-6, sent: ":SOUR:CURR:LEV -0.000001" },
  { name: "sourceVoltageRange", reply: "+2.000000E+01", value: 20, sent: ":SOUR:VOLT:RANG 20" },
  { name: "sourceVoltageAutoRangeEnabled", reply: "1", value: true, sent: ":SOUR:VOLT:RANG:AUTO ON" },
  { name: "sourceCurrentRange", reply: "+1.050000E-04", value: 1.05e-4, sent: ":SOUR:CURR:RANG 0.000105" },
  { name: "sourceCurrentAutoRangeEnabled", reply: "0", value: false, sent: ":SOUR:CURR:RANG:AUTO OFF" },
  { name: "complianceCurrent", reply: "+1.000000E-02", value: 0.01, sent: ":SENS:CURR:PROT 0.01" },
  { name: "complianceVoltage", reply: "+5.000000E+00", value: 5, sent: ":SENS:VOLT:PROT 5" },
  { name: "currentRange", reply: "+1.050000E-03", value: 1.05e-3, sent: ":SENS:CURR:RANG 0.00105" },
  { name: "currentAutoRangeEnabled", reply: "1", value: true, sent: ":SENS:CURR:RANG:AUTO ON" },
  { name: "voltageRange", reply: "+2.100000E+01", value: 21, sent: ":SENS:VOLT:RANG 21" },
  { name: "voltageAutoRangeEnabled", reply: "0", value: false, sent: ":SENS:VOLT:RANG:AUTO OFF" },
  { name: "resistanceRange", reply: "+2.100000E+05", value: 2.1e5, sent: ":SENS:RES:RANG 210000" },
  { name: "resistanceAutoRangeEnabled", reply: "1", value: true, sent: ":SENS:RES:RANG:AUTO ON" },
  { name: "nplc", reply: "+1.000000E-01", value: 0.1, sent: ":SENS:CURR:NPLC 0.1" },
  { name: "sourceDelay", reply: "+1.000000E-03", value: 0.001, sent: ":SOUR:DEL 0.001" },
  { name: "sourceDelayAutoEnabled", reply: "0", value: false, sent: ":SOUR:DEL:AUTO OFF" },
  { name: "outputEnabled", reply: "1", value: true, sent: ":OUTP ON" },
  { name: "remoteSenseEnabled", reply: "0", value: false, sent: ":SYST:RSEN OFF" },
  {
    name: "senseFunctions",
    reply: '"VOLT:DC","CURR:DC"',
    value: ["voltage", "current"],
    sent: ':SENS:FUNC:OFF:ALL;:SENS:FUNC:ON "VOLT:DC","CURR:DC"',
  },
  {
    name: "readoutElements",
    reply: "VOLT,CURR",
    value: ["voltage", "current"],
    sent: ":FORM:ELEM VOLT,CURR",
  },
];

/** The property of a driver by name, typed loosely so one table can drive every one. */
function property(driver: Keithley2400, name: Name) {
  return driver[name] as unknown as { get(): Promise<unknown>; set(value: unknown): Promise<void> };
}

describe("Keithley 2400 properties", () => {
  it("has a protocol case for every property of the table", () => {
    expect(PROPERTY_CASES.map((c) => c.name).sort()).toEqual(Object.keys(KEITHLEY_2400_PROPERTIES).sort());
  });

  it.each(PROPERTY_CASES)(
    "$name: get() sends its query and decodes $reply",
    async ({ name, reply, value }) => {
      const query = KEITHLEY_2400_PROPERTIES[name].query;
      await expect(expectProtocol([[query, reply]], (k) => property(k, name).get())).resolves.toEqual(value);
    },
  );

  it.each(PROPERTY_CASES)(
    "$name: set($value) sends $sent and checks the error queue",
    async ({ name, value, sent }) => {
      await expectProtocol(setting(sent), (k) => property(k, name).set(value));
    },
  );

  it.each(PROPERTY_CASES)(
    "$name: get() refuses a reply that does not parse, carrying it",
    async ({ name }) => {
      const query = KEITHLEY_2400_PROPERTIES[name].query;
      const error = await expectProtocol([[query, "#garbage"]], (k) => property(k, name).get()).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error).toMatchObject({ command: query, reply: "#garbage" });
    },
  );

  it("a set the instrument refuses throws its InstrumentError", async () => {
    const exchanges: Exchange[] = [
      [":SENS:CURR:NPLC 10", null],
      [":SYST:ERR?", '-221,"Settings conflict"'],
      ERROR_CHECK,
    ];
    await expect(expectProtocol(exchanges, (k) => k.nplc.set(10))).rejects.toMatchObject({
      name: "InstrumentError",
      code: -221,
      text: "Settings conflict",
      command: ":SENS:CURR:NPLC 10",
    });
  });
});

/** The read-back of a linear chunk's engine: what was sent, as the 2400 formats it. */
function linearConfirm(start: number, stop: number, points: number): Exchange {
  return [
    ":SOUR:VOLT:MODE?;:SOUR:SWE:SPAC?;:SOUR:VOLT:STAR?;:SOUR:VOLT:STOP?;:SOUR:SWE:POIN?;:TRIG:COUN?",
    `SWE;LIN;${nr3(start)};${nr3(stop)};${points};${points}`,
  ];
}

const LINEAR_SWEEP: Exchange[] = [
  [":SOUR:VOLT:MODE SWE", null],
  [":SOUR:SWE:SPAC LIN", null],
  [":SOUR:VOLT:STAR 0", null],
  [":SOUR:VOLT:STOP 1", null],
  [":SOUR:SWE:POIN 3", null],
  [":TRIG:COUN 3", null],
  linearConfirm(0, 1, 3),
  ERROR_CHECK,
  [":READ?", readReply([0, 0.5, 1])],
  [":SOUR:VOLT:MODE FIX", null],
  [":TRIG:COUN 1", null],
];

/** A list sweep chunk: the list, the count, the engine read back, the check, the read. */
function listChunk(levels: readonly number[]): Exchange[] {
  return [
    [":SOUR:VOLT:MODE LIST", null],
    [`:SOUR:LIST:VOLT ${levels.join(",")}`, null],
    [`:TRIG:COUN ${levels.length}`, null],
    [
      ":SOUR:VOLT:MODE?;:SOUR:LIST:VOLT?;:TRIG:COUN?",
      `LIST;${levels.map((v) => nr3(v)).join(",")};${levels.length}`,
    ],
    ERROR_CHECK,
    [":READ?", readReply(levels)],
  ];
}

/** The read-back every move starts with, agreeing with the 0 V the driver tracks. */
const READ_BACK_0V: Exchange = [":SOUR:VOLT:LEV?", "+0.000000E+00"];

const LIST_150 = Array.from({ length: 150 }, (_, i) => (i + 1) / 100);
const END_SWEEP: Exchange[] = [
  [":SOUR:VOLT:MODE FIX", null],
  [":TRIG:COUN 1", null],
];

/** Each verb: its exchanges after start-up, the call, and what it resolves to. */
const VERB_CASES: readonly {
  verb: string;
  exchanges: readonly Exchange[];
  call: (k: Keithley2400) => Promise<unknown>;
  result?: unknown;
  limits?: SafetyLimitsInput;
}[] = [
  {
    verb: "read",
    exchanges: [[":READ?", "+1.000000E+00,+1.000000E-03,+9.910000E+37,+1.234000E+01,+1.282000E+04"]],
    call: (k) => k.read(),
    result: { voltage: 1, current: 1e-3, resistance: Number.NaN, time: 12.34, status: 12820 },
  },
  {
    verb: "read (overflow)",
    exchanges: [[":READ?", "+9.900000E+37,-9.900000E+37,+9.910000E+37,+1.000000E+00,+1.000000E+00"]],
    call: (k) => k.read(),
    result: {
      voltage: Number.POSITIVE_INFINITY,
      current: Number.NEGATIVE_INFINITY,
      resistance: Number.NaN,
      time: 1,
      status: 1,
    },
  },
  {
    verb: "read (two elements)",
    // The 2400 sends its elements in its fixed order, V before I, however :FORM:ELEM named them (manual §18).
    exchanges: [...setting(":FORM:ELEM CURR,VOLT"), [":READ?", "+1.000000E+00,+2.000000E-03"]],
    call: async (k) => {
      await k.readoutElements.set(["current", "voltage"]);
      return k.read();
    },
    result: { voltage: 1, current: 2e-3, resistance: Number.NaN, time: Number.NaN, status: Number.NaN },
  },
  {
    verb: "rampTo",
    exchanges: [READ_BACK_0V, ...setting(":SOUR:VOLT:LEV 0.5"), ...setting(":SOUR:VOLT:LEV 1")],
    call: (k) => k.rampTo(1, { step: 0.5, delay: 0.001 }),
  },
  {
    verb: "rampTo (step from the limit)",
    exchanges: [READ_BACK_0V, ...setting(":SOUR:VOLT:LEV -0.25"), ...setting(":SOUR:VOLT:LEV -0.5")],
    call: (k) => k.rampTo(-0.5),
    limits: { ...LOOSE_LIMITS, maxVoltageStep: 0.25 },
  },
  {
    verb: "rampTo (current source)",
    exchanges: [
      ...setting(":SOUR:FUNC CURR"),
      [":SOUR:CURR:LEV?", "+0.000000E+00"],
      ...setting(":SOUR:CURR:LEV 0.001"),
    ],
    call: async (k) => {
      await k.sourceMode.set("current");
      await k.rampTo(1e-3);
    },
  },
  {
    verb: "shutdown",
    exchanges: [
      READ_BACK_0V,
      ...setting(":SOUR:VOLT:LEV 0.5"),
      ...setting(":SOUR:VOLT:LEV 1"),
      ...setting(":OUTP ON"),
      [":OUTP?", "1"],
      [":SOUR:VOLT:LEV?", "+1.000000E+00"],
      ...setting(":SOUR:VOLT:LEV 0.5"),
      ...setting(":SOUR:VOLT:LEV 0"),
      [":OUTP OFF", null],
      [":OUTP?", "0"],
    ],
    call: async (k) => {
      await k.rampTo(1);
      await k.outputEnabled.set(true);
      await k.shutdown();
    },
    limits: { ...LOOSE_LIMITS, maxVoltageStep: 0.5 },
  },
  {
    verb: "hardwareSweep (linear)",
    exchanges: [READ_BACK_0V, ...LINEAR_SWEEP],
    call: async (k) => Array.from((await k.hardwareSweep({ start: 0, stop: 1, points: 3 })).voltage),
    result: [0, 0.5, 1],
  },
  {
    verb: "hardwareSweep (linear, then a set from the bias it returned to)",
    exchanges: [READ_BACK_0V, ...LINEAR_SWEEP, ...setting(":SOUR:VOLT:LEV 0.1")],
    call: async (k) => {
      await k.hardwareSweep({ start: 0, stop: 1, points: 3 });
      await k.sourceVoltage.set(0.1);
    },
    limits: { ...LOOSE_LIMITS, maxVoltageStep: 1 },
  },
  {
    verb: "hardwareSweep (list of 150 in chunks of 100 and 50)",
    exchanges: [
      READ_BACK_0V,
      ...listChunk(LIST_150.slice(0, 100)),
      ...listChunk(LIST_150.slice(100)),
      ...END_SWEEP,
    ],
    call: async (k) => Array.from((await k.hardwareSweep(LIST_150)).voltage),
    result: LIST_150,
  },
  {
    verb: "hardwareSweepChunks (a chunk per yield)",
    exchanges: [READ_BACK_0V, ...listChunk([0.1, 0.2]), ...listChunk([0.3]), ...END_SWEEP],
    call: async (k) => {
      const chunks: number[][] = [];
      for await (const chunk of k.hardwareSweepChunks([0.1, 0.2, 0.3], { chunkPoints: 2 })) {
        chunks.push(Array.from(chunk.voltage));
      }
      return chunks;
    },
    result: [[0.1, 0.2], [0.3]],
  },
  {
    verb: "hardwareSweepChunks (linear in chunks)",
    exchanges: [
      READ_BACK_0V,
      [":SOUR:VOLT:MODE SWE", null],
      [":SOUR:SWE:SPAC LIN", null],
      [":SOUR:VOLT:STAR 0", null],
      [":SOUR:VOLT:STOP 0.25", null],
      [":SOUR:SWE:POIN 2", null],
      [":TRIG:COUN 2", null],
      linearConfirm(0, 0.25, 2),
      ERROR_CHECK,
      [":READ?", readReply([0, 0.25])],
      [":SOUR:VOLT:MODE SWE", null],
      [":SOUR:SWE:SPAC LIN", null],
      [":SOUR:VOLT:STAR 0.5", null],
      [":SOUR:VOLT:STOP 0.75", null],
      [":SOUR:SWE:POIN 2", null],
      [":TRIG:COUN 2", null],
      linearConfirm(0.5, 0.75, 2),
      ERROR_CHECK,
      [":READ?", readReply([0.5, 0.75])],
      ...END_SWEEP,
    ],
    call: async (k) =>
      Array.from((await k.hardwareSweep({ start: 0, stop: 0.75, points: 4 }, { chunkPoints: 2 })).current),
    result: [0, 0.25e-3, 0.5e-3, 0.75e-3],
  },
  {
    verb: "hardwareSweepChunks (left early: the sweep is still ended)",
    exchanges: [READ_BACK_0V, ...listChunk([0.1]), ...END_SWEEP],
    call: async (k) => {
      for await (const chunk of k.hardwareSweepChunks([0.1, 0.2], { chunkPoints: 1 }))
        return chunk.voltage[0];
    },
    result: 0.1,
  },
  {
    verb: "softwareSweep",
    exchanges: [
      READ_BACK_0V,
      ...setting(":SOUR:VOLT:LEV 0.1"),
      [":READ?", readReply([0.1])],
      ...setting(":SOUR:VOLT:LEV 0.2"),
      [":READ?", readReply([0.2])],
    ],
    call: async (k) => {
      const voltages: number[] = [];
      for await (const reading of k.softwareSweep([0.1, 0.2])) voltages.push(reading.voltage);
      return voltages;
    },
    result: [0.1, 0.2],
  },
  {
    verb: "collectSoftwareSweep",
    exchanges: [
      READ_BACK_0V,
      ...setting(":SOUR:VOLT:LEV 0"),
      [":READ?", readReply([0])],
      ...setting(":SOUR:VOLT:LEV 1"),
      [":READ?", readReply([1])],
    ],
    call: async (k) => {
      const columns = await k.collectSoftwareSweep({ start: 0, stop: 1, points: 2 });
      return [Array.from(columns.voltage), Array.from(columns.resistance), Array.from(columns.status)];
    },
    result: [
      [0, 1],
      [Number.NaN, Number.NaN],
      [12820, 12820],
    ],
  },
  {
    verb: "refreshState",
    exchanges: [
      [":SOUR:FUNC?", "CURR"],
      [":SOUR:VOLT:LEV?", "+0.000000E+00"],
      [":SOUR:CURR:LEV?", "+1.000000E-03"],
      [":SOUR:CURR:LEV?", "+1.000000E-03"],
      [":SENS:CURR:PROT?", "+1.050000E-04"],
      [":SENS:VOLT:PROT?", "+2.100000E+01"],
      [":FORM:ELEM?", "VOLT,CURR,RES,TIME,STAT"],
      [":OUTP?", "1"],
      [":SOUR:CURR:LEV?", "+1.000000E-03"],
      ...setting(":SOUR:CURR:LEV 0.0015"),
    ],
    call: async (k) => {
      await k.refreshState();
      await k.rampTo(1.5e-3);
    },
  },
  {
    verb: "identify",
    exchanges: [["*IDN?", IDN_2400]],
    call: (k) => k.identify(),
    result: {
      manufacturer: "KEITHLEY INSTRUMENTS INC.",
      model: "MODEL 2400",
      serial: "4112345",
      firmware: "C32   Oct  4 2010 14:20:11/A02  /S/K",
    },
  },
  {
    verb: "checkErrors",
    exchanges: [
      [":SYST:ERR?", '-113,"Undefined header"'],
      [":SYST:ERR?", NO_ERROR],
    ],
    call: (k) => k.checkErrors().catch((error: unknown) => error),
    result: expect.objectContaining({ code: -113, text: "Undefined header" }),
  },
  {
    verb: "close",
    exchanges: [],
    call: async (k) => {
      await k.close();
      return k.read().catch((error: unknown) => (error as Error).name);
    },
    result: "ConnectionError",
  },
];

describe("Keithley 2400 verbs", () => {
  it("measure(quantity) turns its sense function on beside the others and keeps both in the readout", async () => {
    await expectProtocol(
      [
        [":SENS:FUNC:ON?", '"CURR:DC"'],
        ...setting(':SENS:FUNC:OFF:ALL;:SENS:FUNC:ON "CURR:DC","VOLT:DC"'),
        [":FORM:ELEM?", "CURR"],
        ...setting(":FORM:ELEM CURR,VOLT"),
      ],
      (k) => k.measure("voltage"),
    );
    // Already on and read out: nothing is sent but the two queries.
    await expectProtocol(
      [
        [":SENS:FUNC:ON?", '"VOLT:DC","CURR:DC"'],
        [":FORM:ELEM?", "VOLT,CURR,RES,TIME,STAT"],
      ],
      (k) => k.measure("voltage"),
    );
  });

  it.each(VERB_CASES)("$verb", async ({ exchanges, call, result, limits }) => {
    await expect(expectProtocol(exchanges, call, limits)).resolves.toEqual(result);
  });

  it.each([
    ["too few fields", "+1.000000E+00,+1.000000E-03"],
    ["a field that is not a number", "+1.000000E+00,oops,+9.910000E+37,+1.0,+0"],
    ["an empty reply", ""],
  ])("read() refuses %s with a ProtocolError carrying the reply", async (_, reply) => {
    const error = await expectProtocol([[":READ?", reply]], (k) => k.read()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ command: ":READ?", reply });
  });

  it.each([
    [
      "a lost list: the previous sweep's levels",
      `LIST;${[0.675, 0.725].map((v) => nr3(v)).join(",")};2`,
      ":SOUR:LIST:VOLT",
    ],
    ["a lost mode", "FIX;+1.000000E-01,+2.000000E-01;2", ":SOUR:VOLT:MODE"],
    ["a lost count", `LIST;${[0.1, 0.2].map((v) => nr3(v)).join(",")};1`, ":TRIG:COUN"],
  ])("hardwareSweep finds %s before :READ?, sweeps nothing and ends the sweep", async (_, held, field) => {
    const chunk = listChunk([0.1, 0.2]);
    const confirm = chunk[3] as Exchange;
    const exchanges: Exchange[] = [READ_BACK_0V, ...chunk.slice(0, 3), [confirm[0], held], ...END_SWEEP];
    const error = await expectProtocol(exchanges, (k) => k.hardwareSweep([0.1, 0.2])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SweepMismatchError);
    expect(error).toMatchObject({ field });
  });

  it("hardwareSweep refuses a reply with the wrong number of readings, and still ends the sweep", async () => {
    const exchanges = [
      READ_BACK_0V,
      ...listChunk([0.1, 0.2]).slice(0, -1),
      [":READ?", readReply([0.1])] as Exchange,
      ...END_SWEEP,
    ];
    await expect(expectProtocol(exchanges, (k) => k.hardwareSweep([0.1, 0.2]))).rejects.toBeInstanceOf(
      ProtocolError,
    );
  });
});

describe("connecting to a Keithley 2400", () => {
  it.each([
    ["another maker", "ACME INSTRUMENTS,MODEL 2400,1,1.0"],
    ["another Keithley", "KEITHLEY INSTRUMENTS INC.,MODEL 2000,1,A01"],
  ])("refuses %s with a ProtocolError carrying *IDN? and closes the transport", async (_, idn) => {
    const transport = new ReplayTransport([["*IDN?", idn]]);
    const error = await attachKeithley2400(transport, { limits: LOOSE_LIMITS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ command: "*IDN?", reply: idn });
    transport.assertDone();
    await expect(transport.write(Buffer.from("x"))).rejects.toThrow(/after close/);
  });

  it("refuses an output already on whose compliance is past the limits, having sent only queries", async () => {
    const state = STARTUP_STATE.map(([sent, reply]): Exchange => [sent, sent === ":OUTP?" ? "1" : reply]);
    const transport = new ReplayTransport([["*IDN?", IDN_2400], ...state]);
    const limits = { ...LOOSE_LIMITS, maxAbsCurrent: 1e-5 };
    const error = await attachKeithley2400(transport, { limits }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect(error).toMatchObject({ limit: "maxAbsCurrent", limitValue: 1e-5, requested: 1.05e-4 });
    transport.assertDone();
    await expect(transport.write(Buffer.from("x"))).rejects.toThrow(/after close/);
  });

  it("refuses an output already on at a source level past the limits", async () => {
    const state = STARTUP_STATE.map(([sent, reply]): Exchange => {
      if (sent === ":OUTP?") return [sent, "1"];
      if (sent === ":SOUR:VOLT:LEV?") return [sent, "+5.000000E+00"]; // read twice, agreeing
      return [sent, reply];
    });
    const transport = new ReplayTransport([["*IDN?", IDN_2400], ...state]);
    const limits = { maxAbsVoltage: 2, maxAbsCurrent: 1 };
    await expect(attachKeithley2400(transport, { limits })).rejects.toMatchObject({
      name: "SafetyLimitError",
      limit: "maxAbsVoltage",
      requested: 5,
    });
    transport.assertDone();
  });

  it("attaches to an output already on within the limits, and knows it is on", async () => {
    const state = STARTUP_STATE.map(([sent, reply]): Exchange => [sent, sent === ":OUTP?" ? "1" : reply]);
    const transport = new ReplayTransport([
      ["*IDN?", IDN_2400],
      ...state,
      ...STARTUP.slice(1 + state.length),
    ]);
    const driver = await attachKeithley2400(transport, { limits: LOOSE_LIMITS });
    transport.assertDone();
    await driver.close();
  });

  it.each(["MODEL 2401", "MODEL 2410", "MODEL 2420", "MODEL 2440"])(
    "accepts the 2400-series %s",
    async (model) => {
      const transport = new ReplayTransport([
        ["*IDN?", IDN_2400.replace("MODEL 2400", model)],
        ...STARTUP.slice(1),
      ]);
      const driver = await attachKeithley2400(transport, { limits: LOOSE_LIMITS });
      expect(driver.resource).toBe("REPLAY::INSTR");
      transport.assertDone();
    },
  );
});
