/**
 * Where a test's run goes: a fresh folder for the run's files and a run
 * store of its own beside it, so that no test writes `runs.sqlite` into the
 * working folder or shares a store with another test file.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function runPlace(prefix: string): { readonly outDir: string; readonly store: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { outDir: join(dir, "run"), store: `sqlite:${join(dir, "runs.sqlite")}` };
}
