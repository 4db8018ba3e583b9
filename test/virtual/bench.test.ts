/**
 * serveVirtualBench: instruments on ports of one chip, on one clock
 * (issue 14 §2), over real TCP sockets and the clock's ZeroMQ endpoint.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ScpiSession } from "../../src/drivers/scpi/session.js";
import { openTransport } from "../../src/drivers/transports/open.js";
import { type ChipParams, chipLayout, demoChipTruth } from "../../src/models/chip/index.js";
import { demoChipCircuit } from "../../src/models/circuit/index.js";
import { entry } from "../../src/models/photonic/s-matrix.js";
import {
  connectClockControl,
  serveVirtualBench,
  type VirtualBench,
  type VirtualBenchSpec,
  VirtualBenchSpecError,
  type VirtualKeithley2450,
} from "../../src/virtual/index.js";
import { PYMEASURE_EXCHANGE } from "./k2400-helpers.js";
import { type LineClient, serialClient, tcpClient } from "./line-client.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function bench(spec: VirtualBenchSpec = {}): Promise<VirtualBench> {
  const served = await serveVirtualBench(spec);
  closers.push(() => served.close());
  return served;
}

async function session(served: VirtualBench, name: string): Promise<ScpiSession> {
  const resource = served.resources.instruments[name]?.tcp as string;
  const s = new ScpiSession(await openTransport(resource), { timebase: served.clock, timeoutMs: 5000 });
  closers.push(() => s.close());
  return s;
}

/** The wavelength of least transmission within [low, high] (golden-section search after a coarse scan). */
function resonance(transmission: (wavelength: number) => number, low: number, high: number): number {
  const steps = 400;
  let best = low;
  for (let k = 0; k <= steps; k++) {
    const wavelength = low + ((high - low) * k) / steps;
    if (transmission(wavelength) < transmission(best)) best = wavelength;
  }
  let a = best - (high - low) / steps;
  let b = best + (high - low) / steps;
  const golden = (Math.sqrt(5) - 1) / 2;
  while (b - a > 1e-15) {
    const c = b - golden * (b - a);
    const d = a + golden * (b - a);
    if (transmission(c) < transmission(d)) b = d;
    else a = c;
  }
  return (a + b) / 2;
}

/** The static demo chip's ring-path transmission with the heater dissipating `power` (W) and the patch at `fraction`. */
function staticTransmission(p: ChipParams, power: number, fraction: number) {
  const params: Record<string, number> = {};
  for (const spec of demoChipCircuit.parameters) params[spec.name] = p[spec.name] as number;
  params["heater.heaterPower"] = power;
  params["patch.fraction"] = fraction;
  return (wavelength: number) => {
    const t = entry(demoChipCircuit.sMatrix(params, wavelength), "out", "in");
    return t.re * t.re + t.im * t.im;
  };
}

describe("serveVirtualBench", () => {
  it("serves the default bench: a 2400 on the standalone memristor, a 2450 on the heater, and the clock's endpoint", async () => {
    const served = await bench();
    expect(served.resources.instruments.smu1?.tcp).toMatch(/^TCPIP::127\.0\.0\.1::\d+::SOCKET$/);
    expect(served.resources.instruments.smu2?.tcp).toMatch(/^TCPIP::127\.0\.0\.1::\d+::SOCKET$/);
    expect(served.instruments.smu2?.instrument.label).toBe("virtual Keithley 2450");
    expect((served.instruments.smu2 as { instrument: VirtualKeithley2450 }).instrument.port.name).toBe(
      "heater",
    );
    expect(served.resources.clock).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const smu = await session(served, "smu1");
    expect(await smu.query("*IDN?")).toMatch(/^KEITHLEY INSTRUMENTS INC\.,MODEL 2400,/);
    // The 2400 reads the chip's standalone memristor: at its off bound, R_off of the hidden truth.
    const reading = await smu.query(
      ":SENS:CURR:PROT 1e-3;:SOUR:VOLT 0.1;:OUTP ON;:FORM:ELEM VOLT,CURR;:READ?",
    );
    const [voltage, current] = reading.split(",").map(Number) as [number, number];
    expect(voltage / current).toBeCloseTo(demoChipTruth["standalone.rOff"] as number, -2);
    // Another process's view of the same clock.
    const control = connectClockControl(served.resources.clock as string);
    closers.push(async () => control.close());
    expect(await control.now()).toBe(served.clock.now());
  });

  it("couples: current into the heater moves the ring's resonance by the thermo-optic amount for the heater's own power", async () => {
    const served = await bench({
      instruments: { heater: { model: "keithley2400", port: "heater", noise: false } },
    });
    const smu = await session(served, "heater");
    // Until the optical instruments arrive: 1 mW into the ring path's input, the power at its output.
    const input = served.chip.opticalInput("ring");
    const output = served.chip.opticalOutput("ring");
    const ring = (wavelength: number) => {
      input.drive({ wavelength, power: 1e-3 });
      return output.read() / 1e-3;
    };
    const low = 1.5495e-6;
    const high = 1.5535e-6;
    const before = resonance(ring, low, high);
    await smu.query(':SOUR:FUNC CURR;:SOUR:CURR 2e-3;:SENS:FUNC "VOLT";:SENS:VOLT:PROT 20;:OUTP ON;*OPC?');
    // The heater's thermal time constant is microseconds: 10 ms later it is at its steady state.
    await served.clock.sleep(0.01);
    const [voltage, current] = (await smu.query(":FORM:ELEM VOLT,CURR;:READ?")).split(",").map(Number) as [
      number,
      number,
    ];
    const power = voltage * current;
    // The heater's own port: V·I is I²·R_h of the true heater resistance.
    expect(power).toBeCloseTo(2e-3 * 2e-3 * (demoChipTruth["heater.heaterResistance"] as number), 12);
    const after = resonance(ring, before, before + (high - low) / 2);
    const fraction = served.chip.state()[chipLayout.CELL_FRACTION] as number;
    const expectedBefore = resonance(staticTransmission(served.chip.params, 0, fraction), low, high);
    const expectedAfter = resonance(
      staticTransmission(served.chip.params, power, fraction),
      before,
      before + (high - low) / 2,
    );
    const shift = after - before;
    expect(shift).toBeGreaterThan(50e-12); // a red shift of tens of picometres at least
    // The ambient drift over the few ms between the scans moves it by far less than this tolerance.
    expect(shift).toBeCloseTo(expectedAfter - expectedBefore, 13);
  });

  it("carries light through each optical path: output = input × the path's transmission, dark when off", async () => {
    const served = await bench({ clockControl: false });
    const input = served.chip.opticalInput("reference");
    const output = served.chip.opticalOutput("reference");
    expect(output.read()).toBe(0);
    input.drive({ wavelength: 1.55e-6, power: 2e-3 });
    const transmission = served.chip.transmission("reference", 1.55e-6);
    expect(transmission).toBeGreaterThan(0.01);
    expect(output.read()).toBeCloseTo(2e-3 * transmission, 15);
    // Light set for a later time reaches the output then, not before.
    input.drive({ wavelength: 1.55e-6, power: 0 }, served.clock.now() + 0.1);
    expect(output.read()).toBeCloseTo(2e-3 * transmission, 15);
    await served.clock.sleep(0.1);
    expect(output.read()).toBe(0);
    expect(() => input.drive({ wavelength: -1, power: 1e-3 })).toThrow(/wavelength -1 m is not positive/);
    expect(() => served.chip.opticalInput("drop" as "ring")).toThrow(/no optical path "drop"/);
  });

  it("puts two source-meters on separate ports of one chip, on one clock", async () => {
    const served = await bench({
      instruments: {
        line: { model: "keithley2400", port: "heaterLine", noise: false },
        heater: { model: "keithley2400", port: "heater", noise: false },
      },
    });
    const [line, heater] = await Promise.all([session(served, "line"), session(served, "heater")]);
    // With the heater's terminals driven at 0 V, the heater line's whole voltage falls on its memristor.
    await heater.query(":SOUR:VOLT 0;:SENS:CURR:PROT 0.1;:OUTP ON;*OPC?");
    const [v, i] = (
      await line.query(":SOUR:VOLT 0.01;:SENS:CURR:PROT 0.1;:OUTP ON;:FORM:ELEM VOLT,CURR;:READ?")
    )
      .split(",")
      .map(Number) as [number, number];
    // Strukov's memristance at the line memristor's present state: R = R_on x + R_off (1 − x).
    const x = served.chip.state()[chipLayout.LINE_STATE] as number;
    const expected =
      (demoChipTruth["memristor.rOn"] as number) * x + (demoChipTruth["memristor.rOff"] as number) * (1 - x);
    expect(v / i).toBeCloseTo(expected, 3);
    // The heater's SMU sinks that current (read a cycle later: the memristor under bias has moved a little)…
    const [, iHeater] = (await heater.query(":FORM:ELEM VOLT,CURR;:READ?")).split(",").map(Number) as [
      number,
      number,
    ];
    expect(iHeater / -i).toBeCloseTo(1, 2);
    // …and at any one instant Kirchhoff holds at the shared node: what flows in by the line flows out by the heater's port.
    const atOnce = [served.chip.port("heaterLine").read(), served.chip.port("heater").read()];
    expect((atOnce[0]?.current ?? 0) + (atOnce[1]?.current ?? 0)).toBeCloseTo(0, 15);
    expect(atOnce[0]?.current).toBeGreaterThan(0);
  });

  it.each(["tcp", "serial"] as const)(
    "answers a third-party driver's exchange (PyMeasure's Keithley2400) unchanged over %s",
    async (wire) => {
      const served = await bench({
        instruments: { smu1: { model: "keithley2400", port: "memristor", serial: wire === "serial" } },
      });
      const resources = served.resources.instruments.smu1;
      const client: LineClient =
        wire === "tcp"
          ? await tcpClient(resources?.tcp as string)
          : await serialClient(resources?.serial as string);
      closers.push(() => client.close());
      for (const [sent, reply] of PYMEASURE_EXCHANGE) {
        if (reply === undefined) {
          client.send(`${sent}\n`);
          continue;
        }
        const got = await client.query(sent);
        // The chip's memristor is no 1 kΩ resistor: its current at 0.5 V is its own.
        if (sent === ":READ?")
          expect(Number(got)).toBeCloseTo(0.5 / (demoChipTruth["standalone.rOff"] as number), 8);
        else expect(got).toBe(reply);
      }
    },
  );

  it.each([
    [{ instruments: {} }, /names no instrument/],
    [
      { instruments: { a: { model: "keithley6517", port: "memristor" } } },
      /"a" is a "keithley6517"; the models are keithley2400, keithley2450/,
    ],
    [
      { instruments: { a: { model: "keithley2450", port: "memristor", sourceDelay: 0.1 } } },
      /"a" is a "keithley2450": sourceDelay is a keithley2400 option/,
    ],
    [
      { instruments: { a: { model: "keithley2400", port: "gate" } } },
      /"a" is on port "gate"; the chip's ports are heater, heaterLine, memristor/,
    ],
    [
      {
        instruments: {
          a: { model: "keithley2400", port: "heater" },
          b: { model: "keithley2400", port: "heater" },
        },
      },
      /"b" and "a" are both on port "heater"/,
    ],
    [
      { instruments: { a: { model: "keithley2400", port: "heater", tcpPort: false } } },
      /neither TCP nor serial/,
    ],
  ])("refuses spec %j before starting anything", async (spec, message) => {
    await expect(serveVirtualBench(spec as VirtualBenchSpec)).rejects.toThrow(VirtualBenchSpecError);
    await expect(serveVirtualBench(spec as VirtualBenchSpec)).rejects.toThrow(message);
  });
});
