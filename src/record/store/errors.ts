/**
 * What can go wrong with a run store, as types (STYLE.md §10; issue 17,
 * "What loses nothing means here"). Each error names the store (its URI, or
 * the file's path where the file itself is the trouble) and the cause, so
 * that a person reading `pms`'s output knows which file or server to look
 * at: a full disk, another writer holding the lock, a file that is not a
 * store, a store from a newer version of this project.
 */

/** Any failure of a run store; `store` is its URI (or the file's path). */
export class StoreError extends Error {
  constructor(
    readonly store: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`run store ${store}: ${reason}`, options);
    this.name = "StoreError";
  }
}

/** The file is not an SQLite database, is not a run store, or is corrupt; it was left as it was. */
export class StoreFormatError extends StoreError {
  constructor(
    readonly path: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(path, `${reason}; the file was not modified`, options);
    this.name = "StoreFormatError";
  }
}

/** The store was written by a newer version of this project (its schema is newer than this code knows). */
export class StoreSchemaError extends StoreError {
  constructor(
    store: string,
    readonly storeVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      store,
      `its schema is version ${storeVersion}, newer than version ${codeVersion} that this version of ` +
        "photon-memristor-sim knows; open it with a newer version (the store was not modified)",
    );
    this.name = "StoreSchemaError";
  }
}

/** Another connection held the write lock past the busy timeout. */
export class StoreLockedError extends StoreError {
  constructor(store: string, busyTimeoutMs: number, options?: { cause?: unknown }) {
    super(
      store,
      `locked by another writer for more than ${busyTimeoutMs} ms (another process writing to the same store?)`,
      options,
    );
    this.name = "StoreLockedError";
  }
}

/** The disk (or the store's page limit) is full; what was committed before stays readable. */
export class StoreFullError extends StoreError {
  constructor(store: string, options?: { cause?: unknown }) {
    super(store, "the disk or the store's size limit is full; the pages committed before are kept", options);
    this.name = "StoreFullError";
  }
}

/** The store, or its writer, was closed. */
export class StoreClosedError extends StoreError {
  constructor(store: string, what = "the store") {
    super(store, `${what} was closed`);
    this.name = "StoreClosedError";
  }
}

/** No run of that uid (or the prefix is too short, or matches more than one run). */
export class RunNotFoundError extends StoreError {
  constructor(
    store: string,
    readonly uid: string,
    reason = "no run has this uid",
  ) {
    super(store, `run ${uid}: ${reason}`);
    this.name = "RunNotFoundError";
  }
}

/** The run has no stream of that name. */
export class StreamNotFoundError extends StoreError {
  constructor(
    store: string,
    readonly runUid: string,
    readonly stream: string,
    known: readonly string[],
  ) {
    super(
      store,
      `run ${runUid} has no stream "${stream}" (its streams: ${known.length > 0 ? known.join(", ") : "none"})`,
    );
    this.name = "StreamNotFoundError";
  }
}

/**
 * A document the writer will not store, because storing it would break the
 * run it belongs to (a page of a descriptor that is not stored, a page
 * already stored, a second RunStop). Only that document is refused: the
 * others of its transaction commit, and the writer carries on.
 */
export class DocumentRefusedError extends StoreError {
  constructor(
    store: string,
    readonly kind: string,
    readonly uid: string,
    reason: string,
  ) {
    super(store, `${kind} ${uid} refused: ${reason}`);
    this.name = "DocumentRefusedError";
  }
}
