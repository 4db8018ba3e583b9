/**
 * Temp files for the bench-file tests: real files on disk, as a person's
 * bench file would be, in a folder each test file makes and removes.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { KNOWN_BENCH_DRIVERS } from "../../src/bench/drivers.js";
import { BenchFileError } from "../../src/bench/errors.js";
import { loadBenchFile } from "../../src/bench/file.js";

/** Lines joined as a file (with its last newline), so that a test's line numbers are the array's. */
export const lines = (...text: string[]): string => `${text.join("\n")}\n`;

/** A folder for this test file's benches; `path(name)` is inside it. */
export function tempFolder(): {
  path: (name: string) => string;
  write: (name: string, text: string) => Promise<string>;
} {
  let folder = "";
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "pms-bench-file-"));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });
  const path = (name: string) => join(folder, name);
  return {
    path,
    write: async (name, text) => {
      await writeFile(path(name), text, "utf8");
      return path(name);
    },
  };
}

/** The error loading `path` gives (failing the test if it loads). */
export async function loadError(path: string, registry = KNOWN_BENCH_DRIVERS): Promise<BenchFileError> {
  const outcome = await loadBenchFile(path, registry).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(BenchFileError);
  return outcome as BenchFileError;
}

/** The example bench of the bench-file design, in YAML. */
export const DEMO_YAML = lines(
  "# a comment",
  "name: demo bench",
  "clock:",
  "  control: tcp://127.0.0.1:5600",
  "store: sqlite:lab-runs.sqlite",
  "instruments:",
  "  smu1:",
  "    driver: keithley2400",
  "    resource: TCPIP::127.0.0.1::5025::SOCKET",
  "    connects: memristor",
  "    timeoutMs: 5000",
  "    limits:",
  "      maxAbsVoltage: 1.5      # V",
  "      maxAbsCurrent: 0.01     # A",
  "      maxVoltageStep: 0.1",
  "      maxCurrentStep: 0.001",
  "      maxVoltageRate: 5",
  "      maxCurrentRate: 0.05",
  "  smu2:",
  "    driver: keithley2450",
  "    resource: ASRL/dev/ttyUSB0::INSTR",
  "    limits:",
  "      maxAbsVoltage: none",
);
