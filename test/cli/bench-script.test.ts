/**
 * The README's bench script, run as it stands there: `pms virtual --bench`
 * serves the virtual bench and writes its bench file, and
 * examples/iv-on-2450.mjs (the README's code block, character for
 * character) opens it, runs the I-V plan on the 2450 and closes the bench.
 * Both are the compiled bin and package (the global setup builds dist/).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { KNOWN_BENCH_DRIVERS } from "../../src/bench/drivers.js";
import { loadBenchFile } from "../../src/bench/file.js";
import { connectKeithley2450 } from "../../src/drivers/instruments/connect-keithley2450.js";

const PMS = join("dist", "src", "cli", "pms.js");
const SCRIPT = join("examples", "iv-on-2450.mjs");
const run = promisify(execFile);
let dir: string;
let child: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pms-bench-script-"));
});
afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `pms virtual --bench <dir>/bench.json` and resolves once the file is written. */
async function serveWithBenchFile(): Promise<string> {
  const path = join(dir, "bench.json");
  child = spawn(process.execPath, [PMS, "virtual", "--bench", path], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    child?.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ctrl-C")) resolve();
    });
    child?.once("exit", (code) => reject(new Error(`pms virtual exited with ${code}: ${out}`)));
  });
  expect(out).toContain(`bench file: ${path}`);
  return path;
}

describe("the README's bench script", () => {
  it("is examples/iv-on-2450.mjs, character for character", () => {
    const readme = readFileSync("README.md", "utf8");
    const block = /## A bench script[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(readFileSync(SCRIPT, "utf8"));
    expect(block?.split("\n").length).toBeLessThanOrEqual(25);
  });

  it("pms virtual --bench writes a bench file of free ports and the clock endpoint that loads back", async () => {
    const path = await serveWithBenchFile();
    const bench = await loadBenchFile(path, KNOWN_BENCH_DRIVERS);
    expect(Object.keys(bench.instruments)).toEqual(["smu1", "smu2", "laser", "meter"]);
    expect(bench.instruments.smu2).toMatchObject({ driver: "keithley2450", connects: "heater" });
    expect(bench.instruments.laser).toMatchObject({ driver: "santec-tsl570", kind: "tunable-laser" });
    expect(bench.instruments.meter).toMatchObject({ driver: "thorlabs-pm100", kind: "power-meter" });
    expect(bench.instruments.smu1?.resource).not.toContain("::5025::");
    expect(bench.clock?.control).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  });

  it("runs the I-V plan on the 2450 of the bench file and leaves its output off", async () => {
    const path = await serveWithBenchFile();
    const { stdout } = await run(process.execPath, [SCRIPT, path], { timeout: 60_000 });
    expect(stdout).toMatch(/^I-V on MODEL 2450 \(serial \S+\) at TCPIP::127\.0\.0\.1::\d+::SOCKET$/m);
    expect(stdout).toMatch(/^41 points in 3 batches, 0 in compliance$/m);
    // What the instrument says, not what the script believed: the output is off.
    const bench = await loadBenchFile(path, KNOWN_BENCH_DRIVERS);
    const smu = await connectKeithley2450(bench.instruments.smu2?.resource ?? "", { timeoutMs: 5000 });
    try {
      expect(await smu.outputEnabled.get()).toBe(false);
      expect(await smu.sourceVoltage.get()).toBe(0);
    } finally {
      await smu.close();
    }
  });

  it("pms iv --bench runs the I-V job on the bench file's 2450, and refuses what does not fit", async () => {
    const path = await serveWithBenchFile();
    const out = join(dir, "run");
    const args = [
      PMS,
      "iv",
      "--bench",
      path,
      "--smu",
      "smu2",
      "-a",
      "1",
      "-n",
      "40",
      "-c",
      "1",
      "--nplc",
      "0.1",
    ];
    const { stdout } = await run(
      process.execPath,
      [...args, "--out", out, "--store", join(dir, "runs.sqlite")],
      {
        timeout: 60_000,
      },
    );
    expect(stdout).toMatch(
      /instrument\s+KEITHLEY INSTRUMENTS MODEL 2450 .* at TCPIP::127\.0\.0\.1::\d+::SOCKET/,
    );
    expect(stdout).toMatch(/points\s+41 measured/);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    expect(record.start.bench.instruments.find((i: { name: string }) => i.name === "smu2").driver).toBe(
      "keithley2450",
    );
    expect(record.stop.status).toBe("success");

    const wrong = await run(process.execPath, [PMS, "iv", "--bench", path, "--smu", "laser"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(wrong).toMatchObject({ code: 2 });
    expect((wrong as { stderr: string }).stderr).toMatch(
      /--smu: .* has no source-meter "laser"; its source-meters: smu1, smu2/,
    );
    const limits = await run(process.execPath, [PMS, "iv", "--bench", path, "--max-voltage", "1"]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(limits).toMatchObject({ code: 2 });
    expect((limits as { stderr: string }).stderr).toMatch(
      /--bench takes the limits of its bench file; drop --max-voltage/,
    );
  });
});
