/**
 * Where a run's document uids come from (issue 17: "the router takes its
 * uid generator"). `randomUid` is RFC 9562 version-4 UUIDs from the OS's
 * generator, for records that must be unique across benches. `seededUids`
 * gives the same UUID-shaped sequence for the same seed, so that on the
 * event or manual clock the same plan writes the same documents bit for bit
 * (a lockstep co-simulation compares them); never use it where runs of
 * different benches meet in one store.
 */
import { randomFillSync } from "node:crypto";

/** Gives the next uid on each call. */
export type UidSource = () => string;

/** Each byte's two hex digits, as their character codes. */
const HEX_DIGITS = Array.from({ length: 256 }, (_, byte) =>
  Array.from(byte.toString(16).padStart(2, "0"), (digit) => digit.charCodeAt(0)),
);
const RANDOM_POOL = new Uint8Array(16 * 512);
let poolAt = RANDOM_POOL.length;
const UUID_TEXT = Buffer.alloc(36);

/** `bytes` (16) as a UUID's text, made in one buffer so that V8 gets one flat string. */
function uuidText(bytes: Uint8Array): string {
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) UUID_TEXT[at++] = 0x2d;
    const [high, low] = HEX_DIGITS[bytes[i] as number] as number[];
    UUID_TEXT[at++] = high as number;
    UUID_TEXT[at++] = low as number;
  }
  return UUID_TEXT.toString("latin1");
}

/**
 * RFC 9562 version-4 UUIDs from the OS's generator (crypto.randomFillSync,
 * 512 at a time), as node:crypto's randomUUID gives them, but each one flat
 * string: randomUUID's are ropes of some twenty pieces, which V8 copies
 * together the first time a store reads one (about 1 µs each, a quarter of
 * the time a 10-event page took to store).
 */
export const randomUid: UidSource = () => {
  if (poolAt === RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    poolAt = 0;
  }
  const bytes = RANDOM_POOL.subarray(poolAt, poolAt + 16);
  poolAt += 16;
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80; // variant 10
  return uuidText(bytes);
};

/**
 * A seeded sequence of version-4-shaped UUIDs: 128 bits from
 * SplitMix32-seeded mulberry32 (Tommy Ettinger's public-domain 32-bit
 * generator), with the version and variant bits set as RFC 9562 §5.4 says.
 */
export function seededUids(seed: number): UidSource {
  if (!Number.isInteger(seed)) throw new RangeError(`a uid seed must be an integer, got ${seed}`);
  let state = (seed ^ 0x9e3779b9) >>> 0;
  const next32 = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => {
    const words = [next32(), next32(), next32(), next32()];
    // `>>> 0`: JS bitwise operators give signed 32-bit results, which would print as "-…".
    words[1] = (((words[1] as number) & 0xffff0fff) | 0x00004000) >>> 0; // version 4
    words[2] = (((words[2] as number) & 0x3fffffff) | 0x80000000) >>> 0; // variant 10
    const hex = words.map((w) => w.toString(16).padStart(8, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
