/**
 * Checks, once before any test, what the suite needs from the machine, and
 * fails loudly rather than letting tests skip: a missing tool is a broken
 * setup, not a reason to test less.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export default function setup(): void {
  try {
    execFileSync("socat", ["-V"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "socat is not installed: the serial tests need a PTY pair from it (apt-get install -y socat)",
    );
  }
  if (!existsSync("build/core.wasm")) {
    throw new Error("build/core.wasm is missing: run `npm run build:wasm` (npm test does it in pretest)");
  }
}
