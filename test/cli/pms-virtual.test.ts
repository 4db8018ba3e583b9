/**
 * `pms virtual` over its whole life, as the compiled bin (the global setup
 * builds it): which flags it refuses, and what it leaves behind when it is
 * stopped by a signal or killed outright.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectKeithley2400 } from "../../src/drivers/instruments/connect-keithley2400.js";

const PMS = join("dist", "src", "cli", "pms.js");
const run = promisify(execFile);
const children: ChildProcess[] = [];
/** $TMPDIR of the bins under test, so their PTY directories are this file's alone. */
let tmpDir: string;

beforeEach(() => {
  tmpDir = mkdtempSync(join(tmpdir(), "pms-virtual-test-"));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(tmpDir, { recursive: true, force: true });
});

function env(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, TMPDIR: tmpDir, ...overrides };
}

/** Starts `pms virtual` and resolves with the resources it prints. */
async function startVirtual(args: string[]): Promise<{ child: ChildProcess; resources: string[] }> {
  const child = spawn(process.execPath, [PMS, "virtual", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: env(),
  });
  children.push(child);
  let out = "";
  const resources = await new Promise<string[]>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("Ctrl-C")) resolve([...out.matchAll(/serving on (\S+)/g)].map((m) => m[1] as string));
    });
    child.once("exit", (code) => reject(new Error(`pms virtual exited with ${code}: ${out}`)));
  });
  return { child, resources };
}

function ptyDirs(): string[] {
  return readdirSync(tmpDir)
    .filter((name) => name.startsWith("pms-pty-"))
    .map((name) => join(tmpDir, name));
}

function pidsOf(dir: string): { owner: number; socat: number } {
  return JSON.parse(readFileSync(join(dir, "pids.json"), "utf8"));
}

/** Whether pid is a live process (a zombie is not), from /proc. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !"ZX".includes(stat.charAt(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, "exit");
  child.kill(signal);
  const [code] = await exited;
  return code;
}

describe("pms virtual (compiled bin)", () => {
  it("--serial, SIGKILLed: socat dies with it, and the next start removes the directory it left", async () => {
    const first = await startVirtual(["--port", "0", "--serial"]);
    const [dir] = ptyDirs() as [string];
    const { owner, socat } = pidsOf(dir);
    expect(owner).toBe(first.child.pid);
    expect(readFileSync(`/proc/${socat}/cmdline`, "utf8")).toMatch(/^socat\0/);

    await stop(first.child, "SIGKILL");
    await expect.poll(() => running(socat), { timeout: 2000 }).toBe(false);

    const second = await startVirtual(["--port", "0", "--serial"]);
    expect(existsSync(dir)).toBe(false);
    expect(ptyDirs()).toHaveLength(1);
    expect(await stop(second.child, "SIGTERM")).toBe(0);
    expect(ptyDirs()).toEqual([]);
  });

  it("--no-tcp --serial serves on the serial PTY only until SIGTERM, then stops socat and removes its links", async () => {
    const { child, resources } = await startVirtual(["--no-tcp", "--serial"]);
    expect(resources).toEqual([expect.stringMatching(/^ASRL\/dev\/pts\/\d+::INSTR$/)]);
    const { socat } = pidsOf(ptyDirs()[0] as string);
    const smu = await connectKeithley2400(resources[0] as string, {
      limits: { maxAbsVoltage: 1, maxAbsCurrent: 0.01 },
    });
    try {
      expect((await smu.identify()).model).toBe("MODEL 2400");
    } finally {
      await smu.close();
    }
    expect(await stop(child, "SIGTERM")).toBe(0);
    expect(running(socat)).toBe(false);
    expect(ptyDirs()).toEqual([]);
  });

  it("--no-tcp without --serial refuses, naming both flags, with exit code 2", async () => {
    const error = await run(process.execPath, [PMS, "virtual", "--no-tcp"], {
      env: env(),
      timeout: 10_000,
    }).catch((e) => e);
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(
      /^pms virtual: --no-tcp leaves nothing to serve; add --serial to serve on a serial PTY only\n/,
    );
    expect(error.stdout).toBe("");
  });

  it("--serial without socat on PATH says what to install, with exit code 1", async () => {
    const error = await run(process.execPath, [PMS, "virtual", "--port", "0", "--serial"], {
      env: env({ PATH: tmpDir }),
      timeout: 10_000,
    }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toBe(
      "pms: MissingProgramError: socat is not installed: serving on a serial PTY needs it (apt-get install -y socat)\n",
    );
    expect(ptyDirs()).toEqual([]);
  });
});
