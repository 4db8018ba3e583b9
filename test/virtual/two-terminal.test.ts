/**
 * Two-terminal chips (src/virtual/chip/two-terminal.ts): the ohmic resistor,
 * the memristor device, the hidden truth of the default one, and the port
 * that holds a drive on them between interactions, with its compliance.
 */
import { describe, expect, it } from "vitest";
import { vteam } from "../../src/models/memristor/index.js";
import { checkParameters, ParameterRangeError } from "../../src/models/parameters.js";
import {
  createBenchClock,
  defaultDut,
  MemristorDut,
  OPEN_DRIVE,
  type PortDrive,
  ResistorDut,
  TRUE_VTEAM_PARAMS,
  TwoTerminalPort,
  VirtualKeithley2400,
} from "../../src/virtual/index.js";

const NO_LIMIT = Number.POSITIVE_INFINITY;
const volts = (level: number, limit = NO_LIMIT): PortDrive => ({ mode: "voltage", level, limit });
const amps = (level: number, limit = NO_LIMIT): PortDrive => ({ mode: "current", level, limit });
const freshMemristor = () => new MemristorDut({ model: vteam, params: vteam.defaults });

/** A port on a manual clock with `device` on it. */
function onManualClock<D extends ResistorDut | MemristorDut<typeof vteam.defaults>>(device: D) {
  const clock = createBenchClock("manual");
  return { clock, port: new TwoTerminalPort(clock, device), device };
}

describe("ResistorDut", () => {
  it.each([
    [1000, 1, 1e-3],
    [1000, -2, -2e-3],
    [50, 0, 0],
  ])("%f Ω at %f V passes %f A", async (ohms, voltage, current) => {
    const { clock, port, device } = onManualClock(new ResistorDut(ohms));
    port.drive(volts(voltage));
    await clock.advance(1);
    const reading = port.read();
    expect(reading.voltage).toBe(voltage);
    expect(reading.current).toBeCloseTo(current, 15);
    expect(reading.limited).toBe(false);
    expect(device.resistance()).toBe(ohms);
  });

  it("is memoryless: a hold changes nothing, its state is 0", () => {
    const dut = new ResistorDut(1000);
    dut.hold(100, 10);
    dut.state = 5;
    expect(dut.state).toBe(0);
    expect(dut.resistance()).toBe(1000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %f Ω", (ohms) => {
    expect(() => new ResistorDut(ohms)).toThrow(RangeError);
  });
});

describe("MemristorDut", () => {
  it("starts in the model's initial state", () => {
    const dut = freshMemristor();
    expect(dut.state).toBe(vteam.initialState(vteam.defaults));
    expect(dut.resistance()).toBeCloseTo(vteam.resistance(dut.state, vteam.defaults), 9);
  });

  it("does not move below the thresholds, and passes the model's current through a port", async () => {
    const { clock, port, device } = onManualClock(freshMemristor());
    const before = device.state;
    port.drive(volts(0.3));
    await clock.advance(10);
    const reading = port.read();
    expect(device.state).toBe(before);
    expect(reading.current).toBeCloseTo(vteam.current(before, 0.3, vteam.defaults), 15);
  });

  it("switches to low resistance under a negative pulse and back under a positive one", () => {
    const dut = freshMemristor();
    const high = dut.resistance();
    dut.hold(-1.5, 5);
    expect(dut.resistance()).toBeCloseTo(vteam.defaults.rOn, 6);
    dut.hold(1.5, 5);
    expect(dut.resistance()).toBeCloseTo(high, 6);
  });

  it("returns to x0 on reset", () => {
    const dut = new MemristorDut({ model: vteam, params: vteam.defaults, x0: 1e-9 });
    dut.hold(2, 5);
    dut.reset();
    expect(dut.state).toBe(1e-9);
  });

  it("goes back to a state read before, and refuses one outside the model's bounds", () => {
    const dut = freshMemristor();
    const saved = dut.state;
    dut.hold(-1.5, 0.02);
    expect(dut.state).not.toBe(saved);
    dut.state = saved;
    expect(dut.state).toBe(saved);
    expect(() => {
      dut.state = 1;
    }).toThrow(RangeError);
    expect(dut.state).toBe(saved);
  });

  it("refuses parameters out of their bounds when built", () => {
    expect(() => new MemristorDut({ model: vteam, params: { ...vteam.defaults, rOn: -1 } })).toThrow(
      ParameterRangeError,
    );
  });

  it("refuses a state outside the model's bounds", () => {
    expect(() => new MemristorDut({ model: vteam, params: vteam.defaults, x0: 1 })).toThrow(RangeError);
  });
});

describe("TwoTerminalPort: the drive is held between interactions (zero-order hold)", () => {
  it("keeps moving the device under a held drive while nobody interacts, up to the clock's now", async () => {
    const { clock, port, device } = onManualClock(freshMemristor());
    const reference = freshMemristor();
    port.drive(volts(-1.5));
    await clock.advance(0.02);
    // Set part way (≈ 5 kΩ of the 19 kΩ swing at −1.5 V): the next drive ends the −1.5 V hold.
    port.drive(volts(0));
    reference.hold(-1.5, 0.02);
    expect(device.state).toBe(reference.state);
    expect(device.resistance()).toBeLessThan(vteam.defaults.rOff - 1000);
    expect(device.resistance()).toBeGreaterThan(vteam.defaults.rOn + 1000);
    // 0 V is below both thresholds: ten seconds of it change nothing.
    await clock.advance(10);
    expect(port.read()).toEqual({ voltage: 0, current: 0, limited: false });
    expect(device.state).toBe(reference.state);
  });

  it("applies each drive for the clock interval it was held, in order", async () => {
    const { clock, port, device } = onManualClock(freshMemristor());
    const reference = freshMemristor();
    const schedule: Array<[number, number]> = [
      [-1.2, 0.05],
      [0.2, 1],
      [1.5, 0.01],
      [-0.8, 0.3],
    ];
    for (const [level, dt] of schedule) {
      port.drive(volts(level));
      await clock.advance(dt);
      reference.hold(level, dt);
    }
    const reading = port.read();
    expect(device.state).toBeCloseTo(reference.state, 18);
    expect(reading.voltage).toBe(-0.8);
    expect(reading.current).toBeCloseTo(-0.8 / reference.resistance(), 12);
  });

  it("sees the same hold whether or not it is read on the way", async () => {
    const quiet = onManualClock(freshMemristor());
    const polled = onManualClock(freshMemristor());
    quiet.port.drive(volts(-1.5));
    polled.port.drive(volts(-1.5));
    const currents: number[] = [];
    for (let i = 0; i < 10; i++) {
      await polled.clock.advance(0.005);
      currents.push(polled.port.read().current);
    }
    await quiet.clock.advance(0.05);
    quiet.port.read();
    expect(polled.device.state).toBeCloseTo(quiet.device.state, 18);
    // Each read saw the device as far as the clock had gone: the current grows as it sets.
    for (let i = 1; i < currents.length; i++) expect(currents[i]).toBeLessThan(currents[i - 1] as number);
  });

  it("holds nothing with the port open", async () => {
    const { clock, port, device } = onManualClock(freshMemristor());
    const reference = freshMemristor();
    port.drive(volts(-1.5));
    await clock.advance(0.02);
    reference.hold(-1.5, 0.02);
    port.drive(OPEN_DRIVE);
    await clock.advance(10);
    expect(port.read()).toEqual({ voltage: 0, current: 0, limited: false });
    expect(device.state).toBe(reference.state);
  });

  it("counts no time from before it was built", async () => {
    const clock = createBenchClock("manual");
    await clock.advance(100);
    const port = new TwoTerminalPort(clock, freshMemristor());
    const reference = freshMemristor();
    port.drive(volts(-1.5));
    await clock.advance(0.02);
    port.read();
    reference.hold(-1.5, 0.02);
    expect(port.device.state).toBeCloseTo(reference.state, 18);
  });

  it("goes back to power-on on reset: the device reset, the port open", async () => {
    const { clock, port, device } = onManualClock(freshMemristor());
    port.drive(volts(-1.5));
    await clock.advance(1);
    port.reset();
    expect(device.state).toBe(device.x0);
    await clock.advance(1);
    expect(port.read()).toEqual({ voltage: 0, current: 0, limited: false });
    expect(device.state).toBe(device.x0);
  });
});

describe("TwoTerminalPort: compliance", () => {
  const R = 1000;

  it.each([
    ["within the limit", volts(0.5, 1e-3), { voltage: 0.5, current: 0.5 / R, limited: false }],
    ["at the limit", volts(1, 1e-3), { voltage: 1, current: 1 / R, limited: false }],
    ["past it: 1 mA through 1 kΩ", volts(5, 1e-3), { voltage: 1e-3 * R, current: 1e-3, limited: true }],
    ["past it, negative", volts(-5, 1e-3), { voltage: -1e-3 * R, current: -1e-3, limited: true }],
    ["with no limit", volts(200), { voltage: 200, current: 200 / R, limited: false }],
  ])("sourcing a voltage, %s", async (_name, drive, expected) => {
    const { clock, port } = onManualClock(new ResistorDut(R));
    port.drive(drive);
    expect(port.read()).toEqual(expected);
    await clock.advance(1);
    expect(port.read()).toEqual(expected);
  });

  it.each([
    ["within the limit", amps(1e-3, 5), { voltage: 1e-3 * R, current: 1e-3, limited: false }],
    ["at the limit", amps(5e-3, 5), { voltage: 5e-3 * R, current: 5e-3, limited: false }],
    ["past it: 5 V across 1 kΩ", amps(10e-3, 5), { voltage: 5, current: 5 / R, limited: true }],
    ["past it, negative", amps(-10e-3, 5), { voltage: -5, current: -5 / R, limited: true }],
    ["with no limit", amps(1), { voltage: 1 * R, current: 1, limited: false }],
  ])("sourcing a current, %s", async (_name, drive, expected) => {
    const { clock, port } = onManualClock(new ResistorDut(R));
    port.drive(drive);
    expect(port.read()).toEqual(expected);
    await clock.advance(1);
    expect(port.read()).toEqual(expected);
  });

  it("lets go of the limit when driven again within it", () => {
    const { port } = onManualClock(new ResistorDut(R));
    port.drive(volts(5, 1e-3));
    expect(port.read().limited).toBe(true);
    port.drive(volts(5, 10e-3));
    expect(port.read()).toEqual({ voltage: 5, current: 5 / R, limited: false });
  });

  describe("a memristor switching into compliance during a long hold", () => {
    const p = vteam.defaults;
    const level = -1.5;
    const limit = 2.5e-4;
    const hold = 1;
    /** Ω per m of state: R is linear in w. */
    const slope = (p.rOff - p.rOn) / (p.wOff - p.wOn);
    /** R where the level's current reaches the limit: 6 kΩ. */
    const rLimited = Math.abs(level) / limit;
    /** R where the limited voltage, limit·R, falls to the threshold: 2 kΩ (the set stops there). */
    const rStall = Math.abs(p.vOn) / limit;

    /**
     * The closed-form R at the end of the hold. Unlimited, dw/dt = k_on (V/v_on − 1)^α: R falls at a
     * constant rate to rLimited. Limited, V = −limit·R so V/v_on = R/rStall; with u = R/rStall − 1,
     * du/dt = −c·u^α, c = slope·|k_on|/rStall: u^(1−α) = u₀^(1−α) + (α − 1)·c·t.
     */
    function expectedResistance(): number {
      const unlimitedRate = slope * Math.abs(p.kOn) * (level / p.vOn - 1) ** p.alphaOn;
      const t1 = (p.rOff - rLimited) / unlimitedRate;
      const c = (slope * Math.abs(p.kOn)) / rStall;
      const u0 = rLimited / rStall - 1;
      const u = (u0 ** (1 - p.alphaOn) + (p.alphaOn - 1) * c * (hold - t1)) ** (1 / (1 - p.alphaOn));
      return rStall * (1 + u);
    }

    it("stops setting where the limited voltage reaches the threshold, and reads in compliance", async () => {
      const { clock, port, device } = onManualClock(freshMemristor());
      port.drive(volts(level, limit));
      // At first within the limit: 1.5 V across 20 kΩ is 75 µA.
      expect(port.read()).toEqual({ voltage: level, current: level / p.rOff, limited: false });
      await clock.advance(hold);
      const reading = port.read();
      const r = device.resistance();
      expect(r).toBeGreaterThan(rStall);
      expect(r).toBeLessThan(rLimited);
      // The port splits a limited hold into MAX_LIMITED_HOLD pieces (first order): close, not exact.
      expect(Math.abs(r / expectedResistance() - 1)).toBeLessThan(1e-3);
      expect(reading).toEqual({ voltage: -limit * r, current: -limit, limited: true });
      expect(Math.abs(reading.voltage)).toBeGreaterThan(Math.abs(p.vOn));
    });

    it("sets fully to R_on without the limit", async () => {
      const { clock, port, device } = onManualClock(freshMemristor());
      port.drive(volts(level));
      await clock.advance(hold);
      // The device catches up with the clock when the port is read.
      const reading = port.read();
      expect(device.resistance()).toBeCloseTo(p.rOn, 6);
      expect(reading).toEqual({ voltage: level, current: level / device.resistance(), limited: false });
    });
  });
});

describe("TwoTerminalPort: drive validation", () => {
  it.each([
    [{ mode: "pulse", level: 1, limit: 1 }, /port "dut": unknown drive mode "pulse"/],
    [volts(Number.NaN), /port "dut": drive level NaN is not finite/],
    [amps(Number.POSITIVE_INFINITY, 1), /port "dut": drive level Infinity is not finite/],
    [volts(1, 0), /port "dut": compliance 0 is not positive/],
    [volts(1, -1e-3), /port "dut": compliance -0.001 is not positive/],
    [amps(1e-3, Number.NaN), /port "dut": compliance NaN is not positive/],
  ])("refuses %o", async (drive, message) => {
    const { clock, port } = onManualClock(new ResistorDut(1000));
    port.drive(volts(1, 1e-2));
    await clock.advance(0.1);
    expect(() => port.drive(drive as PortDrive)).toThrow(RangeError);
    expect(() => port.drive(drive as PortDrive)).toThrow(message);
    // The drive before it stays in effect.
    expect(port.read()).toEqual({ voltage: 1, current: 1e-3, limited: false });
  });

  it("names its own port in the error", () => {
    const port = new TwoTerminalPort(createBenchClock("manual"), new ResistorDut(1000), "memristor");
    expect(() => port.drive(volts(1, 0))).toThrow(/port "memristor"/);
  });
});

describe("the default DUT's hidden truth", () => {
  it("lies inside the parameter bounds", () => {
    expect(() => checkParameters(vteam.id, vteam.parameters, TRUE_VTEAM_PARAMS)).not.toThrow();
  });

  it("differs from the model's defaults by 10 to 30 % on the main parameters", () => {
    for (const name of ["rOn", "rOff", "kOn", "kOff", "vOn", "vOff"] as const) {
      const ratio = TRUE_VTEAM_PARAMS[name] / vteam.defaults[name];
      expect(Math.abs(ratio - 1), name).toBeGreaterThanOrEqual(0.1 - 1e-12);
      expect(Math.abs(ratio - 1), name).toBeLessThanOrEqual(0.3 + 1e-12);
    }
  });

  it("is what the virtual 2400 holds unless told otherwise", () => {
    const port = new VirtualKeithley2400().port;
    expect(port).toBeInstanceOf(TwoTerminalPort);
    const dut = (port as TwoTerminalPort).device;
    expect(dut).toBeInstanceOf(MemristorDut);
    expect((dut as MemristorDut<typeof TRUE_VTEAM_PARAMS>).params).toEqual(TRUE_VTEAM_PARAMS);
    expect(defaultDut().resistance()).toBeCloseTo(TRUE_VTEAM_PARAMS.rOff, 6);
  });

  it("is replaced by a device of the instrument's own chip, given one, but not together with a port", () => {
    const dut = new ResistorDut(1000);
    const k = new VirtualKeithley2400({ dut });
    expect((k.port as TwoTerminalPort).device).toBe(dut);
    expect(() => new VirtualKeithley2400({ dut, port: k.port })).toThrow(RangeError);
  });

  it("shows a pinched hysteresis loop in a bipolar list sweep through the instrument", async () => {
    const k = new VirtualKeithley2400({ noise: false });
    const up = [0, 0.4, 0.8, 1.2, 0.8, 0.4, 0, -0.4, -0.8, -1.2, -0.8, -0.4];
    await k.handleLine(`:SENS:CURR:PROT 0.01;:SENS:CURR:NPLC 10;:OUTP ON;:FORM:ELEM VOLT,CURR`);
    await k.handleLine(
      `:SOUR:VOLT:MODE LIST;:SOUR:LIST:VOLT ${up.join(",")};:TRIG:COUN ${up.length};:ARM:COUN 2`,
    );
    const values = ((await k.handleLine(":READ?"))[0] ?? "").split(",").map(Number);
    const current = (i: number) => values[2 * i + 1] ?? Number.NaN;
    // Second cycle: the device has been set low-resistive by the negative half of the first.
    const at = (volts: number) => up.flatMap((v, i) => (v === volts ? [current(up.length + i)] : []));
    const [rising, falling] = at(0.8);
    expect(Math.abs((rising ?? 0) - (falling ?? 0))).toBeGreaterThan(0.05 * Math.abs(rising ?? 0));
    expect(current(up.length)).toBe(0); // pinched at the origin
  });
});
