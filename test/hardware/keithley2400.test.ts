/**
 * The Keithley 2400 driver against a real instrument (or anything that
 * claims to be one, e.g. `pms virtual --serial`). Gentle on the device under
 * test: |V| ≤ 0.1 V, compliance 100 µA, output off at the end.
 *
 *   PMS_DEVICE_KEITHLEY2400=ASRL/dev/ttyUSB0::INSTR npm run test:hardware
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SafetyLimitError } from "../../src/drivers/errors.js";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import type { Keithley2400 } from "../../src/drivers/instruments/keithley2400.js";

const resource = process.env.PMS_DEVICE_KEITHLEY2400;
if (!resource) {
  throw new Error(
    "set PMS_DEVICE_KEITHLEY2400 to the instrument's VISA resource, e.g. ASRL/dev/ttyUSB0::INSTR",
  );
}

describe(`Keithley 2400 at ${resource}`, () => {
  let smu: Keithley2400;

  beforeAll(async () => {
    smu = await connectKeithley2400(resource, {
      limits: { maxAbsVoltage: 0.1, maxAbsCurrent: 1e-4, maxVoltageStep: 0.05 },
    });
    await smu.outputEnabled.set(false);
    await smu.complianceCurrent.set(1e-4); // within the limits before the source mode may change
    await smu.sourceMode.set("voltage");
    await smu.rampTo(0);
  });

  afterAll(async () => {
    await smu?.shutdown();
    await smu?.close();
  });

  it("identifies as a 2400-series SourceMeter", async () => {
    expect((await smu.identify()).model).toMatch(/^MODEL 24\d\d/);
  });

  it("runs a ±0.1 V list sweep in the instrument and a stepped one from here, with matching levels", async () => {
    const levels = [0, 0.05, 0.1, 0.05, 0, -0.05, -0.1, -0.05, 0];
    await smu.outputEnabled.set(true);
    const hardware = await smu.hardwareSweep(levels);
    const software = await smu.collectSoftwareSweep(levels);
    for (const sweep of [hardware, software]) {
      expect(Array.from(sweep.voltage, (v) => Math.round(v * 1000) / 1000)).toEqual(levels);
      expect(sweep.time.every((t, k) => k === 0 || t >= (sweep.time[k - 1] as number))).toBe(true);
    }
    await smu.rampTo(0);
  });

  it("refuses a level past the limit without sending it", async () => {
    await expect(smu.sourceVoltage.set(0.2)).rejects.toBeInstanceOf(SafetyLimitError);
    expect(await smu.sourceVoltage.get()).toBe(0);
  });
});
