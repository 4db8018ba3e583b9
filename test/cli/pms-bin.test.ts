/**
 * The `pms` command as a user runs it: the compiled bin in a child process
 * (npm test builds it first), talking to instruments over real sockets.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";

const PMS = resolve("dist", "src", "cli", "pms.js");
const run = promisify(execFile);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts `pms virtual` and resolves with the resources it prints for `name` (default smu1, the 2400). */
async function startVirtual(
  args: string[],
  name = "smu1",
): Promise<{ child: ChildProcess; resources: string[]; all: string[] }> {
  const child = spawn(process.execPath, [PMS, "virtual", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  const served = await new Promise<RegExpExecArray[]>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ctrl-C")) resolve([...out.matchAll(/^(\S+): .* serving on (\S+)$/gm)]);
    });
    child.once("exit", (code) => reject(new Error(`pms virtual exited with ${code}: ${out}`)));
  });
  const resources = served.filter((m) => m[1] === name).map((m) => m[2] as string);
  return { child, resources, all: served.map((m) => m[2] as string) };
}

describe("pms (compiled bin)", () => {
  it("iv runs the job on the embedded virtual bench and reports what it saw", async () => {
    // Run in a folder of its own: the store's default place is runs.sqlite in the working folder.
    const dir = mkdtempSync(join(tmpdir(), "pms-bin-"));
    const out = join(dir, "run");
    const { stdout } = await run(process.execPath, [PMS, "iv", "--cycles", "1", "--out", out], { cwd: dir });
    expect(stdout).toMatch(/points\s+201 measured, 0 in compliance/);
    const kept = /run\s+([0-9a-f-]{36}) in sqlite:(\S+)$/m.exec(stdout);
    expect(kept?.[2]).toBe(join(realpathSync(dir), "runs.sqlite"));
    expect(existsSync(join(dir, "runs.sqlite"))).toBe(true);
    expect(stdout).toMatch(/hysteresis\s+yes: branches differ by \d+\.\d % of max \|I\|/);
    expect(stdout).toMatch(/model\s+vteam, default parameters: RMS residual \S+ A/);
    expect(readFileSync(join(out, "data.csv"), "utf8").split("\n")).toHaveLength(203);
  });

  it("iv refuses a sweep past a safety limit with a message naming it, exit code 1", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "pms-bin-")), "run");
    const error = await run(process.execPath, [PMS, "iv", "--amplitude", "3", "--out", out], {
      cwd: dirname(out),
    }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(
      /^pms: SafetyLimitError: TCPIP::127\.0\.0\.1::\d+::SOCKET: refused 2.04 V: safety limit maxAbsVoltage is 2 V; nothing was sent/,
    );
  });

  it.each([
    [
      ["--points", "44"],
      /^pms: --points: must be a multiple of 4 .*at least 48 .*within --max-step \(0\.1 V\); got 44$/m,
    ],
    [
      ["--compliance", "0"],
      /^pms: --compliance: must be a current from 1e-9 to 0\.1 A .*--max-current\); got 0$/m,
    ],
    [
      ["--timeout", "3e9"],
      /^pms: --timeout: must be a whole number of milliseconds from 1 to 2147483647; got 3000000000$/m,
    ],
    [["--out", "/proc/pms/run"], /^pms: --out: cannot write the run folder \/proc\/pms\/run \(E[A-Z]+\)$/m],
  ])(
    "iv %j is refused naming the flag the user typed, exit code 2, nothing started",
    async (args, message) => {
      const out = join(mkdtempSync(join(tmpdir(), "pms-bin-")), "run");
      const error = await run(process.execPath, [PMS, "iv", "--out", out, ...args], {
        timeout: 10_000,
        cwd: dirname(out),
      }).catch((e) => e);
      expect(error.code).toBe(2);
      expect(error.stderr).toMatch(message);
    },
  );

  it("virtual serves the 2400 (and the 2450, the laser and the meter) over TCP and a serial PTY until SIGINT", async () => {
    const { child, resources, all } = await startVirtual(["--port", "0", "--serial"]);
    expect(resources).toHaveLength(2);
    // Four instruments, each on TCP and a PTY.
    expect(all).toHaveLength(8);
    for (const resource of resources) {
      const smu = await connectKeithley2400(resource, { limits: { maxAbsVoltage: 1, maxAbsCurrent: 0.01 } });
      try {
        expect((await smu.identify()).model).toBe("MODEL 2400");
      } finally {
        await smu.close();
      }
    }
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });
});
