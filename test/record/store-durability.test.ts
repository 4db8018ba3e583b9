/**
 * "What loses nothing means here" (issue 17), with other processes:
 *
 * - **Durability**: a child process records a fast plan into the store
 *   (./support/write-run.mjs) and prints each page once it is acknowledged;
 *   it is SIGKILLed at a random moment, 24 times, each at another moment (a
 *   number of acknowledged pages, a time after its RunStart, a time after
 *   its start). After each kill: every acknowledged page is there and
 *   intact, the run has no RunStop and is marked `abort`, "process ended
 *   without RunStop", and no event is stored twice.
 * - **Readers during a write**: another process reading the live run (read
 *   only, or with a store opened for writing, which sweeps dead runs) sees
 *   the pages committed, never sees the run as anything but running, and
 *   never holds the writer up.
 *
 * The moments come from a seeded generator; the seed is in every failure's
 * message (set PMS_DURABILITY_SEED to replay one).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEAD_RUN_REASON, openSqliteStore } from "../../src/record/store/sqlite.js";
import { checkCompiledStore } from "./support/compiled.js";
import {
  current,
  descriptor,
  eventTime,
  page,
  runStart,
  runStop,
  status,
  temporaryFolders,
} from "./support/runs.js";

const WRITE_RUN = fileURLToPath(new URL("./support/write-run.mjs", import.meta.url));
const READ_RUN = fileURLToPath(new URL("./support/read-run.mjs", import.meta.url));
const KILLS = 24;

const folder = temporaryFolders();
const children = new Set<ChildProcess>();

beforeAll(() => checkCompiledStore());
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
});

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Moment =
  | { readonly after: "acknowledged pages"; readonly pages: number }
  | { readonly after: "RunStart, ms"; readonly ms: number }
  | { readonly after: "spawn, ms"; readonly ms: number };

interface Killed {
  readonly started: boolean;
  /** First events of the pages acknowledged before the kill. */
  readonly acknowledged: readonly number[];
  readonly pid: number;
}

/** Runs the recording child and SIGKILLs it at `moment`; what it had printed by then. */
function recordAndKill(path: string, run: string, perPage: number, moment: Moment): Promise<Killed> {
  const child = spawn(process.execPath, [WRITE_RUN, path, run, String(perPage)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let started = false;
  const acknowledged: number[] = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const kill = () => child.kill("SIGKILL");
  const safety = setTimeout(kill, 5000);
  if (moment.after === "spawn, ms") setTimeout(kill, moment.ms);
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    if (line === "start") {
      started = true;
      if (moment.after === "RunStart, ms") setTimeout(kill, moment.ms);
      if (moment.after === "acknowledged pages" && moment.pages === 0) kill();
    } else {
      acknowledged.push(Number(line.split(" ")[1]));
      if (moment.after === "acknowledged pages" && acknowledged.length === moment.pages) kill();
    }
  });
  return new Promise((resolve, reject) => {
    // 'close', not 'exit': once the child is gone and every line it printed has been read.
    child.on("close", (code, signal) => {
      clearTimeout(safety);
      children.delete(child);
      if (signal !== "SIGKILL") reject(new Error(`the recording child ended by itself (${code}): ${stderr}`));
      else resolve({ started, acknowledged, pid: child.pid as number });
    });
  });
}

describe("durability", () => {
  it(`keeps every acknowledged page through ${KILLS} SIGKILLs at random moments, and marks each run abort`, async () => {
    const seed = Number(process.env.PMS_DURABILITY_SEED ?? Date.now() % 1_000_000);
    const random = seeded(seed);
    const path = join(folder(), "runs.sqlite");
    const moments: Moment[] = Array.from({ length: KILLS }, (_, i) =>
      i % 3 === 0
        ? { after: "acknowledged pages", pages: Math.floor(random() * 400) }
        : i % 3 === 1
          ? { after: "RunStart, ms", ms: Math.round(random() * 300) }
          : { after: "spawn, ms", ms: Math.round(100 + random() * 600) },
    );
    const started: string[] = [];
    for (const [i, moment] of moments.entries()) {
      const run = `durability-run-${String(i).padStart(2, "0")}`;
      const perPage = i % 2 === 0 ? 10 : 100;
      const killed = await recordAndKill(path, run, perPage, moment);
      const context = `seed ${seed}, kill ${i} after ${JSON.stringify(moment)}, ${perPage}-event pages`;

      // The pid is gone: opening the store for writing marks the run at once.
      const store = openSqliteStore(path);
      try {
        const summary = (await store.runs()).find((candidate) => candidate.uid === run);
        if (killed.started) expect(summary, context).toBeDefined();
        if (summary === undefined) {
          expect(killed.acknowledged, context).toEqual([]);
          continue;
        }
        started.push(run);
        expect(summary, context).toMatchObject({ status: "abort", reason: DEAD_RUN_REASON });
        const reader = await store.run(run);
        expect(reader.stop, context).toBeUndefined();

        const db = new Database(path, { readonly: true });
        const rows = db
          .prepare("SELECT first_event, count FROM pages WHERE run_uid = ? ORDER BY first_event")
          .all(run) as { first_event: number; count: number }[];
        // Its lease (10 s) has not lapsed: the mark comes from the writer's pid being gone.
        const row = db.prepare("SELECT writer_pid, lease_until, stop FROM runs WHERE uid = ?").get(run) as {
          writer_pid: number;
          lease_until: number;
          stop: string | null;
        };
        db.close();
        expect(row.writer_pid, context).toBe(killed.pid);
        expect(row.lease_until, context).toBeGreaterThan(Date.now() / 1000);
        expect(row.stop, context).toBeNull();
        // Contiguous from 0: no gap, no page twice.
        rows.forEach((row, n) => {
          expect(row, context).toEqual({ first_event: n * perPage, count: perPage });
        });
        const stored = rows.length * perPage;
        for (const firstEvent of killed.acknowledged)
          expect(firstEvent + perPage, context).toBeLessThanOrEqual(stored);

        if ((await reader.streams()).length === 0) {
          expect(killed.acknowledged, context).toEqual([]);
          continue;
        }
        const table = await reader.table("primary");
        expect(table.count, context).toBe(stored);
        const values = table.columns[0]?.values as Float64Array;
        const words = table.columns[1]?.values as BigInt64Array;
        for (let event = 0; event < stored; event++) {
          if (
            values[event] !== current(event) ||
            words[event] !== status(event) ||
            table.time[event] !== eventTime(event)
          ) {
            expect.fail(`${context}: event ${event} of ${stored} is not what was written`);
          }
        }
      } finally {
        await store.close();
      }
    }
    // Most children live long enough to start their run; each one that did is there, marked.
    expect(started.length).toBeGreaterThan(KILLS / 2);
    const readonly = openSqliteStore(path, { readonly: true });
    const runs = await readonly.runs();
    await readonly.close();
    expect(runs.map((run) => run.uid)).toEqual(started);
    expect(new Set(runs.map((run) => `${run.status}: ${run.reason}`))).toEqual(
      new Set([`abort: ${DEAD_RUN_REASON}`]),
    );
  }, 60_000);
});

describe("readers during a write", () => {
  it.each(["readonly", "write"])(
    "a reader in another process (store opened %s) sees committed pages, sees the run running, and never holds the writer up",
    async (mode) => {
      const path = join(folder(), "runs.sqlite");
      const store = openSqliteStore(path);
      const writer = store.writer({ groupCommitMs: 5 });
      const run = "live-run-0001";
      await writer.write(runStart(run));
      await writer.write(descriptor(run, `${run}-d`));
      const perPage = 50;
      let pages = 0;
      let acknowledged = 0;
      let longestWait = 0;
      let writing = true;
      const plan = (async () => {
        while (writing) {
          const since = performance.now();
          await writer.write(page(run, `${run}-d`, pages * perPage, perPage));
          longestWait = Math.max(longestWait, performance.now() - since);
          pages++;
          acknowledged = pages * perPage;
        }
      })();
      while (acknowledged < 10 * perPage) await new Promise((resolve) => setTimeout(resolve, 5));
      const before = acknowledged;
      const { stdout } = await promisify(execFile)(process.execPath, [READ_RUN, path, run, mode, "700"], {
        timeout: 10_000,
      });
      const after = acknowledged;
      writing = false;
      await plan;
      const seen = JSON.parse(stdout) as {
        reads: number;
        statuses: string[];
        first: number;
        last: number;
        intact: boolean;
      };
      expect(seen.statuses).toEqual(["running"]);
      expect(seen.intact).toBe(true);
      expect(seen.reads).toBeGreaterThan(3);
      expect(seen.first).toBeGreaterThanOrEqual(before);
      expect(seen.last).toBeGreaterThan(seen.first);
      expect(seen.last).toBeLessThanOrEqual(after);
      // Each acknowledgement took at most a group commit and a little: never the 5 s busy timeout.
      expect(longestWait).toBeLessThan(1000);
      expect((await store.run(run)).summary.status).toBe("running");
      await writer.write(runStop(run));
      expect((await store.run(run)).summary).toMatchObject({
        status: "success",
        events: { primary: acknowledged },
      });
      await store.close();
    },
  );
});
