import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SafetyLimitError } from "../../src/drivers/errors.js";
import { type IvJobOptions, runIvJob } from "../../src/plans/iv-job.js";
import { openStore } from "../../src/record/store/open.js";
import { serveVirtualKeithley2400, TRUE_VTEAM_PARAMS } from "../../src/virtual/index.js";
import { runPlace } from "../support/run-place.js";

function options(overrides: Partial<IvJobOptions> = {}): IvJobOptions {
  return {
    amplitude: 1.2,
    pointsPerCycle: 200,
    cycles: 2,
    compliance: 10e-3,
    nplc: 1,
    sourceDelay: 1e-3,
    model: "vteam",
    limits: { maxAbsVoltage: 2, maxAbsCurrent: 0.1, maxVoltageStep: 0.1 },
    ...runPlace("pms-iv-"),
    timeoutMs: 2000,
    seed: 1,
    ...overrides,
  };
}

describe("the I-V job on the embedded virtual Keithley 2400", () => {
  it("sweeps, sees a pinched hysteresis loop, compares with the model and records every sample", async () => {
    const progress: number[] = [];
    const result = await runIvJob(options(), (done) => progress.push(done));

    expect(result.virtual).toBe(true);
    expect(result.resource).toMatch(/^TCPIP::127\.0\.0\.1::\d+::SOCKET$/);
    expect(result.identity).toMatch(/^KEITHLEY INSTRUMENTS INC\. MODEL 2400/);
    expect(result.points).toBe(401);
    expect(result.chunks).toBe(5); // four half cycles of 100 levels and the final 0 V
    expect(progress).toEqual([100, 200, 300, 400, 401]);
    // Applied levels come back as measured voltages, in order.
    expect(result.voltage[100]).toBeCloseTo(0, 3);
    expect(result.voltage[50]).toBeCloseTo(1.2, 3);
    expect(result.voltage[150]).toBeCloseTo(-1.2, 3);

    expect(result.hysteresisSeen).toBe(true);
    expect(result.hysteresis.branchSeparation).toBeGreaterThan(0.2);
    // Pinched at the origin: the current at 0 V is noise, far below the peak.
    const peak = Math.max(...Array.from(result.current, Math.abs));
    for (const i of result.hysteresis.currentAtZero) expect(Math.abs(i)).toBeLessThan(1e-3 * peak);
    // The hidden device is not the default model: a residual, but a finite one.
    expect(result.rmsResidual).toBeGreaterThan(0);
    expect(Number.isFinite(result.rmsResidual)).toBe(true);

    const rows = readFileSync(result.files.data, "utf8").trimEnd().split("\n");
    expect(rows[0]).toBe("time_s,voltage_V,current_A,predicted_current_A,residual_A");
    expect(rows).toHaveLength(402);
    const [t, v, i, p, r] = (rows[51] ?? "").split(",").map(Number);
    expect(t).toBeGreaterThan(0);
    expect([v, i, p]).toEqual([result.voltage[50], result.current[50], result.predicted[50]]);
    expect(r).toBeCloseTo((i as number) - (p as number), 15);

    const run = JSON.parse(readFileSync(result.files.run, "utf8"));
    // The bench snapshot, from the driver's own description: identity, settings with units, reading keys.
    // As proto/record.proto's BenchSnapshot has it: instruments, readings and settings are lists.
    expect(run.start.bench.instruments.find((i: { name: string }) => i.name === "smu1")).toMatchObject({
      driver: "keithley2400",
      identity: { model: "MODEL 2400" },
      readings: expect.arrayContaining([
        expect.objectContaining({ key: "smu1-current", unit: "A", shape: [] }),
      ]),
      configuration: expect.arrayContaining([
        expect.objectContaining({ key: "nplc", unit: "PLC" }),
        expect.objectContaining({ key: "complianceCurrent", unit: "A" }),
      ]),
    });
    expect(run.start).toMatchObject({ uid: result.record.uid, plan: "iv", chip: "demo-chip", seq: 0 });
    expect(run.stop).toMatchObject({
      status: "success",
      rows: 401,
      summary: { points: 401, hysteresisSeen: true },
    });
    const sent = readFileSync(result.files.commands, "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line).sent);
    expect(sent[0]).toBe("*IDN?");
    expect(sent.filter((c) => c === ":READ?")).toHaveLength(5);
    expect(sent.at(-2)).toMatch(/^:OUTP (OFF|0)$/);
    expect(readFileSync(result.files.plot, "utf8")).toMatch(/^<svg[\s\S]*measured[\s\S]*<\/svg>\n$/);

    // The same run in the store: every reading with its unit, every exchange, how it ended.
    const store = await openStore(result.record.store, { readonly: true });
    try {
      const kept = await store.run(result.record.uid);
      expect(kept.summary).toMatchObject({ plan: "iv", chip: "demo-chip", status: "success" });
      expect(kept.stop?.numEvents).toMatchObject({ primary: 401, exchanges: sent.length, summary: 1 });
      const table = await kept.table("primary");
      expect(table.count).toBe(401);
      expect(table.columns.map((c) => `${c.key} ${c.unit}`)).toEqual([
        "smu1-voltage V",
        "smu1-current A",
        "predicted_current A",
        "residual A",
      ]);
      expect(Array.from(table.columns[0]?.values as Float64Array)).toEqual(Array.from(result.voltage));
      expect(Array.from(table.columns[1]?.values as Float64Array)).toEqual(Array.from(result.current));
      const exchanges = await kept.table("exchanges");
      expect(exchanges.columns.find((c) => c.key === "sent")?.values).toEqual(sent);
    } finally {
      await store.close();
    }
  });

  it("refuses a sweep past the safety limit before any level is sent, and says so in the record", async () => {
    const o = options({ amplitude: 3 });
    const error = await runIvJob(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyLimitError);
    expect((error as SafetyLimitError).limit).toBe("maxAbsVoltage");
    const sent = readFileSync(join(o.outDir, "commands.jsonl"), "utf8");
    expect(sent).not.toMatch(/:SOUR:LIST|:SOUR:VOLT:LEV 3/);
    expect(JSON.parse(readFileSync(join(o.outDir, "run.json"), "utf8")).stop.status).toBe("fail");
  });

  it("explains the measurement down to the noise with the hidden true parameters", async () => {
    const truth = await runIvJob(options({ params: TRUE_VTEAM_PARAMS }));
    const defaults = await runIvJob(options());
    // The virtual device is the model with other parameters plus noise, so
    // the twin with its true parameters leaves only the noise (~1e-4 of the
    // current), and the default parameters leave far more.
    expect(truth.rmsResidual).toBeLessThan(1e-3 * truth.rmsCurrent);
    expect(defaults.rmsResidual).toBeGreaterThan(100 * truth.rmsResidual);
    const run = JSON.parse(readFileSync(truth.files.run, "utf8"));
    const parameters = Object.fromEntries(
      run.start.model.parameters.map((p: { name: string; value: number }) => [p.name, p.value]),
    );
    expect(parameters).toEqual(TRUE_VTEAM_PARAMS);
  });

  it("refuses a parameter the model does not have, naming the ones it has", async () => {
    await expect(runIvJob(options({ params: { rOnn: 1 } }))).rejects.toThrow(
      /vteam has no parameter "rOnn"; its parameters: rOn, rOff, /,
    );
  });

  it("refuses a parameter outside its bounds", async () => {
    await expect(runIvJob(options({ params: { rOn: -5 } }))).rejects.toThrow(/rOn = -5 is outside/);
  });

  it("names the known models when asked for an unknown one", async () => {
    await expect(runIvJob(options({ model: "hp-labs" }))).rejects.toThrow(
      /unknown model "hp-labs"; known: vteam, /,
    );
  });

  it("keeps the run in the bench file's store when no store is given", async () => {
    const server = await serveVirtualKeithley2400({ seed: 1 });
    try {
      const place = runPlace("pms-iv-bench-store-");
      const bench = join(place.outDir, "..", "bench.json");
      writeFileSync(
        bench,
        JSON.stringify({
          store: place.store,
          instruments: { smu1: { driver: "keithley2400", resource: server.tcpResource } },
        }),
      );
      const { store: _elsewhere, ...rest } = options({ cycles: 1 });
      const result = await runIvJob({ ...rest, outDir: place.outDir, bench });
      expect(result.record.store).toBe(place.store);
      const store = await openStore(place.store, { readonly: true });
      try {
        expect((await store.run(result.record.uid)).summary.status).toBe("success");
      } finally {
        await store.close();
      }
    } finally {
      await server.close();
    }
  });
});
