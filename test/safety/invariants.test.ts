/**
 * The invariants the project promises about sources, in one place, checked
 * over random fault schedules (fast-check): which exchange fails, how, and
 * when an interrupt arrives. Each schedule runs the I-V job — the code
 * path `pms iv` takes, its SIGINT/SIGTERM delivered as the same abort
 * signal — through the fault-injecting proxy to a fresh virtual 2400, and
 * is judged by the instrument's own record and by the wire, never by what
 * the driver believes:
 *
 * 1. no step of the source level larger than the limit ever reaches the
 *    instrument while its output is on, whatever fails in between
 *    (turning the output off is not a step: it is the safe exit);
 * 2. every exit path ends with the output off — or, where the link died,
 *    with the job saying that it could not confirm it;
 * 3. an unknown level blocks motion: after an exchange the driver must
 *    have seen fail, no level is set until a level read-back has been
 *    answered.
 *
 * Reply timeouts are 20 ms, so 500 schedules take well under a minute;
 * `PMS_SAFETY_RUNS=5000 npx vitest run test/safety/invariants.test.ts`
 * runs more.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeError } from "../../src/cli/errors.js";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";
import { runIvJob } from "../../src/plans/iv-job.js";
import { serveVirtualKeithley2400 } from "../../src/virtual/index.js";
import { type ExchangeFault, type ProxyEvent, startFaultProxy } from "../helpers/fault-proxy.js";
import { SourceRecord } from "./source-record.js";

const RUNS = Number(process.env.PMS_SAFETY_RUNS ?? 500);
/**
 * To replay a failure fast-check reported: `PMS_SAFETY_SEED=<seed> PMS_SAFETY_PATH=<path>`
 * (both from its message) run that case first.
 */
const REPLAY = process.env.PMS_SAFETY_SEED
  ? {
      seed: Number(process.env.PMS_SAFETY_SEED),
      ...(process.env.PMS_SAFETY_PATH && { path: process.env.PMS_SAFETY_PATH }),
    }
  : {};
const LIMITS = { maxAbsVoltage: 1, maxAbsCurrent: 0.01, maxVoltageStep: 0.1, maxCurrentStep: 1e-3 };
const MAX_STEP = { voltage: LIMITS.maxVoltageStep, current: LIMITS.maxCurrentStep };
const root = mkdtempSync(join(tmpdir(), "pms-invariants-"));

const faultArb: fc.Arbitrary<ExchangeFault> = fc.oneof(
  fc.record({
    on: fc.constant("command" as const),
    fault: fc.constantFrom(
      { kind: "drop" } as const,
      { kind: "cut-before" } as const,
      {
        kind: "cut-after",
      } as const,
    ),
  }),
  fc.record({
    on: fc.constant("reply" as const),
    fault: fc.oneof(
      fc.constantFrom({ kind: "drop" } as const, { kind: "truncate" } as const, { kind: "cut" } as const),
      fc.record({ kind: fc.constant("delay" as const), ms: fc.integer({ min: 1, max: 40 }) }),
      fc.record({
        kind: fc.constant("corrupt" as const),
        text: fc.constantFrom("", "1", "0", "#garbage", "+9.900000E+37", "+5.000000E-01", "VOLT"),
      }),
    ),
  }),
);

const scheduleArb = fc.record({
  /** List mode mostly (fast); fixed mode sometimes (-n 204: a level per exchange). */
  pointsPerCycle: fc.constantFrom(8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 204),
  faults: fc.array(fc.record({ index: fc.nat(90), fault: faultArb }), { maxLength: 3 }),
  /** Abort once the proxy has seen this many commands (none: no interrupt). */
  interruptAfter: fc.option(fc.nat(90), { nil: undefined }),
});
type Schedule = typeof scheduleArb extends fc.Arbitrary<infer S> ? S : never;

/** Faults a driver cannot miss: the reply never comes whole, or the link goes. */
const NOTICED = (fault: ExchangeFault): boolean =>
  fault.on === "command"
    ? fault.fault.kind !== "drop" // a dropped query is noticed too; checked by its line below
    : fault.fault.kind === "drop" || fault.fault.kind === "truncate" || fault.fault.kind === "cut";

const MOTION = /^:SOUR:(VOLT|CURR):LEV [^?]|^:OUTP ON|^:SOUR:LIST:/;

/**
 * Invariant 3 on the wire: the first motion after a noticed fault follows
 * a level query. Judged by the query sent, not by the reply the proxy pairs
 * with it: the driver cannot move past a read-back it did not get, and the
 * proxy's pairing by order slips when the 2400 answers a query with an
 * error instead of a reply (`:READ?` with the output off, -803).
 */
function motionWithoutReadBack(log: readonly ProxyEvent[]): string | undefined {
  let unknownSince: string | undefined;
  for (const event of log) {
    if (event.type === "fault") {
      const noticed =
        NOTICED(event) || (event.on === "command" && event.fault.kind === "drop" && event.line.includes("?"));
      if (noticed) unknownSince ??= `${event.on} ${event.fault.kind} on ${JSON.stringify(event.line)}`;
    } else if (event.type === "command" && /^:SOUR:(VOLT|CURR):LEV\?$/.test(event.line)) {
      unknownSince = undefined;
    } else if (event.type === "command" && unknownSince !== undefined && MOTION.test(event.line)) {
      return `${JSON.stringify(event.line)} sent after ${unknownSince} without a level read-back`;
    }
  }
  return undefined;
}

async function runSchedule(schedule: Schedule, run: number): Promise<void> {
  const record = new SourceRecord();
  const server = await serveVirtualKeithley2400({ seed: run, onSource: record.listener });
  const proxy = await startFaultProxy({ upstream: server.tcpResource ?? "" });
  const controller = new AbortController();
  const watcher = setInterval(() => {
    if (schedule.interruptAfter !== undefined && proxy.commands.length >= schedule.interruptAfter) {
      controller.abort("SIGINT");
    }
  }, 1);
  let outcome = "success";
  try {
    for (const { index, fault } of schedule.faults) {
      try {
        proxy.faultExchange(index, fault);
      } catch {
        // a second fault drawn for the same exchange and side: one is enough
      }
    }
    await runIvJob({
      resource: proxy.resource,
      amplitude: 0.2,
      pointsPerCycle: schedule.pointsPerCycle,
      cycles: 1,
      compliance: 1e-3,
      nplc: 0.01,
      sourceDelay: 0,
      model: "vteam",
      limits: LIMITS,
      outDir: join(root, String(run)),
      // A store of its own beside the runs, never runs.sqlite in the working folder.
      store: `sqlite:${join(root, "runs.sqlite")}`,
      timeoutMs: 20,
      seed: run,
      signal: controller.signal,
    }).catch((error: unknown) => {
      outcome = describeError(error);
    });
  } finally {
    clearInterval(watcher);
    await proxy.close();
    await server.close();
  }
  const context = `schedule ${JSON.stringify(schedule)} ended with: ${outcome}`;
  expect(record.stepsBeyond(MAX_STEP), context).toEqual([]);
  expect(record.largestApplied(), context).toBeLessThanOrEqual(LIMITS.maxAbsVoltage);
  if (record.outputEnabled) expect(outcome, context).toMatch(/could not confirm the output is off/);
  expect(motionWithoutReadBack(proxy.log), context).toBeUndefined();
}

/** One call of a bench script that carries on after errors, as scripts with retry loops do. */
const stepArb = fc.oneof(
  fc.record({ op: fc.constant("set" as const), delta: fc.double({ min: -0.1, max: 0.1, noNaN: true }) }),
  fc.record({ op: fc.constant("ramp" as const), to: fc.double({ min: -0.8, max: 0.8, noNaN: true }) }),
  fc.record({ op: fc.constant("sweep" as const), points: fc.integer({ min: 2, max: 6 }) }),
  fc.record({
    op: fc.constantFrom("read" as const, "refresh" as const, "raw" as const, "on" as const),
  }),
);
const scriptArb = fc.record({
  steps: fc.array(stepArb, { minLength: 3, maxLength: 14 }),
  faults: fc.array(fc.record({ index: fc.nat(70), fault: faultArb }), { maxLength: 3 }),
  interruptAtStep: fc.option(fc.nat(14), { nil: undefined }),
});
type Script = typeof scriptArb extends fc.Arbitrary<infer S> ? S : never;

/**
 * The same invariants under a script that keeps calling the driver after
 * its calls fail — the case where a stale level would turn the next small
 * step into a jump — then shuts down, as `close()` of a bench will.
 */
async function runScript(script: Script, run: number): Promise<void> {
  const record = new SourceRecord();
  const server = await serveVirtualKeithley2400({ seed: run, onSource: record.listener });
  const proxy = await startFaultProxy({ upstream: server.tcpResource ?? "" });
  const outcomes: string[] = [];
  try {
    const k = await connectKeithley2400(proxy.resource, { limits: LIMITS, timeoutMs: 20, resyncSettleMs: 2 });
    for (const { index, fault } of script.faults) {
      try {
        proxy.faultExchange(proxy.commands.length + index, fault);
      } catch {
        // the same exchange and side drawn twice
      }
    }
    let believed = 0; // what a naive script thinks the level is: the last one it asked for
    try {
      await k.complianceCurrent.set(1e-3);
      await k.outputEnabled.set(true); // the 2400 answers :READ? with -803 and no reply while off
      for (const [i, step] of script.steps.entries()) {
        if (i === script.interruptAtStep) break;
        try {
          switch (step.op) {
            case "set":
              await k.sourceVoltage.set(believed + step.delta);
              believed += step.delta;
              break;
            case "ramp":
              await k.rampTo(step.to);
              believed = step.to;
              break;
            case "sweep":
              await k.hardwareSweep(
                Array.from({ length: step.points }, (_, j) => believed + 0.05 * ((j % 2) - 0.5)),
                { timeoutMs: 30 },
              );
              break;
            case "read":
              await k.read();
              break;
            case "refresh":
              await k.refreshState();
              break;
            case "raw":
              await k.unsafeSession().query("*OPC?");
              break;
            case "on":
              await k.outputEnabled.set(true);
              break;
          }
        } catch (error) {
          outcomes.push(describeError(error));
        }
      }
    } finally {
      await k.shutdown().catch((error: unknown) => outcomes.push(describeError(error)));
      await k.close();
    }
  } catch (error) {
    outcomes.push(describeError(error)); // connecting failed: nothing was turned on
  } finally {
    await proxy.close();
    await server.close();
  }
  const context = `script ${JSON.stringify(script)}; errors: ${outcomes.join(" | ")}`;
  expect(record.stepsBeyond(MAX_STEP), context).toEqual([]);
  expect(record.largestApplied(), context).toBeLessThanOrEqual(LIMITS.maxAbsVoltage);
  if (record.outputEnabled)
    expect(outcomes.join("\n"), context).toMatch(/could not confirm the output is off/);
  expect(motionWithoutReadBack(proxy.log), context).toBeUndefined();
}

describe("source safety invariants under random faults and interrupts", () => {
  it(`hold on ${RUNS} random schedules`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scheduleArb, (schedule) => runSchedule(schedule, ++run)),
      { numRuns: RUNS, ...REPLAY },
    );
    // A replay of one path runs that case alone.
    expect(run).toBeGreaterThanOrEqual("path" in REPLAY ? 1 : RUNS);
  }, 240_000);

  it(`hold on ${RUNS} random scripts that carry on after errors`, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scriptArb, (script) => runScript(script, ++run)),
      { numRuns: RUNS, ...REPLAY },
    );
    // A replay of one path runs that case alone.
    expect(run).toBeGreaterThanOrEqual("path" in REPLAY ? 1 : RUNS);
  }, 240_000);

  it("the wire check catches motion without a read-back (it can fail)", () => {
    const log: ProxyEvent[] = [
      { type: "fault", link: 1, line: ":SYST:ERR?", on: "reply", fault: { kind: "drop" } },
      { type: "command", link: 1, line: ":SOUR:VOLT:LEV 0.2;:SOUR:VOLT:LEV?" },
    ];
    expect(motionWithoutReadBack(log)).toMatch(/sent after reply drop/);
    const readBack: ProxyEvent = { type: "command", link: 1, line: ":SOUR:VOLT:LEV?" };
    expect(motionWithoutReadBack([log[0] as ProxyEvent, readBack, log[1] as ProxyEvent])).toBeUndefined();
  });
});
