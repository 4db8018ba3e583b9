/**
 * "What loses nothing means here" (issue 17), with other processes, on both
 * backends (SQLite and PostgreSQL, ./support/backends.ts):
 *
 * - **Durability**: a child process records a fast plan into the store
 *   (./support/write-run.mjs) and prints each page once it is acknowledged;
 *   it is SIGKILLed at a random moment, 24 times, each at another moment (a
 *   number of acknowledged pages, a time after its RunStart, a time after
 *   its start). After each kill: every acknowledged page is there and
 *   intact, the run has no RunStop and is marked `abort`, "process ended
 *   without RunStop", and no event is stored twice. SQLite marks it at once
 *   (its writer's pid is gone); PostgreSQL once the server has ended the
 *   dead child's session, which lets go of its advisory lock, a moment
 *   after the kill.
 * - **Readers during a write**: another process reading the live run (read
 *   only, or with a store opened for writing, which sweeps dead runs) sees
 *   the pages committed, never sees the run as anything but running, and
 *   never holds the writer up.
 *
 * The moments come from a seeded generator; the seed is in every failure's
 * message (set PMS_DURABILITY_SEED to replay one). The tests run at once
 * (each mostly waits for its child processes), so each has a store of its
 * own and asserts with its own `expect`.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, it } from "vitest";
import { openStore } from "../../src/record/store/open.js";
import { DEAD_RUN_REASON } from "../../src/record/store/sqlite.js";
import type { RunStore, RunSummary } from "../../src/record/store/types.js";
import { postgresBackend, sqliteBackend } from "./support/backends.js";
import { checkCompiledStore } from "./support/compiled.js";
import { current, descriptor, eventTime, page, runStart, runStop, status } from "./support/runs.js";

const WRITE_RUN = fileURLToPath(new URL("./support/write-run.mjs", import.meta.url));
const READ_RUN = fileURLToPath(new URL("./support/read-run.mjs", import.meta.url));
const KILLS = 24;

// The two backends' kill tests run at once (each mostly waits for its children): nothing is removed before the file ends.
const backends = [sqliteBackend({ concurrent: true }), postgresBackend({ concurrent: true })];
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
function recordAndKill(uri: string, run: string, perPage: number, moment: Moment): Promise<Killed> {
  const child = spawn(process.execPath, [WRITE_RUN, uri, run, String(perPage)], {
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

/**
 * Run `run`'s summary from `store` once the store has marked it (or after
 * `patienceMs`): PostgreSQL's server ends a killed client's session, and
 * lets go of its locks, a moment after the kill.
 */
async function markedSummary(
  store: RunStore,
  run: string,
  patienceMs: number,
): Promise<RunSummary | undefined> {
  const until = performance.now() + patienceMs;
  for (;;) {
    const summary = (await store.runs()).find((candidate) => candidate.uid === run);
    if (summary?.status !== "running" || performance.now() > until) return summary;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.concurrent("durability", () => {
  it.for(backends)(
    `$name: keeps every acknowledged page through ${KILLS} SIGKILLs at random moments, and marks each run abort`,
    { timeout: 60_000 },
    async (backend, { expect }) => {
      await backend.check();
      const seed = Number(process.env.PMS_DURABILITY_SEED ?? Date.now() % 1_000_000);
      const random = seeded(seed);
      const uri = await backend.fresh();
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
        const killed = await recordAndKill(uri, run, perPage, moment);
        const context = `${backend.name}, seed ${seed}, kill ${i} after ${JSON.stringify(moment)}, ${perPage}-event pages`;

        // A store opened for writing marks the run: SQLite at once, as the pid is gone.
        const store = await openStore(uri);
        try {
          const summary = await markedSummary(store, run, backend.name === "SQLite" ? 0 : 2000);
          if (killed.started) expect(summary, context).toBeDefined();
          if (summary === undefined) {
            expect(killed.acknowledged, context).toEqual([]);
            continue;
          }
          started.push(run);
          expect(summary, context).toMatchObject({ status: "abort", reason: DEAD_RUN_REASON });
          const reader = await store.run(run);
          expect(reader.stop, context).toBeUndefined();

          // The pages as stored (a stream not yet stored has none).
          const rows: { first_event: number; count: number }[] = [];
          if ((await reader.streams()).length > 0) {
            for await (const stored of reader.pages("primary"))
              rows.push({ first_event: stored.firstEvent, count: stored.count });
          }
          const [row] = await backend.query<Record<string, unknown>>(
            uri,
            "SELECT * FROM runs WHERE uid = ?",
            run,
          );
          expect(row?.writer_pid, context).toBe(killed.pid);
          expect(row?.stop, context).toBeNull();
          // SQLite: its lease (10 s) has not lapsed: the mark comes from the writer's pid being gone.
          if (backend.name === "SQLite") expect(row?.lease_until, context).toBeGreaterThan(Date.now() / 1000);
          // Contiguous from 0: no gap, no page twice.
          rows.forEach((row, n) => {
            expect({ first_event: Number(row.first_event), count: row.count }, context).toEqual({
              first_event: n * perPage,
              count: perPage,
            });
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
      const readonly = await openStore(uri, { readonly: true });
      const runs = await readonly.runs();
      await readonly.close();
      expect(runs.map((run) => run.uid)).toEqual(started);
      expect(new Set(runs.map((run) => `${run.status}: ${run.reason}`))).toEqual(
        new Set([`abort: ${DEAD_RUN_REASON}`]),
      );
    },
  );
});

describe.concurrent("readers during a write", () => {
  const cases = backends.flatMap((backend) =>
    (["readonly", "write"] as const).map((mode) => ({ name: backend.name, backend, mode })),
  );
  it.for(cases)(
    "$name: a reader in another process (store opened $mode) sees committed pages, sees the run running, and never holds the writer up",
    async ({ backend, mode }, { expect }) => {
      await backend.check();
      const uri = await backend.fresh();
      const store = await openStore(uri);
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
      const { stdout } = await promisify(execFile)(process.execPath, [READ_RUN, uri, run, mode, "700"], {
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
