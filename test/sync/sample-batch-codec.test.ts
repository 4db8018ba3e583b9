import { describe, expect, it } from "vitest";
import { InstrumentIdentityMessage } from "../../src/proto/index.js";
import type { SampleBatch } from "../../src/sync/sample-batch.js";
import { decodeSampleBatch, encodeSampleBatch, FrameDecodeError } from "../../src/sync/sample-batch-codec.js";

const batch: SampleBatch = {
  sourceId: "k2400.current",
  quantity: "current",
  unit: "A",
  sequence: 4_000_000_000,
  times: Float64Array.from([0, 0.02, 0.04]),
  values: Float64Array.from([1e-12, -3.5e-4, Number.MIN_VALUE]),
  wallTime: 1_795_000_000.123456,
};

describe("SampleBatch protobuf codec", () => {
  it("round-trips every field exactly", () => {
    expect(decodeSampleBatch(encodeSampleBatch(batch))).toEqual(batch);
  });

  it("packs doubles: 8 bytes a sample plus a small header", () => {
    const n = 1000;
    const big = { ...batch, times: new Float64Array(n), values: new Float64Array(n) };
    const bytes = encodeSampleBatch(big);
    expect(bytes.length).toBeGreaterThan(16 * n);
    expect(bytes.length).toBeLessThan(16 * n + 80);
  });

  it.each([1, 7, 20, 40])("refuses a frame truncated to %i bytes with a FrameDecodeError", (keep) => {
    const bytes = encodeSampleBatch(batch).subarray(0, keep);
    expect(() => decodeSampleBatch(bytes)).toThrow(FrameDecodeError);
    expect(() => decodeSampleBatch(bytes)).toThrow(/pms\.v1\.SampleBatch.*bytes/);
  });

  it("refuses a frame whose times and values differ in length", () => {
    const bytes = encodeSampleBatch({ ...batch, values: Float64Array.from([1]) });
    expect(() => decodeSampleBatch(bytes)).toThrow(/3 times but 1 values/);
  });

  it("round-trips an instrument identity", () => {
    const id = {
      manufacturer: "KEITHLEY INSTRUMENTS INC.",
      model: "MODEL 2400",
      serialNumber: "4143187",
      firmware: "C30   Mar 17 2006 09:29:29/A02  /K/J",
      resource: "TCPIP::127.0.0.1::5025::SOCKET",
    };
    const decoded = InstrumentIdentityMessage.decode(InstrumentIdentityMessage.encode(id).finish());
    expect(InstrumentIdentityMessage.toObject(decoded)).toEqual(id);
  });
});
