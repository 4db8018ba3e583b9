/**
 * Issue 13: real SIGINT and SIGTERM sent to a real `pms iv` (the compiled
 * bin in a child process; vitest's global setup builds it) sweeping the
 * virtual 2400 over TCP in this process. Safety is judged by the
 * instrument's own record of its terminals ({@link SourceRecord}), not by
 * what the command says. The sweep is 20,001 levels in fixed mode (-n 1000
 * -c 20, about ten seconds), so that it is always under way when signalled.
 *
 *   test ──SIGINT/SIGTERM──▶ pms iv ──SCPI──▶ [fault proxy] ──▶ virtual 2400 ──onSource──▶ record
 *
 * A slow clean-up, for the second and third signals, is the fault proxy
 * delaying every reply once the first signal is sent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/record/store/open.js";
import { serveVirtualKeithley2400 } from "../../src/virtual/index.js";
import { startFaultProxy } from "../helpers/fault-proxy.js";
import { SourceRecord } from "../safety/source-record.js";
import { runPlace } from "../support/run-place.js";

const PMS = join("dist", "src", "cli", "pms.js");
/** Levels of the sweep: 1000 per cycle × 20 cycles, and the final 0 V. */
const POINTS = 20_001;
/** The safety limits' defaults, which `pms iv` runs with here: 0.1 V steps; 1 mA is for current sourcing. */
const MAX_STEP = { voltage: 0.1, current: 1e-3 };
/** |V| the source is at when signalled, so that the clean-up has a ramp of several steps to make. */
const SIGNAL_LEVEL = 0.6;
/** Reply delay, ms, that stretches the clean-up (a dozen queries or more) over seconds. */
const SLOW_REPLY_MS = 150;
/** The stage `pms iv` names while it makes the instrument safe (src/plans/iv-job.ts). */
const RAMPING = /ramping the source of TCPIP::127\.0\.0\.1::\d+::SOCKET to 0 V and turning its output off/;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** performance.now() when the process was gone. */
  readonly at: number;
}

interface IvProcess {
  readonly child: ChildProcess;
  readonly outDir: string;
  /** The run store it records to (a URI). */
  readonly store: string;
  /** Everything written to stderr so far. */
  readonly stderr: () => string;
  /** Set once the process has exited and its pipes are closed. */
  readonly exit: () => Exit | undefined;
  readonly exited: Promise<Exit>;
}

/** The virtual 2400, recording its terminals, and its resource. */
async function virtual2400(): Promise<{ record: SourceRecord; resource: string }> {
  const record = new SourceRecord();
  const server = await serveVirtualKeithley2400({ seed: 1, onSource: record.listener });
  cleanups.push(() => server.close());
  return { record, resource: server.tcpResource ?? "" };
}

function startIv(resource: string): IvProcess {
  const { outDir, store } = runPlace("pms-iv-signals-");
  const child = spawn(
    process.execPath,
    [PMS, "iv", "--resource", resource, "-n", "1000", "-c", "20", "--out", outDir, "--store", store],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  cleanups.push(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  let exit: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    child.once("close", (code, signal) => {
      exit = { code, signal, at: performance.now() };
      resolve(exit);
    });
  });
  return { child, outDir, store, stderr: () => stderr, exit: () => exit, exited };
}

/** Polls `condition` until it holds; fails, with what `pms iv` said, after `timeoutMs` or if it exits first. */
async function until(iv: IvProcess, what: string, condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    const exit = iv.exit();
    const why = exit
      ? `pms iv exited (code ${exit.code}, signal ${exit.signal})`
      : performance.now() > deadline && `${timeoutMs} ms passed`;
    if (why) throw new Error(`${why} before ${what}; its stderr:\n${iv.stderr()}`);
    await sleep(5);
  }
}

/** Points done, as the last progress line says (stderr is a pipe: one line per batch). */
function pointsDone(stderr: string): number {
  const lines = [...stderr.matchAll(/sweeping: (\d+)\/\d+ points/g)];
  return Number(lines.at(-1)?.[1] ?? 0);
}

/** Waits until the sweep is under way, with the source at |V| ≥ {@link SIGNAL_LEVEL}, and sends `signal`. */
async function signalMidSweep(iv: IvProcess, record: SourceRecord, signal: NodeJS.Signals): Promise<void> {
  await until(
    iv,
    `a progress line and |V| ≥ ${SIGNAL_LEVEL} V`,
    () =>
      pointsDone(iv.stderr()) > 0 &&
      record.outputEnabled &&
      Math.abs(record.states.at(-1)?.level ?? 0) >= SIGNAL_LEVEL,
  );
  expect(pointsDone(iv.stderr()), "the sweep must still be running when signalled").toBeLessThan(POINTS);
  iv.child.kill(signal);
}

/** Whether the record shows, from `since`, a change of level larger than a sweep step: the clean-up's ramp. */
function rampStepSince(record: SourceRecord, since: number): boolean {
  const states = record.states;
  for (let i = Math.max(1, since); i < states.length; i++) {
    const [before, now] = [states[i - 1], states[i]];
    if (before?.outputEnabled && now?.outputEnabled && Math.abs(now.level - before.level) > 0.02) return true;
  }
  return false;
}

/**
 * The run folder, the run store and the instrument's record after a clean
 * stop: rows kept in both, the run ended `abort` with the signal as its
 * reason, output ramped to 0 V and off.
 */
async function expectStoppedSafely(iv: IvProcess, record: SourceRecord): Promise<number> {
  const { start, stop } = JSON.parse(readFileSync(join(iv.outDir, "run.json"), "utf8"));
  const rows = readFileSync(join(iv.outDir, "data.csv"), "utf8").trimEnd().split("\n").length - 1;
  expect(stop).toMatchObject({ status: "abort", reason: expect.stringMatching(/^SIG(INT|TERM)$/), rows });
  const store = await openStore(iv.store, { readonly: true });
  try {
    const kept = await store.run(start.uid);
    expect(kept.summary).toMatchObject({ status: "abort", reason: stop.reason, events: { primary: rows } });
    expect((await kept.table("primary")).count).toBe(rows);
  } finally {
    await store.close();
  }
  expect(rows).toBeGreaterThan(0);
  expect(rows).toBeLessThan(POINTS);
  expect(record.largestApplied()).toBeGreaterThanOrEqual(SIGNAL_LEVEL - 0.1);
  expect(record.outputEnabled).toBe(false);
  expect(record.states.filter((state) => state.outputEnabled).at(-1)?.level).toBe(0);
  expect(record.stepsBeyond(MAX_STEP)).toEqual([]);
  return rows;
}

/**
 * A run behind the fault proxy, sent SIGINT mid-sweep; then every reply is
 * delayed {@link SLOW_REPLY_MS}, and a second SIGINT is sent once the
 * record shows the clean-up's first ramp step, and acknowledged.
 */
async function secondSigintWhileRamping(): Promise<{ record: SourceRecord; iv: IvProcess }> {
  const { record, resource } = await virtual2400();
  const proxy = await startFaultProxy({ upstream: resource });
  cleanups.push(() => proxy.close());
  const iv = startIv(proxy.resource);
  await signalMidSweep(iv, record, "SIGINT");
  const mark = record.mark;
  for (let nth = 1; nth <= 60; nth++) proxy.faultReply(() => true, { kind: "delay", ms: SLOW_REPLY_MS }, nth);
  await until(iv, "the first ramp step of the clean-up", () => rampStepSince(record, mark));
  iv.child.kill("SIGINT");
  await until(iv, 'the "still" message', () => iv.stderr().includes("pms iv: still"));
  expect(record.outputEnabled, "the clean-up is still under way").toBe(true);
  return { record, iv };
}

describe("pms iv under SIGINT and SIGTERM (compiled bin, virtual 2400 over TCP)", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "one %s mid-sweep: stops, ramps to 0 V, turns off, keeps its rows, exits %i",
    async (signal, code) => {
      const { record, resource } = await virtual2400();
      const iv = startIv(resource);
      await signalMidSweep(iv, record, signal);
      expect((await iv.exited).code).toBe(code);
      expect(iv.stderr()).toContain(
        `pms iv: ${signal}: stopping at the next checkpoint, then making the instrument safe`,
      );
      const rows = await expectStoppedSafely(iv, record);
      expect(iv.stderr()).toContain(`interrupted (${signal}) after ${rows} rows; source ramped to 0 V`);
    },
  );

  it("a second SIGINT during the clean-up says what is still being done and lets it finish", async () => {
    const { record, iv } = await secondSigintWhileRamping();
    expect((await iv.exited).code).toBe(130);
    expect(iv.stderr()).toMatch(
      new RegExp(`pms iv: still ${RAMPING.source}; waiting for it to finish \\(once more to exit`),
    );
    expect(iv.stderr()).not.toContain("NOT confirmed off");
    await expectStoppedSafely(iv, record);
  });

  it("a third SIGINT exits at once, saying the output is NOT confirmed off", async () => {
    const { record, iv } = await secondSigintWhileRamping();
    const third = performance.now();
    iv.child.kill("SIGINT");
    const exit = await iv.exited;
    expect(exit.code).toBe(130);
    // Several delayed ramp steps and the output-off exchange were still to come.
    expect(exit.at - third).toBeLessThan(1000);
    expect(record.outputEnabled, "the instrument's output was left on, as the message warns").toBe(true);
    expect(iv.stderr()).toMatch(
      new RegExp(
        `pms iv: exiting while ${RAMPING.source}: the source-meter's output is NOT confirmed off; check the instrument`,
      ),
    );
    expect(record.stepsBeyond(MAX_STEP)).toEqual([]);
  });
});
