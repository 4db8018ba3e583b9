/**
 * Checks, once before any test, what the suite needs from the machine, and
 * fails loudly rather than letting tests skip: a missing tool is a broken
 * setup, not a reason to test less. Then compiles the TypeScript (under a
 * second), so the tests of the `pms` bin never run a stale dist/.
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
  for (const [file, script] of [
    ["build/core.wasm", "build:wasm"],
    ["src/proto/generated/pms.js", "build:proto"],
  ]) {
    if (!existsSync(file as string)) {
      throw new Error(`${file} is missing: run \`npm run ${script}\` (npm test does it in pretest)`);
    }
  }
  execFileSync("node_modules/.bin/tsc", ["-p", "tsconfig.build.json"], { stdio: "inherit" });
}
