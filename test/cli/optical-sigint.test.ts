/**
 * Issue 16, "Safety": a real SIGINT (and SIGTERM) sent to a real `pms
 * spectrum --sweep` (the compiled bin in a child process) sweeping the
 * virtual TSL-570 of a bench served in this process on the wall clock, as
 * `pms virtual --bench` serves one. Safety is judged by what the virtual
 * laser was commanded (its own state), never by what the driver or the
 * command believes.
 *
 *   test ──SIGINT──▶ pms spectrum --bench <file> ──SCPI──▶ virtual TSL-570 + PM100USB (this process)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { benchFileOf } from "../../src/bench/embedded.js";
import { writeBenchFile } from "../../src/bench/file.js";
import {
  serveVirtualBench,
  type VirtualBenchSpec,
  type VirtualSantecTsl570,
} from "../../src/virtual/index.js";

const PMS = join("dist", "src", "cli", "pms.js");

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A laser and a meter on the demo chip's fibres, on the wall clock, and a bench file that points at them. */
async function wallClockBench(): Promise<{ laser: VirtualSantecTsl570; file: string }> {
  const spec: VirtualBenchSpec = {
    clock: "wall",
    instruments: { laser: { model: "santec-tsl570" }, meter: { model: "thorlabs-pm100" } },
  };
  const bench = await serveVirtualBench(spec);
  cleanups.push(() => bench.close());
  const file = join(mkdtempSync(join(tmpdir(), "pms-optical-sigint-")), "bench.json");
  await writeBenchFile(file, benchFileOf(bench, spec, "sigint test"));
  return { laser: bench.instruments.laser?.instrument as VirtualSantecTsl570, file };
}

interface Spectrum {
  readonly child: ChildProcess;
  readonly out: string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** `pms spectrum --sweep` over 4 nm at 1 nm/s: a 4 s sweep, under way whenever it is signalled. */
function startSweep(file: string): Spectrum {
  const out = join(mkdtempSync(join(tmpdir(), "pms-optical-sigint-")), "run");
  const args = ["spectrum", "--bench", file, "--sweep", "--speed", "1", "--start", "1549", "--stop", "1553"];
  const store = `sqlite:${join(dirname(out), "runs.sqlite")}`;
  const child = spawn(process.execPath, [PMS, ...args, "--out", out, "--store", store], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { child, out, stderr: () => stderr, exited };
}

/** Rows in data.csv so far (0 before its header). */
function rows(out: string): number {
  try {
    return Math.max(0, readFileSync(join(out, "data.csv"), "utf8").trimEnd().split("\n").length - 1);
  } catch {
    return 0;
  }
}

async function until(what: string, run: Spectrum, condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  void run.exited.then(() => {
    exited = true;
  });
  while (!condition()) {
    if (exited || performance.now() > deadline) {
      throw new Error(
        `${exited ? "pms spectrum exited" : `${timeoutMs} ms passed`} before ${what}:\n${run.stderr()}`,
      );
    }
    await sleep(10);
  }
}

describe("pms spectrum --sweep under a signal (compiled bin, virtual laser on the wall clock)", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s during a sweep stops the sweep and leaves the laser off (exit %i)",
    async (signal, code) => {
      const { laser, file } = await wallClockBench();
      const run = startSweep(file);
      await until(
        "the sweep is under way with rows recorded",
        run,
        () => /pms spectrum: sweeping [\d.]+ nm at 1 nm\/s/.test(run.stderr()) && rows(run.out) > 0,
      );
      expect(laser.sweepState, "the laser is sweeping when signalled").toBe("running");
      expect(laser.outputEnabled).toBe(true);
      run.child.kill(signal);
      expect(await run.exited).toBe(code);
      expect(run.stderr()).toContain(`pms spectrum: ${signal}: stopping at the next checkpoint`);
      // What the virtual laser was commanded: the sweep stopped part-way (no cycle completed, fewer than
      // the 4001 triggers of the whole span logged, and no more after a while), the light off.
      expect(laser.sweepState).toBe("stopped");
      expect(laser.completedSweeps).toBe(0);
      const logged = laser.log.wavelengths.length;
      expect(logged).toBeLessThan(4001);
      expect(laser.outputEnabled).toBe(false);
      await sleep(300);
      expect(laser.log.wavelengths.length).toBe(logged);
      expect(laser.sweepState).toBe("stopped");
      const kept = rows(run.out);
      const { stop } = JSON.parse(readFileSync(join(run.out, "run.json"), "utf8"));
      expect(stop).toMatchObject({ status: "abort", reason: signal, rows: kept });
      expect(kept).toBeGreaterThan(0);
      expect(run.stderr()).toMatch(
        new RegExp(`interrupted \\(${signal}\\) after ${kept} rows; laser light turned off`),
      );
    },
  );
});
