/**
 * Protocol replay of the Santec TSL-570 and TSL-550 driver (STYLE.md 3):
 * every property and verb as the exact exchange it makes after start-up,
 * the safety limits refusing before a byte, and the wavelength log's block
 * decoded or refused with what each format makes of it.
 */
import { describe, expect, it } from "vitest";
import {
  BlockFormatError,
  InstrumentModeError,
  InstrumentTimeoutError,
  OperationTimeoutError,
  ProtocolError,
  SafetyLimitError,
  SettingRangeError,
  ShutdownError,
} from "../../src/drivers/errors.js";
import { attachSantecTsl } from "../../src/drivers/instruments/connect-santec-tsl.js";
import type { LaserSafetyLimitsInput } from "../../src/drivers/instruments/optical-safety.js";
import type { Property } from "../../src/drivers/instruments/properties.js";
import { decodeWavelengthLog, type SantecTsl } from "../../src/drivers/instruments/santec-tsl.js";
import { type Exchange, ReplayTransport } from "../../src/drivers/transports/replay.js";
import { steppedTimebase } from "./support/stepped-timebase.js";

const IDN_570 = "SANTEC,TSL-570,21050012,0003.0001.0002";
const IDN_550 = "SANTEC,TSL-550,14020001,0001.0020";
const NO_ERROR = '0,"No error"';
const ERROR_CHECK: Exchange = [":SYST:ERR?", NO_ERROR];

/** Light off, 0 dBm set, as a laser is found after power-on. */
const STATE_OFF: readonly Exchange[] = [
  [":POW:UNIT?", "0"],
  [":POW?", "+0.00000000E+000"],
  [":POW:ATT:AUTO?", "1"],
  [":POW:STAT?", "0"],
  [":POW:SHUT?", "1"],
];

/** What a light-on check reads afresh: the attenuation mode, the setpoint with its unit, the wavelength. */
function lightCheck(power = "+0.00000000E+000", unit = "0"): Exchange[] {
  return [
    [":POW:ATT:AUTO?", "1"],
    [":POW:UNIT?", unit],
    [":POW?", power],
    [":WAV?", "+1.55000000E-006"],
  ];
}

const STARTUP_570: readonly Exchange[] = [
  ["*IDN?", IDN_570],
  [":SYST:COMM:COD 1", null],
  [":SYST:COMM:COD?", "1"],
  [":WAV:SWE:RANG:MIN?", "+1.48000000E-006"],
  [":WAV:SWE:RANG:MAX?", "+1.64000000E-006"],
  ...STATE_OFF,
  ["*CLS", null],
];

const STARTUP_550: readonly Exchange[] = [["*IDN?", IDN_550], ...STATE_OFF, ["*CLS", null]];

async function expectProtocol<T>(
  exchanges: readonly Exchange[],
  call: (driver: SantecTsl) => Promise<T>,
  options: { startup?: readonly Exchange[]; limits?: LaserSafetyLimitsInput } = {},
): Promise<T> {
  const transport = new ReplayTransport([...(options.startup ?? STARTUP_570), ...exchanges], {
    writeTerminator: "\n",
    readTerminator: "\r",
  });
  const driver = await attachSantecTsl(transport, {
    timeoutMs: 500,
    timebase: steppedTimebase(),
    ...(options.limits && { limits: options.limits }),
  });
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

/** `values` as the laser logs them: int32 little-endian in 0.1 pm, in a definite-length block. */
function int32Block(wavelengths: readonly number[]): string {
  const bytes = Buffer.alloc(wavelengths.length * 4);
  wavelengths.forEach((w, i) => {
    bytes.writeInt32LE(Math.round(w / 0.1e-12), i * 4);
  });
  const length = String(bytes.length);
  return `#${length.length}${length}${bytes.toString("latin1")}`;
}

describe("Santec TSL start-up", () => {
  it("selects and confirms the TSL-570's SCPI command set, asks its range, reads its light", async () => {
    const driver = await expectProtocol([], async (d) => d);
    expect(driver.model.name).toBe("TSL-570");
    expect(driver.range.min).toBeCloseTo(1480e-9, 15);
    expect(driver.range.max).toBeCloseTo(1640e-9, 15);
  });

  it("refuses a TSL-570 that stays in its Legacy command set", async () => {
    const transport = new ReplayTransport(
      [
        ["*IDN?", IDN_570],
        [":SYST:COMM:COD 1", null],
        [":SYST:COMM:COD?", "0"],
      ],
      { readTerminator: "\r" },
    );
    await expect(attachSantecTsl(transport, { timeoutMs: 500 })).rejects.toBeInstanceOf(InstrumentModeError);
    transport.assertDone();
  });

  it("takes a TSL-550 in nm, without a command-set switch", async () => {
    await expectProtocol([[":WAV 1550.25", null], ERROR_CHECK], (d) => d.wavelength.set(1550.25e-9), {
      startup: STARTUP_550,
    });
  });

  it("refuses another instrument", async () => {
    const transport = new ReplayTransport([["*IDN?", "KEITHLEY INSTRUMENTS,MODEL 2450,1,1"]], {
      readTerminator: "\r",
    });
    await expect(attachSantecTsl(transport, { timeoutMs: 500 })).rejects.toBeInstanceOf(ProtocolError);
  });

  it("refuses to attach to a laser emitting more than the limit, turning its light off first", async () => {
    const transport = new ReplayTransport(
      [
        ["*IDN?", IDN_570],
        [":SYST:COMM:COD 1", null],
        [":SYST:COMM:COD?", "1"],
        [":WAV:SWE:RANG:MIN?", "+1.48000000E-006"],
        [":WAV:SWE:RANG:MAX?", "+1.64000000E-006"],
        [":POW:UNIT?", "1"],
        [":POW?", "+5.00000000E+000"],
        [":POW:ATT:AUTO?", "1"],
        [":POW:STAT?", "1"],
        [":POW:SHUT?", "0"],
        ...lightCheck("+5.00000000E+000", "1").slice(0, 3),
        // Refused: the light goes off before the refusal.
        [":WAV:SWE 0", null],
        [":POW:SHUT 1", null],
        [":POW:STAT 0", null],
        [":POW:STAT?", "0"],
        [":POW:SHUT?", "1"],
      ],
      { readTerminator: "\r" },
    );
    const error = await attachSantecTsl(transport, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).limit).toBe("maxOpticalPower");
    transport.assertDone();
  });

  it("counts the peak less the attenuator as what leaves the laser with automatic attenuation off", async () => {
    const startup: Exchange[] = STARTUP_570.map((e) =>
      e[0] === ":POW:ATT:AUTO?" ? [":POW:ATT:AUTO?", "0"] : e,
    );
    // 20 mW peak less 10 dB is 2 mW: over the 1 mW limit, whatever the setpoint says.
    const error = await expectProtocol(
      [
        [":POW:ATT:AUTO?", "0"],
        [":POW:ATT?", "+10.00"],
      ],
      (d) => d.lightOn(),
      { startup },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).requested).toBeCloseTo(2e-3, 9);
    // And the attenuator may not be turned down past the limit.
    const lower = await expectProtocol([[":POW:ATT:AUTO?", "0"]], (d) => d.attenuation.set(3), {
      startup,
    }).catch((e: unknown) => e);
    expect(lower).toBeInstanceOf(SafetyLimitError);
    await expectProtocol(
      [[":POW:ATT:AUTO?", "0"], [":POW:ATT 14", null], ERROR_CHECK],
      (d) => d.attenuation.set(14),
      {
        startup,
      },
    );
  });

  it("refuses to turn light on at a wavelength outside the bench's span", async () => {
    const error = await expectProtocol(
      [
        [":POW:ATT:AUTO?", "1"],
        [":POW:UNIT?", "0"],
        [":POW?", "+0.00000000E+000"],
        [":WAV?", "+1.60000000E-006"],
      ],
      (d) => d.lightOn(),
      { limits: { minWavelength: 1540e-9, maxWavelength: 1560e-9 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).limit).toBe("maxWavelength");
  });

  it("sends a power setpoint rounded down to the laser's 0.01 dBm, never above what was checked", async () => {
    // 1.3 mW is 1.1394 dBm: 1.13 dBm (1.2972 mW) goes out, not 1.14 (1.3002 mW).
    await expectProtocol([[":POW 1.13", null], ERROR_CHECK], (d) => d.power.set(1.3e-3), {
      limits: { maxOpticalPower: 1.3e-3 },
    });
  });
});

describe("resynchronising a TSL", () => {
  it("after a timeout, resyncs on its own *IDN? line, which no state query answers (not on *OPC?'s 0/1)", async () => {
    const state = await expectProtocol(
      [
        [":WAV:SWE?", null],
        ["*IDN?", IDN_570],
        [":WAV:SWE?", "0"],
      ],
      async (d) => {
        await expect(d.sweepState({ timeoutMs: 20 })).rejects.toBeInstanceOf(InstrumentTimeoutError);
        return d.sweepState();
      },
    );
    expect(state).toBe("stopped");
  });
});

describe("Santec TSL-570 settings", () => {
  it("sends wavelengths in m and reads them back in m", async () => {
    const read = await expectProtocol(
      [[":WAV 0.00000155", null], ERROR_CHECK, [":WAV?", "+1.55000000E-006"]],
      async (d) => {
        await d.wavelength.set(1550e-9);
        return d.wavelength.get();
      },
    );
    expect(read).toBeCloseTo(1.55e-6, 15);
  });

  it("tunes by polling *OPC? until it answers 1", async () => {
    await expectProtocol(
      [[":WAV 0.00000156", null], ERROR_CHECK, ["*OPC?", "0"], ["*OPC?", "0"], ["*OPC?", "1"]],
      (d) => d.tuneTo(1560e-9),
    );
  });

  it("gives up tuning at the deadline, naming the last poll", async () => {
    const error = await expectProtocol(
      [[":WAV 0.00000156", null], ERROR_CHECK, ["*OPC?", "0"], ["*OPC?", "0"], ["*OPC?", "0"]],
      (d) => d.tuneTo(1560e-9, { deadline: 0.02, pollInterval: 0.01 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).message).toMatch(/\*OPC\? → 0/);
  });

  it("refuses a wavelength outside the laser's range, naming it, before a byte", async () => {
    const error = await expectProtocol([], (d) => d.wavelength.set(1700e-9)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingRangeError);
    expect((error as Error).message).toMatch(/1700 nm is outside the laser's range, 1480–1640 nm/);
  });

  it("refuses a wavelength outside the bench's span before a byte", async () => {
    const error = await expectProtocol([], (d) => d.wavelength.set(1600e-9), {
      limits: { minWavelength: 1500e-9, maxWavelength: 1580e-9 },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).limit).toBe("maxWavelength");
  });

  it("sends power in the laser's unit: dBm, then mW after a unit change", async () => {
    await expectProtocol(
      [[":POW 0", null], ERROR_CHECK, [":POW:UNIT 1", null], ERROR_CHECK, [":POW 0.5", null], ERROR_CHECK],
      async (d) => {
        await d.power.set(1e-3);
        await d.powerUnit.set("mW");
        await d.power.set(0.5e-3);
      },
    );
  });

  it("refuses a power setpoint above the limit before a byte", async () => {
    const error = await expectProtocol([], (d) => d.power.set(2e-3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).limit).toBe("maxOpticalPower");
  });

  it("turns light on (diode, then shutter open: :POW:SHUT 0) after checking the setpoint", async () => {
    // Each switch that lets light out first reads afresh what would be emitted, and where.
    await expectProtocol(
      [
        ...lightCheck(),
        [":POW:STAT 1", null],
        ERROR_CHECK,
        ...lightCheck(),
        [":POW:SHUT 0", null],
        ERROR_CHECK,
      ],
      (d) => d.lightOn(),
    );
  });

  it("refuses to turn on light whose setpoint, set by someone else, is above the limit", async () => {
    const startup: Exchange[] = STARTUP_570.map((e) =>
      e[0] === ":POW?" ? [":POW?", "+1.00000000E+001"] : e,
    );
    const error = await expectProtocol(lightCheck("+1.00000000E+001").slice(0, 3), (d) => d.lightOn(), {
      startup,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).requested).toBeCloseTo(10e-3, 9);
  });

  it("reads the monitored power in the laser's unit", async () => {
    const watts = await expectProtocol([[":POW:ACT?", "-3.0103"]], (d) => d.monitoredPower());
    expect(watts).toBeCloseTo(0.5e-3, 9);
  });
});

describe("Santec TSL sweeps", () => {
  it("configures a continuous sweep field by field", async () => {
    await expectProtocol(
      [
        [":WAV:SWE:MOD 1", null],
        ERROR_CHECK,
        [":WAV:SWE:STAR 0.00000154", null],
        ERROR_CHECK,
        [":WAV:SWE:STOP 0.00000156", null],
        ERROR_CHECK,
        [":WAV:SWE:SPE 10", null],
        ERROR_CHECK,
        [":WAV:SWE:CYCL 1", null],
        ERROR_CHECK,
      ],
      (d) => d.configureSweep({ start: 1540e-9, stop: 1560e-9, mode: "continuous-one-way", speed: 10e-9 }),
    );
  });

  it("refuses a speed the TSL-570 does not have, naming the allowed set, before a byte", async () => {
    const error = await expectProtocol([], (d) =>
      d.configureSweep({ start: 1540e-9, stop: 1560e-9, mode: "continuous-one-way", speed: 15e-9 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingRangeError);
    expect((error as Error).message).toMatch(/15 nm\/s is not one of 1, 2, 5, 10, 20, 50, 100, 200 nm\/s/);
  });

  it("takes 0.5 to 100 nm/s in 0.1 steps on the TSL-550", async () => {
    await expectProtocol([[":WAV:SWE:SPE 12.3", null], ERROR_CHECK], (d) => d.sweepSpeed.set(12.3e-9), {
      startup: STARTUP_550,
    });
    const error = await expectProtocol([], (d) => d.sweepSpeed.set(150e-9), { startup: STARTUP_550 }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/from 0\.5 to 100 nm\/s in 0\.1 nm\/s steps/);
  });

  it("refuses a sweep reaching outside the bench's span before a byte", async () => {
    const error = await expectProtocol(
      [],
      (d) => d.configureSweep({ start: 1540e-9, stop: 1600e-9, mode: "stepped-one-way", step: 1e-12 }),
      { limits: { maxWavelength: 1580e-9 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
  });

  it("reads the span back and checks it before starting a sweep", async () => {
    await expectProtocol(
      [
        [":WAV:SWE:STAR?", "+1.54000000E-006"],
        [":WAV:SWE:STOP?", "+1.56000000E-006"],
        [":WAV:SWE 1", null],
        ERROR_CHECK,
      ],
      (d) => d.startSweep(),
    );
    const error = await expectProtocol(
      [
        [":WAV:SWE:STAR?", "+1.54000000E-006"],
        [":WAV:SWE:STOP?", "+1.62000000E-006"],
      ],
      (d) => d.startSweep(),
      { limits: { maxWavelength: 1580e-9 } },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
  });

  it("reads the sweep state and waits for its end", async () => {
    await expectProtocol(
      [
        [":WAV:SWE?", "1"],
        [":WAV:SWE?", "1"],
        [":WAV:SWE?", "0"],
      ],
      (d) => d.waitForSweep(),
    );
    expect(await expectProtocol([[":WAV:SWE?", "3"]], (d) => d.sweepState())).toBe("standby");
  });

  it("sets the trigger output every 1 pm of wavelength", async () => {
    await expectProtocol(
      [
        [":TRIG:OUTP 3", null],
        ERROR_CHECK,
        [":TRIG:OUTP:SETT 0", null],
        ERROR_CHECK,
        [":TRIG:OUTP:STEP 1e-12", null],
        ERROR_CHECK,
        [":TRIG:OUTP:STEP?", "+1.00000000E-012"],
      ],
      (d) => d.configureTriggerOutput({ when: "step", step: 1e-12, periodIn: "wavelength" }),
    );
  });

  it("returns the trigger step the laser holds after rounding it (0.15 pm asked, 0.2 pm held)", async () => {
    const held = await expectProtocol(
      [
        [":TRIG:OUTP 3", null],
        ERROR_CHECK,
        [":TRIG:OUTP:SETT 0", null],
        ERROR_CHECK,
        [":TRIG:OUTP:STEP 1.5e-13", null],
        ERROR_CHECK,
        [":TRIG:OUTP:STEP?", "+2.00000000E-013"],
      ],
      (d) => d.configureTriggerOutput({ when: "step", step: 0.15e-12, periodIn: "wavelength" }),
    );
    expect(held).toEqual({ when: "step", periodIn: "wavelength", step: 2e-13 });
  });

  it("reads the wavelength log: a block of int32 in 0.1 pm with no terminator after it", async () => {
    const wavelengths = [1550e-9, 1550.001e-9, 1550.002e-9];
    const log = await expectProtocol(
      [
        [":READ:POIN?", "3"],
        [":READ:DAT?", { raw: int32Block(wavelengths) }],
        [":WAV?", "+1.55000000E-006"],
      ],
      async (d) => {
        const values = await d.readLoggedWavelengths();
        // The next reply is read right: nothing after the block was waited for or left behind.
        await d.wavelength.get();
        return values;
      },
    );
    expect(Array.from(log).map((w) => w * 1e9)).toEqual(wavelengths.map((w) => expect.closeTo(w * 1e9, 6)));
  });

  it("refuses a block whose length disagrees with the count, naming the length and the formats tried", async () => {
    const error = await expectProtocol(
      [
        [":READ:POIN?", "4"],
        [":READ:DAT?", { raw: int32Block([1550e-9, 1551e-9, 1552e-9]) }],
      ],
      (d) => d.readLoggedWavelengths(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockFormatError);
    const message = (error as Error).message;
    expect(message).toMatch(/12-byte block/);
    expect(message).toMatch(/int32-0\.1pm \(declared\): 3 values.*\(not 4\)/);
    expect(message).toMatch(/float32-nm/);
    expect(message).toMatch(/float64-nm/);
  });
});

describe("wavelength log formats", () => {
  const range = { min: 1480e-9, max: 1640e-9 };

  it("refuses float32 data read as int32: every value outside the range", () => {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setFloat32(0, 1550, true);
    view.setFloat32(4, 1551, true);
    expect(() => decodeWavelengthLog("LASER", bytes, 2, "int32-0.1pm", range)).toThrow(
      /float32-nm: 2 values, first 1550/,
    );
    expect(Array.from(decodeWavelengthLog("LASER", bytes, 2, "float32-nm", range))).toEqual([
      expect.closeTo(1550e-9, 15),
      expect.closeTo(1551e-9, 15),
    ]);
  });
});

describe("Santec TSL shutdown", () => {
  it("stops a sweep, closes the shutter, turns the diode off and reads both back", async () => {
    await expectProtocol(
      [
        [":WAV:SWE 0", null],
        [":POW:SHUT 1", null],
        [":POW:STAT 0", null],
        [":POW:STAT?", "0"],
        [":POW:SHUT?", "1"],
      ],
      (d) => d.shutdown(),
    );
  });

  it("says so when the laser still reports light", async () => {
    const error = await expectProtocol(
      [
        [":WAV:SWE 0", null],
        [":POW:SHUT 1", null],
        [":POW:STAT 0", null],
        [":POW:STAT?", "1"],
        [":POW:SHUT?", "0"],
      ],
      (d) => d.shutdown(),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShutdownError);
    expect((error as Error).message).toMatch(/diode on, shutter open/);
  });
});

describe("every Santec TSL property", () => {
  /** Each property of the TSL-570's table: what `get` reads back and what `set` sends. */
  const CASES: ReadonlyArray<{ name: string; reply: string; value: unknown; sent: string }> = [
    { name: "wavelength", reply: "+1.55000000E-006", value: 1.55e-6, sent: ":WAV 0.00000155" },
    { name: "powerUnit", reply: "1", value: "mW", sent: ":POW:UNIT 1" },
    // Sent rounded down to the laser's 0.01 dBm: never more than was asked (and checked).
    { name: "power", reply: "-3.01029996", value: expect.closeTo(0.5e-3, 9), sent: ":POW -3.02" },
    { name: "diodeOn", reply: "1", value: true, sent: ":POW:STAT 1" },
    { name: "shutterOpen", reply: "0", value: true, sent: ":POW:SHUT 0" },
    { name: "attenuationAuto", reply: "1", value: true, sent: ":POW:ATT:AUTO 1" },
    { name: "attenuation", reply: "+5.00", value: 5, sent: ":POW:ATT 5" },
    { name: "sweepStart", reply: "+1.54000000E-006", value: 1.54e-6, sent: ":WAV:SWE:STAR 0.00000154" },
    { name: "sweepStop", reply: "+1.56000000E-006", value: 1.56e-6, sent: ":WAV:SWE:STOP 0.00000156" },
    { name: "sweepStep", reply: "+1.00000000E-012", value: 1e-12, sent: ":WAV:SWE:STEP 1e-12" },
    { name: "sweepSpeed", reply: "+20.0", value: expect.closeTo(20e-9, 20), sent: ":WAV:SWE:SPE 20" },
    { name: "sweepDwell", reply: "+0.5", value: 0.5, sent: ":WAV:SWE:DWEL 0.5" },
    { name: "sweepDelay", reply: "+1.0", value: 1, sent: ":WAV:SWE:DEL 1" },
    { name: "sweepCycles", reply: "+3", value: 3, sent: ":WAV:SWE:CYCL 3" },
    { name: "sweepMode", reply: "2", value: "stepped-two-way", sent: ":WAV:SWE:MOD 2" },
    { name: "triggerOutput", reply: "3", value: "step", sent: ":TRIG:OUTP 3" },
    { name: "triggerPeriodIn", reply: "1", value: "time", sent: ":TRIG:OUTP:SETT 1" },
  ];

  it("has a case for every property of the table", async () => {
    const driver = await expectProtocol([], async (d) => d);
    const names = Object.keys(driver.describeConfiguration());
    expect(CASES.map((c) => c.name).sort()).toEqual(names.sort());
  });

  /** The bound property `name` of a driver, typed loosely so one table drives every one. */
  const property = (d: SantecTsl, name: string) => {
    const bound = (d as unknown as Record<string, Property<unknown> | undefined>)[name];
    if (!bound) throw new Error(`no property ${name}`);
    return bound;
  };

  it.each(CASES)("$name: get() sends its query and decodes $reply", async ({ name, reply, value }) => {
    const query = await expectProtocol([], async (d) => property(d, name).spec.query);
    const got = await expectProtocol([[query, reply]], (d) => property(d, name).get());
    expect(got).toEqual(value);
  });

  it.each(CASES)("$name: set() sends $sent, then checks the error queue", async ({ name, value, sent }) => {
    // The values matched loosely above (closeTo) are set exactly here.
    const exact = name === "power" ? 0.5e-3 : name === "sweepSpeed" ? 20e-9 : value;
    // Light on (a switch) and automatic attenuation on are checked against what they would emit, read first.
    const before: Exchange[] =
      name === "diodeOn" || name === "shutterOpen"
        ? lightCheck()
        : name === "attenuation"
          ? [[":POW:ATT:AUTO?", "1"]]
          : name === "attenuationAuto"
            ? [
                [":POW:UNIT?", "0"],
                [":POW?", "+0.00000000E+000"],
              ]
            : [];
    await expectProtocol([...before, [sent, null], ERROR_CHECK], (d) => property(d, name).set(exact));
  });
});

describe("the other Santec TSL verbs", () => {
  it("stops a sweep, waits until idle, reads its configuration with units", async () => {
    await expectProtocol([[":WAV:SWE 0", null], ERROR_CHECK], (d) => d.stopSweep());
    await expectProtocol(
      [
        ["*OPC?", "0"],
        ["*OPC?", "1"],
      ],
      (d) => d.waitUntilIdle(),
    );
    const config = await expectProtocol(
      [
        [":WAV?", "+1.55000000E-006"],
        [":POW:UNIT?", "0"],
        [":POW?", "+0.00000000E+000"],
        [":POW:STAT?", "0"],
        [":POW:SHUT?", "1"],
        [":POW:ATT:AUTO?", "1"],
        [":POW:ATT?", "+0.00"],
        [":WAV:SWE:STAR?", "+1.50000000E-006"],
        [":WAV:SWE:STOP?", "+1.60000000E-006"],
        [":WAV:SWE:STEP?", "+1.00000000E-012"],
        [":WAV:SWE:SPE?", "+10.0"],
        [":WAV:SWE:DWEL?", "+0.0"],
        [":WAV:SWE:DEL?", "+0.0"],
        [":WAV:SWE:CYCL?", "+1"],
        [":WAV:SWE:MOD?", "1"],
        [":TRIG:OUTP?", "0"],
        [":TRIG:OUTP:SETT?", "0"],
      ],
      (d) => d.readConfiguration(),
    );
    expect(config.wavelength).toMatchObject({ value: 1.55e-6, unit: "m" });
    expect(config.power).toMatchObject({ value: 1e-3, unit: "W" });
    expect(config.sweepMode).toMatchObject({ value: "continuous-one-way", unit: null });
  });
});
