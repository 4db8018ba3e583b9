/**
 * CURVE keys and the ZAP allowlist of the gateway (issue 19, "Security";
 * ZeroMQ RFC 26 CurveZMQ and RFC 27 ZAP).
 *
 * - CURVE is on by default: a gateway encrypts with its key pair, and only
 *   clients whose public key is on its allowlist get through the handshake.
 *   Plain mode needs `insecure: true` and binds only to loopback.
 * - zeromq.js has no ZAP API of its own: the handler is a ROUTER bound to
 *   `inproc://zeromq.zap.01` in the process's one context (libzmq asks it
 *   about every CURVE handshake of every socket with a ZAP domain). One per
 *   process, shared by every gateway in it, each by its own domain. The
 *   gateway's socket sets `zapEnforceDomain`: without it libzmq lets every
 *   key through when no handler answers (CURVE "fails open").
 * - Keys are Z85 text (40 characters for 32 bytes), as `zmq.curveKeyPair()`
 *   makes them and pyzmq takes them. A key file holds a pair as JSON; an
 *   allowlist holds one public key per line, each with an optional `#`
 *   comment naming whose it is.
 */
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { capability, curveKeyPair, Router } from "zeromq";

/** A CURVE key pair, Z85 text. */
export interface CurveKeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;
const Z85_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/** Throws unless libzmq was built with CURVE (zeromq.js reports it; checked rather than assumed). */
export function checkCurve(): void {
  if (!capability.curve) {
    throw new Error(
      "this zeromq build has no CURVE support (zmq.capability.curve is false): the gateway cannot encrypt",
    );
  }
}

/** A new key pair. */
export function newKeyPair(): CurveKeyPair {
  checkCurve();
  return curveKeyPair();
}

/** A short fingerprint of a public key, for logs: the first 16 hex digits of its SHA-256. */
export function fingerprint(publicKey: string): string {
  return createHash("sha256").update(publicKey).digest("hex").slice(0, 16);
}

/** Writes a key pair as JSON (owner-only permissions: it holds the secret key). */
export async function writeKeyFile(path: string, pair: CurveKeyPair): Promise<void> {
  await writeFile(path, `${JSON.stringify(pair, null, 2)}\n`, { mode: 0o600 });
}

/** Reads a key pair written by {@link writeKeyFile}; an Error naming the file if it is not one. */
export async function readKeyFile(path: string): Promise<CurveKeyPair> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (cause) {
    throw new Error(
      `${path}: not a key file (JSON with publicKey and secretKey): ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const { publicKey, secretKey } = (parsed ?? {}) as Partial<CurveKeyPair>;
  for (const [name, key] of [
    ["publicKey", publicKey],
    ["secretKey", secretKey],
  ] as const) {
    if (typeof key !== "string" || !Z85_KEY.test(key)) {
      throw new Error(`${path}: ${name} must be a 40-character Z85 CURVE key, got ${JSON.stringify(key)}`);
    }
  }
  return { publicKey: publicKey as string, secretKey: secretKey as string };
}

/** The public keys of an allowlist's text: one per line, `#` starts a comment; an Error naming the line otherwise. */
export function parseAllowlist(text: string, where = "allowlist"): Set<string> {
  const keys = new Set<string>();
  text.split(/\r?\n/).forEach((line, k) => {
    // '#' is a Z85 digit too: a line is a key's when its first word is a key, else a comment if it starts with '#'.
    const [key = "", ...rest] = line.trim().split(/\s+/);
    if (key === "" || (key.startsWith("#") && !Z85_KEY.test(key))) return;
    if (!Z85_KEY.test(key) || (rest.length > 0 && !(rest[0] as string).startsWith("#"))) {
      throw new Error(
        `${where}, line ${k + 1}: expected a 40-character Z85 public key, got ${JSON.stringify(key)}`,
      );
    }
    keys.add(key);
  });
  return keys;
}

/** Reads an allowlist file. */
export async function readAllowlist(path: string): Promise<Set<string>> {
  return parseAllowlist(await readFile(path, "utf8"), path);
}

/** RFC 32 Z85 of a key's 32 bytes (what the ZAP request carries raw). */
function z85(bytes: Buffer): string {
  let out = "";
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    let value = bytes.readUInt32BE(i);
    let chunk = "";
    for (let j = 0; j < 5; j++) {
      chunk = (Z85_ALPHABET[value % 85] as string) + chunk;
      value = Math.floor(value / 85);
    }
    out += chunk;
  }
  return out;
}

/** What one ZAP domain lets in, and where it reports a refusal. */
export interface ZapPolicy {
  readonly allowed: ReadonlySet<string>;
  /** A handshake refused: the key's fingerprint (or the mechanism, for a non-CURVE client) and the peer's address. */
  refused(who: string, address: string): void;
}

const ZAP_ENDPOINT = "inproc://zeromq.zap.01";
const policies = new Map<string, ZapPolicy>();
/** The process's handler, once its bind has begun (two gateways starting together share it). */
let handler: Promise<Router> | undefined;
/** The last handler's close: a new one binds the same inproc address after it. */
let handlerClosed: Promise<void> = Promise.resolve();
let nextDomain = 1;

/**
 * Registers `policy` under a fresh ZAP domain (starting the process's
 * handler if it is not running) and returns the domain, for the socket's
 * `zapDomain`, and a function that unregisters it (the handler stops with
 * the last domain).
 */
export async function registerZapDomain(policy: ZapPolicy): Promise<{ domain: string; unregister(): void }> {
  checkCurve();
  const domain = `pms-gateway-${process.pid}-${nextDomain++}`;
  policies.set(domain, policy);
  handler ??= (async () => {
    await handlerClosed;
    const socket = new Router({ linger: 0 });
    try {
      await socket.bind(ZAP_ENDPOINT);
    } catch (error) {
      socket.close();
      throw error;
    }
    void serveZap(socket).finally(() => {
      // Gone (closed with the last domain, or failed): the next gateway starts another.
      if (handler === started) handler = undefined;
    });
    return socket;
  })();
  const started = handler;
  try {
    await started;
  } catch (error) {
    policies.delete(domain);
    if (handler === started) handler = undefined;
    throw new Error(`cannot start the ZAP handler on ${ZAP_ENDPOINT}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let registered = true;
  return {
    domain,
    unregister: () => {
      if (!registered) return;
      registered = false;
      policies.delete(domain);
      if (policies.size === 0 && handler === started) {
        handler = undefined;
        handlerClosed = started.then((socket) => socket.close());
      }
    },
  };
}

/** Answers ZAP requests (RFC 27): 200 for an allowed CURVE key of a known domain, 400 for anything else. */
async function serveZap(socket: Router): Promise<void> {
  try {
    for await (const frames of socket) {
      // [routing id, empty, version, request id, domain, address, identity, mechanism, credentials…]
      const [id, delimiter, version, requestId, domain, address, , mechanism, credential] = frames;
      if (!id || !delimiter || !requestId) continue;
      const policy = policies.get(domain?.toString() ?? "");
      const isCurve = mechanism?.toString() === "CURVE" && credential?.length === 32;
      const key = isCurve ? z85(credential as Buffer) : "";
      const ok = version?.toString() === "1.0" && policy !== undefined && isCurve && policy.allowed.has(key);
      if (!ok) {
        try {
          policy?.refused(
            isCurve ? `key ${fingerprint(key)}` : `a ${mechanism?.toString() ?? "?"} client`,
            address?.toString() ?? "",
          );
        } catch {
          // A failing report must not stop the handler: every later handshake would wait on it.
        }
      }
      await socket.send([
        id,
        delimiter,
        "1.0",
        requestId,
        ok ? "200" : "400",
        ok ? "OK" : "key not allowed",
        ok ? key : "",
        "",
      ]);
    }
  } catch {
    // Closed with the last domain.
  }
}
