/**
 * WAL checkpoints of the SQLite run store, off the writer's thread (issue
 * 17, "Performance": at least 10⁷ samples/s written).
 *
 * In WAL mode a commit appends to the `-wal` file; a checkpoint copies the
 * WAL's pages back into the database file and syncs it, after which the
 * next write transaction starts the WAL over. SQLite runs one on the
 * committing connection each time the WAL passes `wal_autocheckpoint`
 * pages (1000 by default, 64 MB at this store's 64 KiB pages): the commit
 * that passes it then copies and syncs 64 MB before it returns, holding
 * this thread, and with it every instrument exchange, for about 0.4 s on
 * the development VM, and writing 1000-event pages at 9 × 10⁶ samples/s.
 *
 * Here the writer's connection has `wal_autocheckpoint = 0` and a worker
 * thread with a connection of its own runs `PRAGMA wal_checkpoint(PASSIVE)`
 * after each of the writer's commits (one at a time: it is asked again
 * only once it has answered). PASSIVE never takes the write lock, so the
 * writer commits on while the worker copies; the copying and the sync run
 * on the other core. The WAL starts over only when a checkpoint has copied
 * every frame before the next commit, which a writer committing faster than
 * the checkpoints complete would never leave time for; so the WAL is
 * bounded: once the writer's estimate of it (frames the worker last saw,
 * plus what the writer committed since) passes `walLimitBytes`, the writer
 * holds its next commit until a checkpoint that began after its last commit
 * has finished. That commit then starts the WAL over. The hold is
 * push-back through the writer's backlog, as any slow commit is: the plan
 * waits between steps, the event loop does not.
 *
 * Should the worker fail (it cannot open the file, a checkpoint throws, it
 * exits), the writer's connection goes back to SQLite's own checkpoints
 * (`wal_autocheckpoint = 1000`) and the failure is kept for the writer's
 * report: slower, never unbounded, nothing lost.
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** What the worker says after each checkpoint: SQLite's `wal_checkpoint` row. */
export interface CheckpointReport {
  /** 1 when the checkpoint could not run to the end (a reader or writer held a lock). */
  readonly busy: number;
  /** Frames in the WAL when it ran. */
  readonly log: number;
  /** Frames of those copied into the database file. */
  readonly checkpointed: number;
}

export interface CheckpointerOptions {
  /** `PRAGMA synchronous` of the worker's connection: the writer's. */
  readonly synchronous: "NORMAL" | "FULL";
  readonly busyTimeoutMs: number;
}

export interface Checkpointer {
  /** Asks for a checkpoint; `done` is called with its report (or the worker's failure). */
  checkpoint(done: (report: CheckpointReport | Error) => void): void;
  /** Whether a checkpoint was asked for and has not answered. */
  readonly running: boolean;
  /** Stops the worker after its checkpoint under way; resolves once its connection is closed. */
  stop(): Promise<void>;
}

// The worker's code: CommonJS, so that it runs the same from the compiled files and under vitest's TypeScript.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.betterSqlite3);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true, timeout: workerData.busyTimeoutMs });
  db.pragma("synchronous = " + workerData.synchronous);
} catch (error) {
  // Said, and the thread ends: the writer goes back to SQLite's own checkpoints.
  parentPort.postMessage({ error: String(error && error.message || error) });
  parentPort.close();
}
if (db) parentPort.on("message", (message) => {
  if (message === "stop") {
    if (db) db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ report: row });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

/** Starts the checkpointing worker of the store at `path` (`store`: its URI, for the messages). */
export function startCheckpointer(path: string, store: string, options: CheckpointerOptions): Checkpointer {
  const betterSqlite3 = createRequire(import.meta.url).resolve("better-sqlite3");
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, betterSqlite3, ...options },
  });
  // A store left open must not keep the process alive (close() stops the worker), but a checkpoint
  // that someone waits for must: the worker is referenced only while one is under way.
  worker.unref();
  let pending: ((report: CheckpointReport | Error) => void) | undefined;
  let failure: Error | undefined;
  let stopping = false;
  const answered = () => {
    const done = pending;
    pending = undefined;
    if (!stopping) worker.unref();
    return done;
  };
  const fail = (error: Error) => {
    failure ??= error;
    answered()?.(failure);
  };
  worker.on("message", (message: { report?: CheckpointReport; error?: string }) => {
    if (message.error !== undefined) {
      fail(new Error(`${store}: its checkpointing thread failed: ${message.error}`));
      return;
    }
    const done = answered();
    if (message.report !== undefined) done?.(message.report);
  });
  worker.on("error", (error) =>
    fail(new Error(`${store}: its checkpointing thread failed: ${error.message}`)),
  );
  let ended = false;
  const exited = new Promise<void>((resolve) => {
    worker.on("exit", (code) => {
      ended = true;
      fail(new Error(`${store}: its checkpointing thread ended (exit code ${code})`));
      resolve();
    });
  });
  return {
    checkpoint(done) {
      if (failure !== undefined) {
        done(failure);
        return;
      }
      if (pending !== undefined) throw new Error("a checkpoint is under way already");
      pending = done;
      worker.ref();
      worker.postMessage("checkpoint");
    },
    get running() {
      return pending !== undefined;
    },
    async stop() {
      if (ended) return;
      if (!stopping) {
        stopping = true;
        worker.ref();
        // A thread that failed may still be starting or holding its port: it is ended, not asked.
        if (failure === undefined) worker.postMessage("stop");
        else await worker.terminate();
      }
      await exited;
    },
  };
}
