/**
 * Every duration given from outside is checked at the API edge (issue 13):
 * `setTimeout` fires at once for 0, negative numbers, NaN and anything above
 * 2³¹ − 1 ms, so each of those would have been a timeout that never waits.
 */
import { describe, expect, it } from "vitest";
import { checkDurationMs, MAX_DURATION_MS, MIN_TIMEOUT_MS } from "../../src/drivers/durations.js";
import { ScpiSession } from "../../src/drivers/scpi/session.js";
import { openTransport } from "../../src/drivers/transports/open.js";
import { ReplayTransport } from "../../src/drivers/transports/replay.js";
import { openTcpTransport } from "../../src/drivers/transports/tcp.js";

const TIMEOUT_RANGE = "a number of milliseconds from 1 to 2147483647";
const BAD_TIMEOUTS = [0, -5, 0.5, 3e9, 2 ** 31, Number.POSITIVE_INFINITY, Number.NaN];

describe("checkDurationMs", () => {
  it.each([
    [1, {}],
    [MAX_DURATION_MS, {}],
    [2000.5, {}],
    [0, { min: 0 }],
  ])("accepts %s within %j", (value, bounds) => {
    expect(checkDurationMs("timeoutMs", value, bounds)).toBe(value);
  });

  it.each<[unknown, string]>([
    [0, "0"],
    [-5, "-5"],
    [3e9, "3000000000"],
    [Number.POSITIVE_INFINITY, "Infinity"],
    [Number.NaN, "NaN"],
    ["500", '"500"'],
    [undefined, "undefined"],
  ])("refuses %s, naming the field as the caller knows it and the range", (value, shown) => {
    expect(() => checkDurationMs("--timeout", value)).toThrow(
      new RangeError(`--timeout must be ${TIMEOUT_RANGE}, got ${shown}`),
    );
  });

  it("takes other bounds", () => {
    expect(() => checkDurationMs("resyncSettleMs", -1, { min: 0, max: 1000 })).toThrow(
      "resyncSettleMs must be a number of milliseconds from 0 to 1000, got -1",
    );
  });

  it("exports the bounds setTimeout keeps", () => {
    expect([MIN_TIMEOUT_MS, MAX_DURATION_MS]).toEqual([1, 2147483647]);
  });
});

describe("ScpiSession durations", () => {
  const transport = () => new ReplayTransport([]);

  it.each(BAD_TIMEOUTS)("refuses timeoutMs %s at construction", (timeoutMs) => {
    expect(() => new ScpiSession(transport(), { timeoutMs })).toThrow(
      new RangeError(`timeoutMs must be ${TIMEOUT_RANGE}, got ${timeoutMs}`),
    );
  });

  it.each([-1, 3e9, Number.POSITIVE_INFINITY, Number.NaN])(
    "refuses resyncSettleMs %s at construction",
    (resyncSettleMs) => {
      expect(() => new ScpiSession(transport(), { resyncSettleMs })).toThrow(
        new RangeError(
          `resyncSettleMs must be a number of milliseconds from 0 to 2147483647, got ${resyncSettleMs}`,
        ),
      );
    },
  );

  it.each([
    ["query", (s: ScpiSession, timeoutMs: number) => s.query("*IDN?", { timeoutMs })],
    ["queryBlock", (s: ScpiSession, timeoutMs: number) => s.queryBlock(":TRAC:DATA?", { timeoutMs })],
    ["readErrorQueue", (s: ScpiSession, timeoutMs: number) => s.readErrorQueue({ timeoutMs })],
    ["checkErrors", (s: ScpiSession, timeoutMs: number) => s.checkErrors({ timeoutMs })],
    ["identify", (s: ScpiSession, timeoutMs: number) => s.identify({ timeoutMs })],
    [
      "a channel's query",
      (s: ScpiSession, timeoutMs: number) => s.exclusive((channel) => channel.query("*IDN?", { timeoutMs })),
    ],
  ])("%s refuses a per-call timeoutMs out of range before sending anything", async (_, call) => {
    for (const timeoutMs of BAD_TIMEOUTS) {
      const replay = transport();
      const error = await call(new ScpiSession(replay), timeoutMs).catch((e: unknown) => e);
      expect(error).toEqual(new RangeError(`timeoutMs must be ${TIMEOUT_RANGE}, got ${timeoutMs}`));
      expect(replay.bytesWritten).toBe(0);
    }
  });
});

describe("connectTimeoutMs", () => {
  it.each(BAD_TIMEOUTS)("openTransport refuses %s, for a TCP resource and a serial one", async (value) => {
    const refused = new RangeError(`connectTimeoutMs must be ${TIMEOUT_RANGE}, got ${value}`);
    for (const resource of ["TCPIP::127.0.0.1::5025::SOCKET", "ASRL/dev/pms-no-such-port::INSTR"]) {
      await expect(openTransport(resource, { connectTimeoutMs: value })).rejects.toEqual(refused);
    }
  });

  it.each(BAD_TIMEOUTS)("openTcpTransport refuses %s", async (connectTimeoutMs) => {
    await expect(
      openTcpTransport({
        host: "127.0.0.1",
        port: 5025,
        resource: "TCPIP::127.0.0.1::5025::SOCKET",
        connectTimeoutMs,
      }),
    ).rejects.toEqual(new RangeError(`connectTimeoutMs must be ${TIMEOUT_RANGE}, got ${connectTimeoutMs}`));
  });
});
