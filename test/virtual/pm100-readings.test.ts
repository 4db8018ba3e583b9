/**
 * The virtual PM100USB's readings: the wavelength correction and its error,
 * the dark level and the dark zero, ranges and overflow, units, noise, and
 * time on the bench clock (averaging, INIT/FETC?, overlap with another meter).
 */
import { describe, expect, it } from "vitest";
import { createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import {
  COMMAND_LATENCY_PM100,
  RANGE_NOISE_FRACTION,
  responsivityAt,
  S144C,
  SAMPLE_TIME,
  ZERO_DURATION,
} from "../../src/virtual/thorlabs-pm100/index.js";
import { DARKLESS_S144C, pm100 } from "./pm100-helpers.js";

const NM = 1e-9;
const R = (nm: number) => responsivityAt(S144C, nm * NM);

type ManualClock = { advance(seconds: number): Promise<void> };

/** Resolves `reply` after moving a manual clock on by `seconds`. */
async function advancing<T>(clock: ManualClock, seconds: number, reply: Promise<T>): Promise<T> {
  await clock.advance(seconds);
  return reply;
}

/** A reply on a manual clock: the clock moves on a millisecond at a time until it comes (a reply waits for the command latency). */
async function ask<T>(clock: ManualClock, reply: Promise<T>): Promise<T> {
  while (!(await settled(reply))) await clock.advance(1e-3);
  return reply;
}

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("the wavelength correction", () => {
  it.each([
    [1550, 1550],
    [1550, 1310],
    [1310, 1550],
    [1064, 1550],
    [1600, 900],
    [1700, 800],
  ])("light at %d nm, corrected for %d nm: true power × R(λ)/R(λset)", async (trueNm, setNm) => {
    const { send, detector } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    detector.wavelength = trueNm * NM;
    const reading = Number(await send(`SENS:CORR:WAV ${setNm};:READ?`));
    expect(reading / ((1e-3 * R(trueNm)) / R(setNm))).toBeCloseTo(1, 6);
  });

  it("light outside the head's table gives no photocurrent", async () => {
    const { send, detector } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    detector.wavelength = 633 * NM;
    expect(await send("READ?")).toBe("0.000000E+00");
  });

  it("reads current (CONF:CURR, MEAS:CURR?) as R(λ)·P, whatever the correction wavelength", async () => {
    const { send, detector } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 2e-3;
    expect(Number(await send("SENS:CORR:WAV 1000;:MEAS:CURR?"))).toBeCloseTo(2e-3 * R(1550), 12);
    expect(await send("CONF?")).toBe("CURR");
    expect(Number(await send("READ?"))).toBeCloseTo(2e-3 * R(1550), 12);
  });

  it("in dBm re 1 mW, and with an attenuation correction in dB", async () => {
    const { send, detector } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    // 0 dBm, to the photodiode model's soft saturation (tanh: 3e-11 below linear at 9.8 µA).
    expect(Number(await send("SENS:POW:UNIT DBM;:MEAS:POW?"))).toBeCloseTo(0, 9);
    detector.power = 1e-4;
    expect(await send("READ?")).toBe("-1.000000E+01");
    expect(await send("CORR 3;:READ?")).toBe("-7.000000E+00");
    expect(Number(await send("SENS:POW:UNIT W;:READ?")) / (1e-4 * 10 ** 0.3)).toBeCloseTo(1, 6);
  });
});

describe("the dark level and the dark zero", () => {
  it("reads the dark current as power until zeroed; the zero removes it", async () => {
    const { send, instrument } = pm100();
    expect(Number(await send("READ?")) / (S144C.darkCurrent / R(1550))).toBeCloseTo(1, 6);
    await send("SENS:CORR:COLL:ZERO:INIT");
    expect(await send("*OPC?")).toBe("1");
    expect(await send("SENS:CORR:COLL:ZERO:STAT?")).toBe("0");
    expect(await send("SENS:CORR:COLL:ZERO:MAGN?")).toBe("2.000000E-11");
    expect(instrument.zeroCurrent).toBe(S144C.darkCurrent);
    expect(await send("READ?")).toBe("0.000000E+00");
  });

  it("zeroing with the light on takes the light for dark: readings fall by it, below zero once it is off", async () => {
    const { send, detector } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    await send("SENS:CORR:COLL:ZERO;*WAI");
    expect(await send("READ?")).toBe("0.000000E+00");
    detector.power = 0;
    expect(Number(await send("READ?"))).toBeCloseTo(-1e-3, 12);
    // No power level in dBm: −∞, sent as −9.9E37.
    expect(await send("SENS:POW:UNIT DBM;:READ?")).toBe("-9.900000E+37");
  });

  it("runs for ZERO_DURATION on the bench clock; :STAT? is 1 meanwhile, readings wait for it, :ABOR keeps the old zero", async () => {
    const clock = createBenchClock("manual");
    const { instrument, send } = pm100({ clock });
    await send("SENS:CORR:COLL:ZERO");
    expect(await ask(clock, send("SENS:CORR:COLL:ZERO:STAT?"))).toBe("1");
    expect(Number(await ask(clock, send("STAT:OPER:COND?"))) & 0x80).toBe(0x80);
    const reading = send("READ?");
    await clock.advance(ZERO_DURATION / 2);
    expect(await settled(reading)).toBe(false);
    await clock.advance(ZERO_DURATION / 2 + SAMPLE_TIME + 0.01);
    expect(await reading).toBe("0.000000E+00");
    expect(instrument.zeroCurrent).toBe(S144C.darkCurrent);
    await send("SENS:CORR:COLL:ZERO;:SENS:CORR:COLL:ZERO:ABOR");
    expect(await ask(clock, send("SENS:CORR:COLL:ZERO:STAT?"))).toBe("0");
    await clock.advance(2 * ZERO_DURATION);
    expect(instrument.zeroCurrent).toBe(S144C.darkCurrent);
  });
});

describe("ranges", () => {
  it("autorange picks the smallest current range holding the reading", async () => {
    const { send, detector, instrument } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 1e-3; // 9.8 µA
    await send("READ?");
    expect(instrument.currentRange).toBe(50e-6);
    expect(instrument.powerRange).toBeCloseTo(50e-6 / R(1550), 15);
    expect(Number(await send("SENS:POW:RANG?"))).toBeCloseTo(50e-6 / R(1550), 9);
  });

  it("a fixed range too small overflows (9.9E37) and raises the questionable power bit", async () => {
    const { send, detector } = pm100({ sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    expect(await send("SENS:CURR:RANG 5e-8;:READ?")).toBe("9.900000E+37");
    expect(await send("STAT:QUES:COND?")).toBe("8");
    expect(await send("SENS:POW:RANG:AUTO ON;:READ?;:STAT:QUES:COND?")).toBe("1.000000E-03;0");
    expect(Number(await send("STAT:QUES?")) & 8).toBe(8);
  });

  it("the power range follows the correction wavelength: full-scale current over R(λset)", async () => {
    const { send } = pm100();
    await send("SENS:CURR:RANG 5e-3");
    expect(Number(await send("SENS:POW:RANG?"))).toBeCloseTo(5e-3 / R(1550), 6);
    expect(Number(await send("SENS:CORR:WAV 900;:SENS:POW:RANG?"))).toBeCloseTo(5e-3 / R(900), 6);
  });
});

describe("time on the bench clock", () => {
  it("a reading takes averaging count × 3 ms; the head is read at the end of that window", async () => {
    const clock = createBenchClock("manual");
    const { send, detector } = pm100({ clock, sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    await send("SENS:AVER 100");
    const reading = send("READ?");
    await clock.advance(100 * SAMPLE_TIME);
    expect(await settled(reading)).toBe(false);
    await clock.advance(3 * COMMAND_LATENCY_PM100);
    expect(await reading).toBe("1.000000E-03");
    expect(detector.reads).toHaveLength(1);
    expect(detector.reads[0]).toBeCloseTo(2 * COMMAND_LATENCY_PM100 + 100 * SAMPLE_TIME, 12);
  });

  it("two meters' readings on one clock overlap rather than add up", async () => {
    const clock = createBenchClock("manual");
    const a = pm100({ clock });
    const b = pm100({ clock });
    const readings = [a.send("SENS:AVER 100;:READ?"), b.send("SENS:AVER 100;:READ?")];
    await clock.advance(100 * SAMPLE_TIME + 2 * COMMAND_LATENCY_PM100);
    await Promise.all(readings);
    expect(a.detector.reads[0]).toBeCloseTo(b.detector.reads[0] as number, 12);
    expect(clock.now()).toBeLessThan(2 * 100 * SAMPLE_TIME);
  });

  it("INIT starts a reading and returns; FETC? waits for its end; FETC? again gives the same reading", async () => {
    const clock = createBenchClock("manual");
    const { send, detector } = pm100({ clock, sensor: DARKLESS_S144C });
    detector.power = 1e-3;
    await send("SENS:AVER 200;:INIT");
    const started = clock.now();
    expect(Number(await ask(clock, send("STAT:OPER:COND?"))) & 0x10).toBe(0x10);
    const fetched = send("FETC?");
    await clock.advance(200 * SAMPLE_TIME - 0.01);
    expect(await settled(fetched)).toBe(false);
    detector.power = 2e-3; // the light when the window ends is what is read
    expect(await advancing(clock, 0.02, fetched)).toBe("2.000000E-03");
    // The window began at the line's effect, one command latency after it came.
    expect(detector.reads[0]).toBeCloseTo(started + COMMAND_LATENCY_PM100 + 200 * SAMPLE_TIME, 12);
    detector.power = 3e-3;
    expect(await advancing(clock, 0.01, send("FETC?"))).toBe("2.000000E-03");
    expect(Number(await advancing(clock, 0.01, send("STAT:OPER:COND?"))) & 0x210).toBe(0x200);
    expect(detector.reads).toHaveLength(1);
  });

  it("*OPC? answers once the reading INIT started is done", async () => {
    const clock = createBenchClock("manual");
    const { send } = pm100({ clock });
    const opc = send("SENS:AVER 50;:INIT;*OPC?");
    await clock.advance(50 * SAMPLE_TIME - 0.001);
    expect(await settled(opc)).toBe(false);
    expect(await advancing(clock, 0.01, opc)).toBe("1");
  });

  it("ABOR drops the reading: FETC? then has no data (-230); so does CONF", async () => {
    const { send, errors } = pm100();
    await send("INIT;ABOR");
    expect(await send("FETC?")).toBeUndefined();
    await send("READ?");
    await send("CONF:POW");
    expect(await send("FETC?")).toBeUndefined();
    expect(await errors()).toEqual([-230, -230]);
  });

  it("the data-ready bit reaches QCoDeS' STAT:OPER? through its positive-transition filter", async () => {
    const { send } = pm100();
    await send("STAT:OPER:PTR 512;NTR 0");
    expect(await send("STAT:OPER?")).toBe("256"); // sensor connected, latched at power-on
    await send("INIT");
    await send("FETC?");
    expect(await send("STAT:OPER?")).toBe("512");
    expect(await send("STAT:OPER?")).toBe("0");
  });
});

describe("noise", () => {
  /** rms of one dark reading at averaging `count`, W: the head's resolution and the range term (shot noise is negligible). */
  const darkSigma = (count: number) =>
    Math.sqrt((S144C.resolution * 1e-2) ** 2 + (RANGE_NOISE_FRACTION * 50e-9) ** 2) /
    Math.sqrt(count) /
    R(1550);

  async function darkReadings(count: number, n: number, seed = 7): Promise<number[]> {
    const { send } = pm100({ noise: true, seed });
    await send(`SENS:AVER ${count}`);
    const values: number[] = [];
    for (let i = 0; i < n; i++) values.push(Number(await send("READ?")));
    return values;
  }

  const stats = (values: number[]) => {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    return { mean, sd };
  };

  it("has the head's resolution as the rms of a one-sample reading, around the dark level", async () => {
    const { mean, sd } = stats(await darkReadings(1, 400));
    expect(sd / darkSigma(1)).toBeGreaterThan(0.85);
    expect(sd / darkSigma(1)).toBeLessThan(1.15);
    expect(Math.abs(mean - S144C.darkCurrent / R(1550))).toBeLessThan((4 * darkSigma(1)) / Math.sqrt(400));
  });

  it("falls as 1/√count with averaging", async () => {
    const { sd } = stats(await darkReadings(100, 400));
    expect(sd / darkSigma(100)).toBeGreaterThan(0.85);
    expect(sd / darkSigma(100)).toBeLessThan(1.15);
  });

  it("is seeded: the same seed gives the same readings, another seed others", async () => {
    expect(await darkReadings(1, 5, 3)).toEqual(await darkReadings(1, 5, 3));
    expect(await darkReadings(1, 5, 3)).not.toEqual(await darkReadings(1, 5, 4));
  });
});
