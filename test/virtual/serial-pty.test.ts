/**
 * A PTY pair around its owner's life: what a start refuses, what it records
 * for the next start, and which leftovers of earlier owners it clears.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import {
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MissingProgramError, openPtyPair } from "../../src/virtual/serial-pty.js";

let tmpDir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  tmpDir = mkdtempSync(join(tmpdir(), "serial-pty-test-"));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  rmSync(tmpDir, { recursive: true, force: true });
});

/** Whether pid is a live process (a zombie is not), from /proc. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !"ZX".includes(stat.charAt(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

/** A pid that just exited and was reaped: the owner of a leftover. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await once(child, "exit");
  return child.pid as number;
}

/** A `pms-pty-*` directory as an earlier start would leave it, before its pid file. */
function leftover(): string {
  return mkdtempSync(join(tmpDir, "pms-pty-"));
}

function writePids(dir: string, pids: { owner: number; socat?: number | undefined }): void {
  writeFileSync(join(dir, "pids.json"), JSON.stringify(pids));
}

/** A socat serving dir's links as a pair's would, but tied to nothing; resolves once it runs. */
async function socatFor(dir: string): Promise<ChildProcess> {
  const links = ["instrument", "client"].map((end) => `pty,raw,echo=0,link=${join(dir, end)}`);
  const child = spawn("socat", ["-d", "-d", ...links], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let log = "";
  await new Promise<void>((resolve) =>
    child.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("starting data transfer loop")) resolve();
    }),
  );
  return child;
}

describe("openPtyPair", () => {
  it.each([
    [
      { socat: "pms-no-such-socat" },
      "pms-no-such-socat is not installed: serving on a serial PTY needs it (apt-get install -y socat)",
    ],
    [
      { setpriv: "pms-no-such-setpriv" },
      "pms-no-such-setpriv is not installed: serving on a serial PTY needs it to stop socat when pms dies (apt-get install -y util-linux)",
    ],
  ])("without %o, refuses naming what to install, and leaves nothing", async (programs, message) => {
    const error = await openPtyPair({ ...programs, tmpDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingProgramError);
    expect((error as Error).message).toBe(message);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it("records its owner and its socat in a pid file; close stops socat and removes the directory", async () => {
    const pair = await openPtyPair({ tmpDir });
    const [name] = readdirSync(tmpDir);
    const dir = join(tmpDir, name as string);
    const pids = JSON.parse(readFileSync(join(dir, "pids.json"), "utf8"));
    expect(pids.owner).toBe(process.pid);
    const argv = readFileSync(`/proc/${pids.socat}/cmdline`, "utf8").split("\0");
    expect(argv).toContain(`pty,raw,echo=0,link=${join(dir, "instrument")}`);
    await pair.close();
    expect(running(pids.socat)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("a start clears the directories of dead owners, stopping their socat, and leaves the rest", async () => {
    const dead = await deadPid();
    const live = leftover();
    const liveSocat = await socatFor(live);
    writePids(live, { owner: process.pid, socat: liveSocat.pid });
    const stale = leftover();
    const staleSocat = await socatFor(stale);
    writePids(stale, { owner: dead, socat: staleSocat.pid });
    // A stale socat pid now used by another pair's socat: not this directory's, so not stopped.
    const reused = leftover();
    writePids(reused, { owner: dead, socat: liveSocat.pid });
    const staleWithoutSocat = leftover();
    writePids(staleWithoutSocat, { owner: dead });
    const withoutPidFile = leftover();

    const pair = await openPtyPair({ tmpDir });
    try {
      await expect.poll(() => running(staleSocat.pid as number), { timeout: 2000 }).toBe(false);
      expect([stale, reused, staleWithoutSocat].filter(existsSync)).toEqual([]);
      expect([live, withoutPidFile].filter(existsSync)).toEqual([live, withoutPidFile]);
      await delay(100); // a wrongly sent signal would have landed by now
      expect(running(liveSocat.pid as number)).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it.runIf(process.getuid?.() === 0)(
    "a start leaves another user's directory alone, even with a dead owner (needs root to make one)",
    async () => {
      const foreign = leftover();
      writePids(foreign, { owner: await deadPid() });
      chownSync(foreign, 65534, 65534);
      const pair = await openPtyPair({ tmpDir });
      await pair.close();
      expect(existsSync(foreign)).toBe(true);
    },
  );
});
