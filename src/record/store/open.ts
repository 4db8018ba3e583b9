/**
 * Opens a run store by URI (issue 17, "Stores"), so that a bench file's
 * `store:`, `pms --store` and the library take one string:
 *
 * - `sqlite:runs.sqlite`, `sqlite:relative/x.sqlite`, `sqlite:/abs/x.sqlite`
 *   or a bare path: the embedded SQLite store (./sqlite.ts), a relative path
 *   resolved against the working folder;
 * - `postgres://user:password@host:5432/database?schema=name`,
 *   `postgresql://…`: the PostgreSQL store for a lab whose benches share one
 *   store (./postgres.ts), in the PostgreSQL schema `schema` names (default:
 *   the connection's current schema). Its backend, and `pg`, are loaded
 *   only when such a URI is opened.
 */
import { resolve } from "node:path";
import { openSqliteStore } from "./sqlite.js";
import type { OpenStoreOptions, RunStore } from "./types.js";

/** Where runs go unless the bench file or `--store` says otherwise: `runs.sqlite` in the working folder. */
export const DEFAULT_STORE = "sqlite:runs.sqlite";

/** The schemes `openStore` knows. */
export const STORE_SCHEMES = ["sqlite", "postgres", "postgresql"] as const;

// A scheme is two or more characters, so that a Windows drive ("C:\runs.sqlite") reads as a path.
const SCHEME = /^([a-z][a-z0-9+.-]+):/i;

/** The SQLite file a URI names (absolute), or undefined for another scheme. */
export function sqlitePath(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return resolve(uri);
  if (scheme !== "sqlite") return undefined;
  // `sqlite:///abs/x.sqlite` (SQLAlchemy's spelling) is `sqlite:/abs/x.sqlite`.
  const path = uri.slice("sqlite:".length).replace(/^\/{2,}/, "/");
  return path === "" ? undefined : resolve(path);
}

/**
 * Opens the store `uri` names (default {@link DEFAULT_STORE}); see the
 * backend for what it refuses (./errors.ts). An unknown scheme, or one whose
 * backend this version does not have, is an Error naming the forms it takes.
 */
export async function openStore(
  uri: string = DEFAULT_STORE,
  options: OpenStoreOptions = {},
): Promise<RunStore> {
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "postgres" || scheme === "postgresql") {
    const { openPostgresStore } = await import("./postgres.js");
    return openPostgresStore(uri, options);
  }
  const path = sqlitePath(uri);
  if (path === undefined) {
    throw new Error(
      `cannot open run store ${redact(uri)}: ${scheme === "sqlite" ? "it names no file" : `unknown scheme "${scheme}:"`}; ` +
        `a store is "sqlite:<path>" (e.g. "${DEFAULT_STORE}"), a path, or "postgres://…[?schema=<name>]" ` +
        `(schemes: ${STORE_SCHEMES.join(", ")})`,
    );
  }
  return openSqliteStore(path, options);
}

/** `uri` with any password left out, for messages. */
function redact(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]+:\/\/[^:/@]*):[^@/]*@/i, "$1:***@");
}
