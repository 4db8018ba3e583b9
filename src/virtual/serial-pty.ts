/**
 * A virtual serial cable: a pair of pseudo-terminals joined by socat
 * (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`). The
 * instrument opens one end with the `serialport` package; a client opens the
 * other as it would a USB-serial adapter.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PtyPair {
  /** Device path of the instrument's end (/dev/pts/N). */
  readonly instrumentPath: string;
  /** Device path of the client's end (/dev/pts/M). */
  readonly clientPath: string;
  /** Stops socat and removes its links; idempotent. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 5000;

/** Starts socat and resolves once it reports both PTYs and its transfer loop. */
export async function openPtyPair(socat = "socat"): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), "pms-pty-"));
  const child = spawn(
    socat,
    [
      "-d",
      "-d",
      `pty,raw,echo=0,link=${join(dir, "instrument")}`,
      `pty,raw,echo=0,link=${join(dir, "client")}`,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  try {
    const [instrumentPath, clientPath] = await waitForPtys(child);
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
      fail(new Error(`socat exited (code ${code}) before its PTYs were ready:\n${log}`));
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
