/**
 * A connected pair of pseudo-terminals from socat: what a serial cable
 * between two programs looks like on Linux.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";

export interface PtyPair {
  readonly paths: readonly [string, string];
  /** Ends socat: both ends hang up. */
  close(): Promise<void>;
}

export function openPtyPair(): Promise<PtyPair> {
  const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = once(socat, "exit");
  return new Promise((resolve, reject) => {
    let log = "";
    socat.once("error", reject);
    socat.stderr.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const paths = [...log.matchAll(/PTY is (\S+)/g)].map((match) => match[1] ?? "");
      const [a, b] = paths;
      if (a && b && /starting data transfer loop/.test(log)) {
        socat.stderr.removeAllListeners("data");
        socat.stderr.resume();
        resolve({
          paths: [a, b],
          close: async () => {
            if (socat.exitCode === null) socat.kill("SIGTERM");
            await exited;
          },
        });
      }
    });
    exited.then(() => reject(new Error(`socat exited before the PTY pair was ready: ${log}`)));
  });
}
