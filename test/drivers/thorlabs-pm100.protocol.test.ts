/**
 * Protocol replay of the Thorlabs PM100 driver (STYLE.md 3): start-up, every
 * property and verb as the exact exchange it makes, the sensor's flags, and
 * the meter with no sensor.
 */
import { describe, expect, it } from "vitest";
import {
  NoSensorError,
  OperationTimeoutError,
  ProtocolError,
  SettingRangeError,
} from "../../src/drivers/errors.js";
import { attachThorlabsPm100 } from "../../src/drivers/instruments/connect-thorlabs-pm100.js";
import { parseSensorIdentity, type ThorlabsPm100 } from "../../src/drivers/instruments/thorlabs-pm100.js";
import { type Exchange, ReplayTransport } from "../../src/drivers/transports/replay.js";
import { steppedTimebase } from "./support/stepped-timebase.js";

const IDN = "Thorlabs,PM100USB,P2000123,1.7.0";
/** An S144C InGaAs head: a power sensor whose wavelength can be set (flags 1 + 32). */
const SENSOR = "S144C,19010123,12-Mar-2019,2,18,33";
const ERROR_CHECK: Exchange = [":SYST:ERR?", '0,"No error"'];

function startup(sensor = SENSOR): Exchange[] {
  return [
    ["*IDN?", IDN],
    ["SYST:SENS:IDN?", sensor],
    ["SENS:CORR:WAV? MIN", "8.000000E+02"],
    ["SENS:CORR:WAV? MAX", "1.700000E+03"],
    ["SENS:POW:UNIT W", null],
    ERROR_CHECK,
    ["SENS:AVER:COUN?", "10"],
    ["*CLS", null],
  ];
}

async function expectProtocol<T>(
  exchanges: readonly Exchange[],
  call: (driver: ThorlabsPm100) => Promise<T>,
  sensor = SENSOR,
): Promise<T> {
  const transport = new ReplayTransport([...startup(sensor), ...exchanges]);
  const driver = await attachThorlabsPm100(transport, { timeoutMs: 500, timebase: steppedTimebase() });
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

describe("PM100 start-up", () => {
  it("reads the sensor and its correction range, and puts readings in W", async () => {
    const driver = await expectProtocol([], async (d) => d);
    expect(driver.attachedSensor).toMatchObject({ name: "S144C", flags: 33, wavelengthSettable: true });
    expect(driver.correctionRange.min).toBeCloseTo(800e-9, 15);
    expect(driver.correctionRange.max).toBeCloseTo(1700e-9, 15);
  });

  it("refuses a meter with no sensor, saying so", async () => {
    const transport = new ReplayTransport([
      ["*IDN?", IDN],
      ["SYST:SENS:IDN?", "no sensor,,,0,0,0"],
    ]);
    const error = await attachThorlabsPm100(transport, { timeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoSensorError);
    expect((error as Error).message).toMatch(/no power sensor is attached/);
    transport.assertDone();
  });

  it("refuses another instrument", async () => {
    const transport = new ReplayTransport([["*IDN?", "SANTEC,TSL-570,1,1"]]);
    await expect(attachThorlabsPm100(transport, { timeoutMs: 500 })).rejects.toBeInstanceOf(ProtocolError);
  });
});

describe("SYST:SENS:IDN?", () => {
  it.each([
    ["S130C,17071234,04-Jul-2017,1,18,33", { isPowerSensor: true, wavelengthSettable: true }],
    ["S122C,1,01-Jan-2020,2,18,289", { isPowerSensor: true, wavelengthSettable: true }],
    ["S401C,1,01-Jan-2020,3,17,1", { isPowerSensor: true, wavelengthSettable: false }],
  ])("parses %s, small flags included", (reply, flags) => {
    expect(parseSensorIdentity(reply)).toMatchObject(flags);
  });

  it("refuses what is not six fields", () => {
    expect(parseSensorIdentity("S130C,1,2,3,4")).toBeUndefined();
    expect(parseSensorIdentity("S130C,1,2,a,4,5")).toBeUndefined();
  });
});

describe("PM100 settings and readings", () => {
  it("sends the correction wavelength in nm", async () => {
    const read = await expectProtocol(
      [["SENS:CORR:WAV 1550", null], ERROR_CHECK, ["SENS:CORR:WAV?", "1.550000E+03"]],
      async (d) => {
        await d.wavelength.set(1550e-9);
        return d.wavelength.get();
      },
    );
    expect(read).toBeCloseTo(1550e-9, 15);
  });

  it("refuses a correction wavelength outside the sensor's range before a byte", async () => {
    const error = await expectProtocol([], (d) => d.wavelength.set(2000e-9)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingRangeError);
  });

  it("refuses a wavelength for a sensor whose flags say it takes none", async () => {
    const error = await expectProtocol(
      [],
      (d) => d.wavelength.set(1550e-9),
      "S401C,1,01-Jan-2020,3,17,1",
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SettingRangeError);
    expect((error as Error).message).toMatch(/S401C \(flags 1\) does not take a wavelength/);
  });

  it("sets range, auto range and averaging", async () => {
    await expectProtocol(
      [
        ["SENS:POW:RANG:AUTO OFF", null],
        ERROR_CHECK,
        ["SENS:POW:RANG:UPP 0.001", null],
        ERROR_CHECK,
        ["SENS:AVER:COUN 10", null],
        ERROR_CHECK,
      ],
      async (d) => {
        await d.autoRange.set(false);
        await d.range.set(1e-3);
        await d.averageCount.set(10);
      },
    );
  });

  it("measures in W, and converts dBm readings to W", async () => {
    const [watts, fromDbm] = await expectProtocol(
      [
        ["MEAS:POW?", "1.234000E-04"],
        ["SENS:POW:UNIT DBM", null],
        ERROR_CHECK,
        ["MEAS:POW?", "-3.010300E+00"],
      ],
      async (d) => {
        const a = await d.read();
        await d.powerUnit.set("dBm");
        return [a, await d.read()];
      },
    );
    expect(watts).toBeCloseTo(1.234e-4, 12);
    expect(fromDbm).toBeCloseTo(0.5e-3, 9);
  });

  it("gives a reading's window from the averaging count: read at connection, then as set", async () => {
    const windows = await expectProtocol([["SENS:AVER:COUN 100", null], ERROR_CHECK], async (d) => {
      const first = await d.readingWindow();
      const again = await d.readingWindow();
      await d.averageCount.set(100);
      return [first, again, await d.readingWindow()];
    });
    expect(windows).toEqual([expect.closeTo(0.03, 12), expect.closeTo(0.03, 12), expect.closeTo(0.3, 12)]);
  });

  it("starts a reading and fetches it", async () => {
    const watts = await expectProtocol(
      [["CONF:POW", null], ["INIT", null], ERROR_CHECK, ["FETC?", "5.000000E-06"]],
      async (d) => {
        await d.initiate();
        return d.fetch();
      },
    );
    expect(watts).toBe(5e-6);
  });

  it("zeroes the dark offset and returns it", async () => {
    const offset = await expectProtocol(
      [
        ["SENS:CORR:COLL:ZERO:INIT", null],
        ["SENS:CORR:COLL:ZERO:STAT?", "1"],
        ["SENS:CORR:COLL:ZERO:STAT?", "0"],
        ["SENS:CORR:COLL:ZERO:MAGN?", "2.100000E-09"],
      ],
      (d) => d.zero(),
    );
    expect(offset).toBe(2.1e-9);
  });

  it("gives up a zero that does not end by the deadline", async () => {
    const error = await expectProtocol(
      [
        ["SENS:CORR:COLL:ZERO:INIT", null],
        ["SENS:CORR:COLL:ZERO:STAT?", "1"],
        ["SENS:CORR:COLL:ZERO:STAT?", "1"],
      ],
      (d) => d.zero({ deadline: 0.05, pollInterval: 0.05 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationTimeoutError);
  });

  it("reads the sensor again", async () => {
    const sensor = await expectProtocol([["SYST:SENS:IDN?", SENSOR]], (d) => d.sensor());
    expect(sensor.serial).toBe("19010123");
  });
});
