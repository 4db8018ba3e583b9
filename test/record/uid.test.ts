/**
 * The run's uid sources (src/record/uid.ts): random version-4 UUIDs as
 * RFC 9562 lays them out, each one different, from the OS's generator.
 */
import { describe, expect, it } from "vitest";
import { randomUid } from "../../src/record/uid.js";

describe("randomUid", () => {
  it("gives RFC 9562 version-4 UUIDs, lower-case hex, version 4 and variant 10, none twice in 20 000", () => {
    const uids = Array.from({ length: 20_000 }, () => randomUid());
    for (const uid of uids)
      expect(uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uids).size).toBe(uids.length);
    // Every hex digit of the random positions turns up about as often as the others (122 random bits).
    const counts = new Map<string, number>();
    for (const uid of uids)
      for (const digit of uid.slice(0, 8)) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    expect(counts.size).toBe(16);
    for (const count of counts.values())
      expect(Math.abs(count / (8 * uids.length) - 1 / 16)).toBeLessThan(0.005);
  });
});
