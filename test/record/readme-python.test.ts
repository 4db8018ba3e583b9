/**
 * The README's Python snippet (section "The run store"), run as written by
 * Debian's /usr/bin/python3 with python3-numpy, in a folder whose
 * `runs.sqlite` an I-V run was just written to: it must find that run and
 * read the same numbers the store's own reader gives.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runIvJob } from "../../src/plans/iv-job.js";
import { openStore } from "../../src/record/store/open.js";

const execute = promisify(execFile);

/** The python block after the README's `readme-python` marker. */
function readmeSnippet(): string {
  const readme = readFileSync("README.md", "utf8");
  const marker = readme.indexOf("<!-- readme-python:");
  expect(marker, "the README's python marker").toBeGreaterThan(0);
  const block = /```python\n([\s\S]*?)```/.exec(readme.slice(marker));
  expect(block, "a python block after the marker").not.toBeNull();
  return block?.[1] ?? "";
}

describe("the README's Python snippet", () => {
  it("reads the latest I-V run straight from runs.sqlite, the same numbers as the store's reader", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pms-readme-py-"));
    const store = `sqlite:${join(dir, "runs.sqlite")}`;
    const result = await runIvJob({
      amplitude: 1.2,
      pointsPerCycle: 200,
      cycles: 1,
      compliance: 10e-3,
      nplc: 1,
      sourceDelay: 1e-3,
      model: "vteam",
      limits: {},
      outDir: join(dir, "run"),
      store,
      timeoutMs: 2000,
      seed: 1,
    });
    const { stdout } = await execute("/usr/bin/python3", ["-c", readmeSnippet()], { cwd: dir });
    const [uid, count, peak] = stdout.trim().split(" ");
    expect(uid).toBe(result.record.uid);
    expect(Number(count)).toBe(201);
    const reader = await openStore(store, { readonly: true });
    try {
      const table = await (await reader.run(result.record.uid)).table("primary");
      const current = table.columns.find((c) => c.key === "smu1-current")?.values as Float64Array;
      // Python's repr of a float is the shortest text that reads back as the same double.
      expect(Number(peak)).toBe(Math.max(...Array.from(current, Math.abs)));
    } finally {
      await reader.close();
    }
  });
});
