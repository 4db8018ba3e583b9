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
import { serialClient } from "../virtual/line-client.js";

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

/** Starts `pms virtual` and resolves with the resources it prints for `name` (default smu1, the 2400). */
async function startVirtual(
  args: string[],
  name = "smu1",
): Promise<{ child: ChildProcess; resources: string[]; all: string[] }> {
  const child = spawn(process.execPath, [PMS, "virtual", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: env(),
  });
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
  it("--serial, SIGKILLed: socat dies with it, and the next start removes the directories it left", async () => {
    const first = await startVirtual(["--port", "0", "--serial"]);
    // One PTY pair per instrument of the default bench: the 2400, the 2450, the laser and the meter.
    const dirs = ptyDirs();
    expect(dirs).toHaveLength(4);
    const socats = dirs.map((dir) => {
      const { owner, socat } = pidsOf(dir);
      expect(owner).toBe(first.child.pid);
      expect(readFileSync(`/proc/${socat}/cmdline`, "utf8")).toMatch(/^socat\0/);
      return socat;
    });

    await stop(first.child, "SIGKILL");
    for (const socat of socats) await expect.poll(() => running(socat), { timeout: 2000 }).toBe(false);

    const second = await startVirtual(["--port", "0", "--serial"]);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(ptyDirs()).toHaveLength(4);
    expect(await stop(second.child, "SIGTERM")).toBe(0);
    expect(ptyDirs()).toEqual([]);
  });

  it("--no-tcp --serial serves on the serial PTYs only until SIGTERM, then stops socat and removes its links", async () => {
    const { child, resources, all } = await startVirtual(["--no-tcp", "--serial"]);
    expect(resources).toEqual([expect.stringMatching(/^ASRL\/dev\/pts\/\d+::INSTR$/)]);
    const pty = expect.stringMatching(/^ASRL\/dev\/pts\/\d+::INSTR$/);
    expect(all).toEqual([resources[0], pty, pty, pty]);
    const socats = ptyDirs().map((dir) => pidsOf(dir).socat);
    const smu = await connectKeithley2400(resources[0] as string, {
      limits: { maxAbsVoltage: 1, maxAbsCurrent: 0.01 },
    });
    try {
      expect((await smu.identify()).model).toBe("MODEL 2400");
    } finally {
      await smu.close();
    }
    const smu2 = await serialClient(all[1] as string);
    try {
      expect(await smu2.query("*IDN?")).toMatch(/^KEITHLEY INSTRUMENTS,MODEL 2450,/);
    } finally {
      await smu2.close();
    }
    expect(await stop(child, "SIGTERM")).toBe(0);
    for (const socat of socats) expect(running(socat)).toBe(false);
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
