/**
 * Runs the NumPy twin of a bench case (bench/numpy/<script>.py) in a child
 * python3, so each figure is measured in the same run as the WASM and
 * TypeScript ones. A script reads its case as JSON in argv[1] (with
 * "warmup" and "repetitions" added), times the computation itself and
 * prints one JSON object {"medianMs": number, ...extra} on stdout.
 *
 * The interpreter is Debian's, /usr/bin/python3 with python3-numpy and
 * python3-scipy (scripts/test-deps.sh installs them), by path: the
 * python3 first on PATH may be another one, without them.
 *
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, which some machines here set to
 * work around old OpenBLAS bugs, slow a current NumPy down: they are unset
 * for the benchmark process only (never for tests or CI).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { findPackageRoot } from "../src/core/load-node.js";
import { type BenchOptions, checksumDisagreement } from "./harness.js";

/** Debian's interpreter, by path (see the module doc). */
const PYTHON = "/usr/bin/python3";

/** What one NumPy run reported: its median, or why it did not run. */
export type NumpyResult =
  | { readonly medianMs: number; readonly extra: Readonly<Record<string, unknown>> }
  | { readonly skipped: string };

let availability: string | undefined | null = null;

/** Why NumPy cannot be used here (undefined when it can); asked once per process. */
export function numpyUnavailable(): string | undefined {
  if (availability !== null) return availability;
  try {
    const version = execFileSync(PYTHON, ["-c", "import numpy; print(numpy.__version__)"], {
      encoding: "utf8",
      env: benchEnv(),
    }).trim();
    availability = undefined;
    numpyVersion = version;
  } catch {
    availability = `${PYTHON} with numpy not found (Debian: apt-get install -y python3-numpy)`;
  }
  return availability;
}

let numpyVersion = "";

/** NumPy's version, once `numpyUnavailable()` said it is there. */
export function numpyVersionString(): string {
  return numpyVersion;
}

/** Median ms of bench/numpy/<script>.py on `params`, or a sentence saying why it was skipped. */
export function numpyMedianMs(
  script: string,
  params: Readonly<Record<string, unknown>>,
  options: BenchOptions,
): number | string {
  const result = numpyRun(script, params, options);
  return "skipped" in result ? result.skipped : result.medianMs;
}

/** {@link numpyMedianMs} with whatever else the script printed (a checksum to compare, say). */
export function numpyRun(
  script: string,
  params: Readonly<Record<string, unknown>>,
  options: BenchOptions,
): NumpyResult {
  const why = numpyUnavailable();
  if (why) return { skipped: why };
  const path = join(findPackageRoot(), "bench", "numpy", `${script}.py`);
  const output = execFileSync(PYTHON, [path, JSON.stringify({ ...params, ...options })], {
    encoding: "utf8",
    env: benchEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const lastLine = output.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(lastLine) as { medianMs?: unknown } & Record<string, unknown>;
  if (typeof parsed.medianMs !== "number") {
    throw new Error(`${path} printed ${JSON.stringify(lastLine)}, not {"medianMs": number}`);
  }
  const { medianMs, ...extra } = parsed;
  return { medianMs, extra };
}

/** A NumPy twin's time per call and how its checksum compares with ours (see `numpyCompared`). */
export interface NumpyComparison {
  /** Median ms per call: the run's median divided by the calls the script reports (1 if none). */
  readonly medianMs?: number;
  /** "numpy checksum agrees to 3e-15", or why NumPy was skipped. */
  readonly note: string;
  /** The checksums' disagreement (`checksumDisagreement`), for BenchRow.agreement. */
  readonly worst?: number;
}

/**
 * Runs bench/numpy/<script>.py on `params` and compares the checksum it
 * prints with `ours` (relative to the larger magnitude, or to `floor` for
 * sums that may cancel to near 0).
 */
export function numpyCompared(
  script: string,
  params: Readonly<Record<string, unknown>>,
  ours: readonly number[],
  options: BenchOptions,
  floor = 0,
): NumpyComparison {
  const run = numpyRun(script, params, options);
  if ("skipped" in run) return { note: `numpy skipped: ${run.skipped}` };
  const worst = checksumDisagreement(ours, run.extra.checksum as number[], floor);
  const calls = (run.extra.calls as number | undefined) ?? 1;
  return {
    medianMs: run.medianMs / calls,
    note: `numpy checksum agrees to ${worst.toExponential(0)}`,
    worst,
  };
}

function benchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}
