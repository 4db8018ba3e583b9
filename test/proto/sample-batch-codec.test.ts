import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { InstrumentIdentityMessage, SampleBatchMessage } from "../../src/proto/index.js";
import type { SampleBatch } from "../../src/proto/sample-batch.js";
import {
  decodeSampleBatch,
  encodeSampleBatch,
  FrameDecodeError,
} from "../../src/proto/sample-batch-codec.js";

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
  it.each([
    ["every field", batch],
    [
      "proto3 defaults (empty texts, sequence 0, no samples, wall time 0)",
      {
        ...batch,
        sourceId: "",
        quantity: "",
        unit: "",
        sequence: 0,
        times: new Float64Array(0),
        values: new Float64Array(0),
        wallTime: 0,
      },
    ],
    ["a wall time of −0 and non-ASCII texts", { ...batch, sourceId: "µ-sonde.Ω", unit: "Ω", wallTime: -0 }],
    [
      "10⁵ samples (three-byte lengths)",
      { ...batch, times: new Float64Array(1e5).fill(1.5), values: new Float64Array(1e5).fill(-2) },
    ],
  ] as const)("writes the bytes protobufjs writes, one copy per column: %s", (_what, message) => {
    const reference = SampleBatchMessage.encode({
      sourceId: message.sourceId,
      quantity: message.quantity,
      unit: message.unit,
      sequence: message.sequence,
      times: new Uint8Array(message.times.buffer, message.times.byteOffset, message.times.byteLength),
      values: new Uint8Array(message.values.buffer, message.values.byteOffset, message.values.byteLength),
      wallTime: message.wallTime,
    }).finish();
    expect(Buffer.from(encodeSampleBatch(message)).equals(Buffer.from(reference))).toBe(true);
  });

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

  it("puts the Float64Arrays' own bytes on the wire, as a packed repeated double did (same field, same wire type)", () => {
    const bytes = encodeSampleBatch(batch);
    const times = Buffer.from(batch.times.buffer);
    // Field 5, wire type 2 (length-delimited), 24 bytes, then the eight bytes of each time.
    const field5 = Buffer.concat([Buffer.from([(5 << 3) | 2, times.length]), times]);
    expect(Buffer.from(bytes).indexOf(field5)).toBeGreaterThan(0);
    // A peer on the schema before issue 17 (packed repeated doubles) reads and writes the same frames.
    const old = protobuf
      .parse(`syntax = "proto3";
      message SampleBatch { string source_id = 1; string quantity = 2; string unit = 3; uint32 sequence = 4;
        repeated double times = 5 [packed = true]; repeated double values = 6 [packed = true]; double wall_time = 7; }`)
      .root.lookupType("SampleBatch");
    const seen = old.toObject(old.decode(bytes));
    expect(seen.times).toEqual(Array.from(batch.times));
    expect(seen.values).toEqual(Array.from(batch.values));
    const fromOld = old.encode({ ...seen }).finish();
    expect(decodeSampleBatch(fromOld)).toEqual(batch);
  });

  it("decodes columns as views over the frame where they are aligned, and copies them once where not", () => {
    const bytes = encodeSampleBatch(batch);
    let views = 0;
    let copies = 0;
    for (let shift = 0; shift < 8; shift++) {
      const frame = new Uint8Array(bytes.length + shift);
      frame.set(bytes, shift);
      const decoded = decodeSampleBatch(frame.subarray(shift));
      expect(decoded.times).toEqual(batch.times);
      expect(decoded.values).toEqual(batch.values);
      if (decoded.values.buffer === frame.buffer) views++;
      else copies++;
    }
    // One shift in eight puts the values column on an 8-byte boundary.
    expect(views).toBe(1);
    expect(copies).toBe(7);
  });

  it("refuses a column that is not whole 8-byte values, naming it", () => {
    const bytes = SampleBatchMessage.encode({
      times: new Uint8Array(16),
      values: new Uint8Array(12),
    }).finish();
    expect(() => decodeSampleBatch(bytes)).toThrow(FrameDecodeError);
    expect(() => decodeSampleBatch(bytes)).toThrow(
      /values holds 12 bytes, not a whole number of 8-byte values/,
    );
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
