/**
 * The backend seam on a whole bench session (issue 14 §3): the same script
 * of SCPI commands, over TCP, to three 2400s on one chip — a memristor
 * I-V, a current sweep down the heater line, the heater driven hard enough
 * to crystallise the patch, the ring and reference read across a band — on
 * a bench stepped by the WASM core and on one stepped by the TypeScript
 * reference. The chip's state after every step, and every transmission,
 * agree to 1e-12.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ScpiSession } from "../../src/drivers/scpi/session.js";
import { openTransport } from "../../src/drivers/transports/open.js";
import { chipLayout } from "../../src/models/chip/index.js";
import { serveVirtualBench, type VirtualBench } from "../../src/virtual/index.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Recorded {
  readonly states: Float64Array[];
  readonly transmissions: number[];
  readonly replies: string[];
}

async function run(backend: "wasm" | "ts"): Promise<Recorded> {
  const bench: VirtualBench = await serveVirtualBench({
    backend,
    instruments: {
      memristor: { model: "keithley2400", port: "memristor", seed: 3 },
      line: { model: "keithley2400", port: "heaterLine", seed: 4 },
      heater: { model: "keithley2400", port: "heater", seed: 5 },
    },
    clockControl: false,
  });
  closers.push(() => bench.close());
  const sessions: Record<string, ScpiSession> = {};
  for (const name of ["memristor", "line", "heater"]) {
    const resource = bench.resources.instruments[name]?.tcp as string;
    sessions[name] = new ScpiSession(await openTransport(resource), { timebase: bench.clock });
    const session = sessions[name];
    closers.push(() => session.close());
  }
  const { memristor, line, heater } = sessions as Record<"memristor" | "line" | "heater", ScpiSession>;
  const recorded: Recorded = { states: [], transmissions: [], replies: [] };
  const record = async (reply?: Promise<string>) => {
    if (reply) recorded.replies.push(await reply);
    recorded.states.push(bench.chip.state());
  };
  // A memristor I-V, stepped, while the heater line's current sweeps at the same time.
  await record(memristor.query(":SENS:CURR:PROT 1e-3;:FORM:ELEM VOLT,CURR;:OUTP ON;*OPC?"));
  await record(line.query(":SOUR:FUNC CURR;:SENS:VOLT:PROT 10;:FORM:ELEM VOLT,CURR;:OUTP ON;*OPC?"));
  for (const [volts, amps] of [
    [-0.4, 1e-4],
    [-0.8, 2e-4],
    [-1.2, 3e-4],
    [-0.8, 2e-4],
    [0, 0],
    [0.8, -1e-4],
    [1.2, -2e-4],
    [0, 0],
  ] as const) {
    await Promise.all([
      record(memristor.query(`:SOUR:VOLT ${volts};:READ?`)),
      record(line.query(`:SOUR:CURR ${amps};:READ?`)),
    ]);
    await bench.clock.sleep(0.05);
  }
  // The heater hard enough to crystallise the patch, then off; the ring read across a band as it cools.
  await record(heater.query(":SENS:CURR:PROT 0.1;:SOUR:VOLT 2;:OUTP ON;*OPC?"));
  await bench.clock.sleep(0.5);
  await record(heater.query(":OUTP OFF;*OPC?"));
  for (let k = 0; k < 40; k++) {
    await bench.clock.sleep(1e-3);
    const wavelength = 1.54e-6 + k * 0.5e-9;
    for (const path of ["ring", "reference"] as const) {
      recorded.transmissions.push(bench.chip.transmission(path, wavelength));
    }
    await record();
  }
  return recorded;
}

describe("a bench session on the WASM core and on the TypeScript reference", () => {
  it("keeps the chip's state and its optics within 1e-12 of each other", async () => {
    const wasm = await run("wasm");
    const ts = await run("ts");
    expect(wasm.states.length).toBe(ts.states.length);
    let worst = 0;
    wasm.states.forEach((state, i) => {
      const reference = ts.states[i] as Float64Array;
      state.forEach((value, k) => {
        const scale = Math.max(Math.abs(reference[k] as number), 1e-9);
        worst = Math.max(worst, Math.abs(value - (reference[k] as number)) / scale);
      });
    });
    expect(worst).toBeLessThanOrEqual(1e-12);
    wasm.transmissions.forEach((t, i) => {
      expect(Math.abs(t - (ts.transmissions[i] as number))).toBeLessThanOrEqual(1e-12 * Math.abs(t));
    });
    // The session did what it says: the memristor switched on (and back off), the patch crystallised.
    const last = wasm.states.at(-1) as Float64Array;
    const first = wasm.states[0] as Float64Array;
    const lowest = Math.min(...wasm.states.map((state) => state[chipLayout.STANDALONE_STATE] as number));
    expect(lowest).toBeLessThan(0.8 * (first[chipLayout.STANDALONE_STATE] as number));
    expect(last[chipLayout.CELL_FRACTION]).toBeGreaterThan(0.01);
    // And what the instruments read was the same, to the digits they send.
    expect(wasm.replies).toEqual(ts.replies);
  });
});
