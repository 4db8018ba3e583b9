/**
 * A virtual serial cable: a pair of pseudo-terminals joined by socat
 * (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`). The
 * instrument opens one end with the `serialport` package; a client opens the
 * other as it would a USB-serial adapter.
 *
 * socat must not outlive the process that started it, and a process killed
 * with SIGKILL runs no cleanup of its own. So:
 * - socat runs under `setpriv --pdeathsig SIGTERM` (util-linux), and the
 *   kernel sends it SIGTERM when its parent dies (prctl(2)
 *   PR_SET_PDEATHSIG); socat removes its links on SIGTERM. "Parent" is the
 *   thread that spawned it: Node spawns from the thread running the event
 *   loop — the main thread in `pms`, so socat lives as long as the process;
 *   inside a worker, socat stops when that worker ends.
 * - each pair's directory holds a pid file naming its owner and its socat;
 *   the next start removes directories whose owner has died, stopping their
 *   socat if it is still there (it can be: the owner may die between fork
 *   and prctl, or socat may come from before the pid file existed).
 *
 * Both rely on Linux (prctl, /proc). Without setpriv, opening a pair is
 * refused rather than leaving a socat that nothing will stop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, lstat, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, join } from "node:path";

export interface PtyPair {
  /** Device path of the instrument's end (/dev/pts/N). */
  readonly instrumentPath: string;
  /** Device path of the client's end (/dev/pts/M). */
  readonly clientPath: string;
  /** Stops socat and removes its links; idempotent. */
  close(): Promise<void>;
}

export interface PtyPairOptions {
  /** The socat to run: a name looked up on PATH, or a path (default "socat"). */
  socat?: string;
  /** The setpriv that ties socat to this process: a name on PATH, or a path (default "setpriv"). */
  setpriv?: string;
  /** Where the `pms-pty-*` directories live (default: os.tmpdir(), i.e. $TMPDIR or /tmp). */
  tmpDir?: string;
}

/** A program pms needs is not on PATH; the message says what it is for and how to install it. */
export class MissingProgramError extends Error {
  constructor(
    readonly program: string,
    purpose: string,
    readonly install: string,
  ) {
    super(`${program} is not installed: ${purpose} (${install})`);
    this.name = "MissingProgramError";
  }
}

const START_TIMEOUT_MS = 5000;
const DIR_PREFIX = "pms-pty-";
const PID_FILE = "pids.json";

/** A pair's pid file: the process that owns the directory, and its socat once spawned. */
interface Pids {
  owner: number;
  socat?: number;
}

/**
 * Clears what dead owners left behind, then starts socat and resolves once
 * it reports both PTYs and its transfer loop.
 */
export async function openPtyPair({
  socat = "socat",
  setpriv = "setpriv",
  tmpDir = tmpdir(),
}: PtyPairOptions = {}): Promise<PtyPair> {
  await requireProgram(socat, "serving on a serial PTY needs it", "apt-get install -y socat");
  await requireProgram(
    setpriv,
    "serving on a serial PTY needs it to stop socat when pms dies",
    "apt-get install -y util-linux",
  );
  await removeStaleDirs(tmpDir);
  const dir = await mkdtemp(join(tmpDir, DIR_PREFIX));
  // The owner goes in first: a pms killed while socat starts still leaves a directory the next start clears.
  await writePids(dir, { owner: process.pid });
  const child = spawn(setpriv, ["--pdeathsig", "SIGTERM", "--", socat, "-d", "-d", ...ptyAddresses(dir)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  // Listen before any await: a failed spawn reports its 'error' on the next tick.
  const ready = waitForPtys(child);
  try {
    const [[instrumentPath, clientPath]] = await Promise.all([
      ready,
      child.pid !== undefined && writePids(dir, { owner: process.pid, socat: child.pid }),
    ]);
    let closed: Promise<void> | undefined;
    return {
      instrumentPath,
      clientPath,
      close: () => {
        closed ??= stop(child).then(() => rm(dir, { recursive: true, force: true }));
        return closed;
      },
    };
  } catch (error) {
    await stop(child);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** socat's two addresses; the stale-directory check matches them to recognise a pair's socat. */
function ptyAddresses(dir: string): [string, string] {
  return [`pty,raw,echo=0,link=${join(dir, "instrument")}`, `pty,raw,echo=0,link=${join(dir, "client")}`];
}

/** Spawning a missing program fails with `spawn socat ENOENT`, which names no remedy. */
async function requireProgram(program: string, purpose: string, install: string): Promise<void> {
  const candidates = program.includes("/")
    ? [program]
    : (process.env.PATH ?? "")
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, program));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return;
    } catch {
      // Not in this PATH entry; try the next.
    }
  }
  throw new MissingProgramError(program, purpose, install);
}

/** Written to a temporary name and renamed, so that a reader never sees half a file. */
async function writePids(dir: string, pids: Pids): Promise<void> {
  const file = join(dir, PID_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(pids));
  await rename(`${file}.tmp`, file);
}

async function readPids(dir: string): Promise<Pids | undefined> {
  try {
    const { owner, socat } = JSON.parse(await readFile(join(dir, PID_FILE), "utf8"));
    if (!isPid(owner) || (socat !== undefined && !isPid(socat))) return undefined;
    return { owner, socat };
  } catch {
    return undefined;
  }
}

function isPid(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

/**
 * Removes the `pms-pty-*` directories of owners that have died, stopping
 * their socat first. It touches only directories of this user that carry a
 * readable pid file whose owner is gone: one being set up (no pid file yet),
 * one in use, or another user's is left alone.
 */
async function removeStaleDirs(tmpDir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tmpDir);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith(DIR_PREFIX))) {
    const dir = join(tmpDir, name);
    try {
      const info = await lstat(dir);
      if (!info.isDirectory() || info.uid !== process.getuid?.()) continue;
      const pids = await readPids(dir);
      if (pids === undefined || (await isRunning(pids.owner))) continue;
      if (pids.socat !== undefined && (await isSocatOf(pids.socat, dir))) {
        try {
          process.kill(pids.socat, "SIGTERM");
        } catch {
          // It exited since the check; the directory goes all the same.
        }
      }
      await rm(dir, { recursive: true, force: true });
    } catch {
      // Another start may be clearing the same directory; a leftover must not stop this start.
    }
  }
}

/** Whether pid is a live process; a zombie has already exited and only waits to be reaped. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const fields = await readFile(`/proc/${pid}/stat`, "utf8");
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    const state = fields.charAt(fields.lastIndexOf(")") + 2);
    return state !== "Z" && state !== "X";
  } catch (error) {
    // Any doubt counts as running: the caller then leaves the directory alone.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/** Whether pid is still the socat of dir's pair, and not a process that reuses its pid. */
async function isSocatOf(pid: number, dir: string): Promise<boolean> {
  try {
    if ((await stat(`/proc/${pid}`)).uid !== process.getuid?.() || !(await isRunning(pid))) return false;
    const argv = (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
    return basename(argv[0] ?? "").includes("socat") && ptyAddresses(dir).every((a) => argv.includes(a));
  } catch {
    return false;
  }
}

function waitForPtys(child: ChildProcess): Promise<[string, string]> {
  return new Promise((resolve, reject) => {
    const paths: string[] = [];
    let log = "";
    const timer = setTimeout(
      () => fail(new Error(`socat did not start within ${START_TIMEOUT_MS} ms:\n${log}`)),
      START_TIMEOUT_MS,
    );
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off("data", onData);
      child.off("error", fail);
      child.off("exit", onExit);
    };
    function fail(error: Error) {
      cleanup();
      reject(error);
    }
    function onExit(code: number | null) {
      fail(new Error(`socat (under setpriv) exited (code ${code}) before its PTYs were ready:\n${log}`));
    }
    function onData(chunk: Buffer) {
      log += chunk.toString();
      for (const match of log.matchAll(/PTY is (\S+)/g)) {
        if (match[1] && !paths.includes(match[1])) paths.push(match[1]);
      }
      const [a, b] = paths;
      if (a && b && log.includes("starting data transfer loop")) {
        cleanup();
        // Keep draining stderr so socat never blocks on a full pipe.
        child.stderr?.resume();
        resolve([a, b]);
      }
    }
    child.stderr?.on("data", onData);
    child.once("error", fail);
    child.once("exit", onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
