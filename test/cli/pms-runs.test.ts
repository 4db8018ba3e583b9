/**
 * `pms runs` on a store that `pms iv` wrote (compiled bin): the run listed
 * with its status and events, shown with its streams and units, exported
 * as CSV with the same numbers as the run folder's data.csv; a uid the
 * store does not have is an error that names it.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS, migrate } from "../../src/record/store/schema.js";

const PMS = resolve("dist", "src", "cli", "pms.js");
const run = promisify(execFile);

describe("pms runs (compiled bin)", () => {
  const dir = mkdtempSync(join(tmpdir(), "pms-runs-"));
  const store = `sqlite:${join(dir, "runs.sqlite")}`;
  const out = join(dir, "run");
  let uid = "";

  beforeAll(async () => {
    const { stdout } = await run(process.execPath, [
      PMS,
      "iv",
      "--cycles",
      "1",
      "--out",
      out,
      "--store",
      store,
    ]);
    uid = /run\s+([0-9a-f-]{36}) in sqlite:/.exec(stdout)?.[1] ?? "";
    expect(uid).not.toBe("");
  }, 60_000);

  it("list shows the run: its short uid, plan, chip, status and events", async () => {
    const { stdout } = await run(process.execPath, [PMS, "runs", "list", "--store", store]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^uid\s+started \(UTC\)\s+plan\s+chip\s+status\s+events\s+reason$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${uid.slice(0, 8)}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+iv\\s+demo-chip\\s+success\\s+201$`,
      ),
    );
    expect(lines.at(-1)).toBe(`1 run in ${store}`);
    const none = await run(process.execPath, [PMS, "runs", "list", "--store", store, "--plan", "spectrum"]);
    expect(none.stdout.trimEnd().split("\n").at(-1)).toBe(`0 runs in ${store}`);
  });

  it("show gives the bench, the model and each stream with its units and events", async () => {
    const { stdout } = await run(process.execPath, [PMS, "runs", "show", uid.slice(0, 8), "--store", store]);
    expect(stdout).toContain(`run ${uid}`);
    expect(stdout).toMatch(/plan\s+iv on demo-chip/);
    expect(stdout).toMatch(/status\s+success \(after [\d.]+ s\)/);
    expect(stdout).toMatch(
      /instrument\s+smu1: KEITHLEY INSTRUMENTS INC\. MODEL 2400 \(serial \S+\) at TCPIP::127\.0\.0\.1::\d+::SOCKET/,
    );
    expect(stdout).toMatch(/model\s+vteam: .*rOn=\S+ Ohm/);
    expect(stdout).toMatch(
      /primary\s+201 events in \d+ pages?: smu1-voltage \(V\), smu1-current \(A\), predicted_current \(A\), residual \(A\)/,
    );
    expect(stdout).toMatch(
      /exchanges\s+\d+ events in \d+ pages?: instrument text, sent text, reply text, error text, duration \(s\)/,
    );
  });

  it("export writes each stream as CSV, the primary one with data.csv's numbers", async () => {
    const target = join(dir, "export");
    const { stdout } = await run(process.execPath, [
      PMS,
      "runs",
      "export",
      uid.slice(0, 8),
      "--store",
      store,
      "--out",
      target,
    ]);
    expect(stdout).toMatch(/primary\s+201 events\s+\S+primary\.csv/);
    const exported = readFileSync(join(target, "primary.csv"), "utf8").trimEnd().split("\n");
    expect(exported[0]).toBe("time_s,smu1-voltage_V,smu1-current_A,predicted_current_A,residual_A");
    const recorded = readFileSync(join(out, "data.csv"), "utf8").trimEnd().split("\n");
    expect(exported.slice(1)).toEqual(recorded.slice(1));
    const exchanges = readFileSync(join(target, "exchanges.csv"), "utf8").trimEnd().split("\n");
    expect(exchanges[0]).toBe("time_s,instrument,sent,reply,error,duration_s");
    expect(exchanges[1]).toMatch(/^[\d.e-]+,smu1,\*IDN\?,"KEITHLEY INSTRUMENTS INC\.,MODEL 2400,/);
  });

  it("export --format hdf5 writes one file that h5py opens: a group per stream, units as attributes", async () => {
    const file = join(dir, "run.h5");
    const { stdout } = await run(process.execPath, [
      PMS,
      "runs",
      "export",
      uid,
      "--store",
      store,
      "--format",
      "hdf5",
      "--out",
      file,
    ]);
    expect(stdout).toMatch(/primary\s+201 events\s+\S+run\.h5:\/primary/);
    const script = [
      "import h5py, json, sys",
      "f = h5py.File(sys.argv[1], 'r')",
      "c = f['primary']['smu1-current']",
      "print(json.dumps({'uid': f.attrs['uid'], 'n': c.shape[0], 'unit': c.attrs['unit'], 'dtype': c.dtype.str,",
      "  'first': float(c[0]), 'last': float(c[-1]), 'groups': sorted(f.keys())}))",
    ].join("\n");
    const seen = JSON.parse((await run("/usr/bin/python3", ["-c", script, file])).stdout);
    const recorded = readFileSync(join(out, "data.csv"), "utf8").trimEnd().split("\n");
    expect(seen).toMatchObject({
      uid,
      n: 201,
      unit: "A",
      dtype: "<f8",
      groups: ["exchanges", "primary", "summary"],
    });
    expect(seen.first).toBe(Number(recorded[1]?.split(",")[2]));
    expect(seen.last).toBe(Number(recorded[201]?.split(",")[2]));
  });

  it("an older store: list refuses it, saying to migrate; migrate brings it up, and list reads it", async () => {
    const old = join(dir, "old.sqlite");
    const db = new Database(old);
    migrate(db, "test", MIGRATIONS.slice(0, 1));
    db.close();
    const oldStore = `sqlite:${old}`;
    const refused = await run(process.execPath, [PMS, "runs", "list", "--store", oldStore]).catch((e) => e);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/schema is version 1, older than version \d+.*pms runs migrate/);
    const migrated = await run(process.execPath, [PMS, "runs", "migrate", "--store", oldStore]);
    expect(migrated.stdout).toContain(`${oldStore}: at this version's schema`);
    const listed = await run(process.execPath, [PMS, "runs", "list", "--store", oldStore]);
    expect(listed.stdout.trimEnd().split("\n").at(-1)).toBe(`0 runs in ${oldStore}`);
  });

  it("a uid the store does not have is an error naming it and the store", async () => {
    const error = await run(process.execPath, [PMS, "runs", "show", "deadbeef", "--store", store]).catch(
      (e) => e,
    );
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/deadbeef/);
    expect(error.stderr).toContain(join(dir, "runs.sqlite"));
  });
});
