/**
 * The virtual TSL-570 in time: `*OPC?` across a tune, sweeps (preparation,
 * cycles, returns, delays, dwells, stop, soft trigger), the wavelength log
 * they leave, and the light — which follows the sweep on the bench clock,
 * into a chip through the fibre array — with its noise.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createVirtualDemoChip, type VirtualDemoChip } from "../../src/virtual/chip/demo-chip.js";
import { FibreArray } from "../../src/virtual/chip/fibre-array.js";
import { type BenchClock, createBenchClock } from "../../src/virtual/clock/bench-clock.js";
import { COMMAND_LATENCY_TSL570, tuningTime } from "../../src/virtual/santec-tsl570/ranges.js";
import { decodeLog, tsl570 } from "./tsl570-helpers.js";

const LATENCY = COMMAND_LATENCY_TSL570;
const nm = (m: number) => m * 1e9;

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0).reverse()) close();
});

function manualClock(): BenchClock {
  const clock = createBenchClock("manual");
  closers.push(() => clock.close());
  return clock;
}

/** A laser on a manual clock, set up with `setup`, then idle until `at` s. */
async function laserAt(at: number, setup: string) {
  const clock = manualClock();
  const laser = tsl570({ clock });
  await laser.send(setup);
  expect(await laser.errors()).toEqual([]);
  await clock.advance(at - clock.now());
  return laser;
}

/** The payload of a `:READout:DATa?` reply, checked to be one whole block. */
function block(reply: string | undefined): Buffer {
  const bytes = Buffer.from(reply ?? "", "latin1");
  const digits = Number(String.fromCharCode(bytes[1] as number));
  const length = Number(bytes.subarray(2, 2 + digits).toString("latin1"));
  expect(bytes[0]).toBe(0x23);
  expect(bytes.length).toBe(2 + digits + length);
  return bytes.subarray(2 + digits);
}

describe("*OPC? does not wait: 0 while the laser tunes, 1 once it has settled", () => {
  it("on the manual clock, across a 10 nm tune (200 nm/s, then 0.1 s to settle)", async () => {
    const { send, instrument, clock } = await laserAt(1, "");
    await send(":WAV 1560");
    const t0 = 1 + LATENCY;
    const done = t0 + tuningTime(10e-9);
    expect(done - t0).toBeCloseTo(0.15, 12);
    expect(await send("*OPC?")).toBe("0");
    expect(await send(":WAV?")).toBe("1560.0000");
    expect(instrument.busy).toBe(true);
    // The wavelength moves with the clock, then holds while it settles.
    expect(nm(instrument.lightAt(t0 + 0.025).wavelength)).toBeCloseTo(1555, 9);
    expect(nm(instrument.lightAt(t0 + 0.06).wavelength)).toBeCloseTo(1560, 9);
    await clock.advance(done - 0.01 - clock.now());
    expect(await send("*OPC?")).toBe("0");
    await clock.advance(done + 0.01 - clock.now());
    expect(await send("*OPC?")).toBe("1");
    expect(instrument.busy).toBe(false);
  });

  it("on the event clock, a polling loop sees 1 first within one command latency of the tune's end", async () => {
    const { send, clock } = tsl570();
    closers.push(() => clock.close());
    await send(":WAV 1560");
    const done = LATENCY + tuningTime(10e-9);
    let zeros = 0;
    while ((await send("*OPC?")) === "0") zeros += 1;
    expect(zeros).toBeGreaterThan(100);
    expect(clock.now()).toBeGreaterThanOrEqual(done);
    expect(clock.now()).toBeLessThan(done + LATENCY + 1e-9);
  });
});

describe("a continuous one-way sweep (1500 → 1510 nm at 10 nm/s, a trigger every 0.1 nm)", () => {
  const SETUP =
    ":WAV:SWE:STAR 1500;STOP 1510;SPE 10;MOD 1;:TRIG:OUTP 3;:TRIG:OUTP:STEP 0.1;:POW:STAT 1;:WAV 1550";
  const t0 = 1 + LATENCY;
  // Preparation: 1550 → 1500 nm at 200 nm/s, and 0.1 s to settle.
  const runFrom = t0 + 0.35;

  it("prepares, runs for span/speed, stops on the stop wavelength, and is done", async () => {
    const { send, instrument, clock } = await laserAt(1, SETUP);
    await send(":WAV:SWE 1");
    expect(await send(":WAV:SWE?;*OPC?")).toBe("4;0");
    expect(instrument.sweepState).toBe("preparing");
    expect(nm(instrument.lightAt(t0 + 0.125).wavelength)).toBeCloseTo(1525, 9);
    await clock.advance(runFrom + 0.5 - clock.now());
    expect(await send(":WAV:SWE?;:WAV:SWE:COUN?;*OPC?")).toBe("1;0;0");
    expect(await send(":READ:POIN?")).toBe("51");
    await clock.advance(runFrom + 1 - 1.5 * LATENCY - clock.now());
    expect(await send(":WAV:SWE?")).toBe("1");
    await clock.advance(0.01);
    expect(await send(":WAV:SWE?;:WAV:SWE:COUN?;*OPC?;:WAV?")).toBe("0;1;1;1510.0000");
    expect(instrument.sweepState).toBe("stopped");
  });

  it("emits the wavelength the sweep is at, as the clock moves", async () => {
    const { send, instrument } = await laserAt(1, SETUP);
    await send(":WAV:SWE 1");
    for (const u of [0, 0.2345, 0.5, 0.75, 1]) {
      const light = instrument.lightAt(runFrom + u);
      expect(nm(light.wavelength)).toBeCloseTo(1500 + 10 * u, 9);
      expect(light.power).toBeCloseTo(1e-3, 15);
    }
    expect(nm(instrument.lightAt(runFrom + 3).wavelength)).toBeCloseTo(1510, 9);
  });

  it("logs one wavelength per trigger: 101 points, int32 little-endian in 0.1 pm, 4 bytes each", async () => {
    const { send, instrument, clock } = await laserAt(1, SETUP);
    await send(":WAV:SWE 1");
    await clock.advance(runFrom + 2 - clock.now());
    expect(await send(":READout:POINts?")).toBe("101");
    const payload = block(await send(":READout:DATa?"));
    expect(payload.length).toBe(101 * 4);
    const logged = decodeLog(payload);
    logged.forEach((value, k) => {
      expect(value).toBeCloseTo(1500 + 0.1 * k, 4);
      expect(payload.readInt32LE(4 * k)).toBe(15_000_000 + 1000 * k);
    });
    // Each trigger's time is where the sweep had that wavelength: what the light was then.
    const { times, wavelengths } = instrument.log;
    expect(times).toHaveLength(101);
    times.forEach((time, k) => {
      expect(time).toBeCloseTo(runFrom + 0.01 * k, 12);
      expect(nm(instrument.lightAt(time).wavelength)).toBeCloseTo(nm(wavelengths[k] as number), 9);
    });
  });

  it("triggers periodic in time (:TRIG:OUTP:SETT 1) fall at the same wavelengths on its exact sweep", async () => {
    const { send, clock } = await laserAt(1, `${SETUP};:TRIG:OUTP:SETT 1`);
    await send(":WAV:SWE 1");
    await clock.advance(3);
    expect(decodeLog(block(await send(":READ:DAT?")))).toHaveLength(101);
  });
});

describe("other sweeps", () => {
  it("a stepped two-way sweep dwells at each step, turns once at the stop, and logs each step", async () => {
    const { send, instrument, clock } = await laserAt(
      1,
      ":WAV:SWE:STAR 1500;STOP 1500.5;STEP 0.1;DWEL 0.1;SPE 1;MOD 2;:TRIG:OUTP 3;:WAV 1550",
    );
    await send(":WAV:SWE 1");
    const runFrom = 1 + LATENCY + 0.35;
    // Each step: 0.1 s to move 0.1 nm at 1 nm/s, then 0.1 s of dwell.
    expect(nm(instrument.lightAt(runFrom + 0.25).wavelength)).toBeCloseTo(1500.1, 9);
    expect(nm(instrument.lightAt(runFrom + 0.35).wavelength)).toBeCloseTo(1500.15, 9);
    expect(nm(instrument.lightAt(runFrom + 1.05).wavelength)).toBeCloseTo(1500.5, 9);
    expect(nm(instrument.lightAt(runFrom + 1.15).wavelength)).toBeCloseTo(1500.45, 9);
    await clock.advance(runFrom + 2.1 - 1.5 * LATENCY - clock.now());
    expect(await send(":WAV:SWE?")).toBe("1");
    await clock.advance(0.01);
    expect(await send(":WAV:SWE?;:WAV?")).toBe("0;1500.0000");
    const payload = block(await send(":READ:DAT?"));
    expect(Array.from({ length: payload.length / 4 }, (_, k) => payload.readInt32LE(4 * k))).toEqual(
      [0, 1, 2, 3, 4, 5, 4, 3, 2, 1, 0].map((k) => 15_000_000 + 1000 * k),
    );
    const arrivals = [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2];
    expect(instrument.log.times).toHaveLength(arrivals.length);
    instrument.log.times.forEach((time, k) => {
      expect(time - runFrom).toBeCloseTo(arrivals[k] as number, 9);
    });
  });

  it(":WAV:SWE:REP runs :CYCL cycles, returning to the start and waiting the delay in between", async () => {
    const { send, instrument, clock } = await laserAt(
      1,
      ":WAV:SWE:STAR 1500;STOP 1501;SPE 10;MOD 1;CYCL 3;DEL 0.5;:TRIG:OUTP 1;:WAV 1500",
    );
    await send(":WAV:SWE:REP");
    const runFrom = 1 + LATENCY + tuningTime(0);
    // A cycle: 0.1 s; between: back to 1500 nm (5 ms, 0.1 s to settle), then the 0.5 s delay.
    const period = 0.1 + tuningTime(1e-9) + 0.5;
    expect(nm(instrument.lightAt(runFrom + 0.1 + 0.0025).wavelength)).toBeCloseTo(1500.5, 9);
    expect(nm(instrument.lightAt(runFrom + 0.4).wavelength)).toBeCloseTo(1500, 9);
    await clock.advance(runFrom + 0.2 - clock.now());
    expect(await send(":WAV:SWE?;:WAV:SWE:COUN?")).toBe("1;1");
    await clock.advance(runFrom + period + 0.05 - clock.now());
    expect(await send(":WAV:SWE:COUN?")).toBe("1");
    await clock.advance(runFrom + 2 * period + 0.1 + 0.01 - clock.now());
    expect(await send(":WAV:SWE?;:WAV:SWE:COUN?;*OPC?")).toBe("0;3;1");
    // Trigger output 1: one trigger at each cycle's stop.
    expect(decodeLog(block(await send(":READ:DAT?")))).toEqual([1501, 1501, 1501]);
    instrument.log.times.forEach((time, k) => {
      expect(time).toBeCloseTo(runFrom + k * period + 0.1, 12);
    });
  });

  it("repeats until stopped with :CYCL 0; :WAV:SWE 0 stops it where it is and keeps its log", async () => {
    const { send, instrument, clock } = await laserAt(
      1,
      ":WAV:SWE:STAR 1500;STOP 1510;SPE 100;MOD 3;CYCL 0;:TRIG:OUTP 2;:WAV 1500",
    );
    await send(":WAV:SWE:REP");
    await clock.advance(10);
    // 9.9 s into cycles of 0.2 s (10 nm there and back at 100 nm/s): the 50th runs.
    expect(await send(":WAV:SWE?;:WAV:SWE:COUN?")).toBe("1;49");
    await send(":WAV:SWE 0");
    const stoppedAt = clock.now() + LATENCY;
    const here = nm(instrument.lightAt(stoppedAt).wavelength);
    await clock.advance(1);
    expect(await send(":WAV:SWE?;*OPC?;:WAV:SWE:COUN?")).toBe("0;1;49");
    expect(nm(instrument.lightAt(clock.now()).wavelength)).toBeCloseTo(here, 9);
    expect(Number(await send(":WAV?"))).toBeCloseTo(here, 4);
    // Trigger output 2: one at each cycle's start, the 50th's included.
    expect(await send(":READ:POIN?")).toBe("50");
  });

  it("stands by after its preparation with :TRIG:INP:STAN 1 until a soft trigger", async () => {
    const { send, instrument, clock } = await laserAt(
      1,
      ":WAV:SWE:STAR 1500;STOP 1510;SPE 10;MOD 1;:TRIG:OUTP 3;:TRIG:OUTP:STEP 1;:TRIG:INP:STAN 1;:WAV 1500",
    );
    await send(":WAV:SWE 1");
    await clock.advance(5);
    expect(await send(":WAV:SWE?;*OPC?;:READ:POIN?")).toBe("3;0;0");
    expect(instrument.sweepState).toBe("standby");
    expect(nm(instrument.lightAt(clock.now()).wavelength)).toBeCloseTo(1500, 9);
    const triggered = clock.now() + LATENCY;
    await send(":TRIG:INP:SOFT");
    expect(await send(":WAV:SWE?")).toBe("1");
    await clock.advance(2);
    expect(await send(":WAV:SWE?;:READ:POIN?")).toBe("0;11");
    expect(instrument.log.times[0]).toBeCloseTo(triggered, 12);
    // Santec's sample triggers with :WAV:SWE:SOFT.
    await send(":WAV:SWE 1");
    await clock.advance(1);
    await send(":WAV:SWE:SOFT");
    expect(await send(":WAV:SWE?")).toBe("1");
  });
});

describe("light through the chip", () => {
  let chip: VirtualDemoChip | undefined;
  afterEach(() => {
    chip?.release();
    chip = undefined;
  });

  it("a detector behind the fibre array sees the sweep's wavelength move with the clock", async () => {
    const clock = manualClock();
    chip = await createVirtualDemoChip({ clock, backend: "ts" });
    const fibres = new FibreArray(chip, "reference");
    const { send, instrument } = tsl570({ clock, fibres });
    await send(":WAV 1540;:WAV:SWE:STAR 1540;STOP 1560;SPE 20;MOD 1;:POW:STAT 1");
    await clock.advance(1);
    await send(":WAV:SWE 1");
    const runFrom = clock.now() + LATENCY + tuningTime(0);
    const seen: number[] = [];
    for (const u of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      await clock.advance(runFrom + u - clock.now());
      const { power, light } = fibres.read();
      expect(nm(light.wavelength)).toBeCloseTo(1540 + 20 * u, 9);
      expect(power).toBeCloseTo(light.power * chip.transmission("reference", light.wavelength), 15);
      expect(light).toEqual(instrument.lightAt(clock.now()));
      seen.push(light.wavelength);
    }
    expect(new Set(seen).size).toBe(5);
  });
});

describe("noise", () => {
  it("lands each tune within ±1 pm of its setpoint, the same errors for the same seed", async () => {
    const errorsOf = async (seed: number) => {
      const clock = manualClock();
      const { send, instrument } = tsl570({ clock, noise: true, seed });
      const deviations: number[] = [];
      for (let k = 0; k < 20; k++) {
        await send(`:WAV ${1550 + k}`);
        await clock.advance(1);
        deviations.push(instrument.lightAt(clock.now()).wavelength - (1550 + k) * 1e-9);
      }
      return deviations;
    };
    const first = await errorsOf(7);
    for (const d of first) expect(Math.abs(d)).toBeLessThanOrEqual(1e-12);
    expect(new Set(first).size).toBe(20);
    expect(await errorsOf(7)).toEqual(first);
    expect(await errorsOf(8)).not.toEqual(first);
  });

  it("adds relative intensity noise of √(RIN·B) rms, a function of time alone", async () => {
    const { send, instrument, clock } = tsl570({ clock: manualClock(), noise: true });
    await send(":POW:STAT 1;:POW 10");
    const t = (k: number) => clock.now() + 1 + k * 1e-3;
    const powers = Array.from({ length: 4000 }, (_, k) => instrument.lightAt(t(k)).power / 1e-2 - 1);
    const mean = powers.reduce((a, b) => a + b, 0) / powers.length;
    const rms = Math.sqrt(powers.reduce((a, b) => a + (b - mean) ** 2, 0) / powers.length);
    expect(rms / Math.sqrt(10 ** -14.5 * 1e6)).toBeGreaterThan(0.9);
    expect(rms / Math.sqrt(10 ** -14.5 * 1e6)).toBeLessThan(1.1);
    expect(Math.abs(mean)).toBeLessThan(5e-6);
    expect(instrument.lightAt(t(17))).toEqual(instrument.lightAt(t(17)));
  });

  it("gives exact light with noise: false", async () => {
    const { send, instrument, clock } = tsl570({ clock: manualClock() });
    await send(":POW:STAT 1;:WAV 1551.2345");
    await clock.advance(1);
    const light = instrument.lightAt(clock.now());
    expect(nm(light.wavelength)).toBeCloseTo(1551.2345, 12);
    expect(light.power).toBe(1e-3);
  });
});
