/**
 * The generated protobuf code (./generated/pms.js), with protobufjs's
 * runtime set to decode 64-bit integers as JS numbers. proto/record.proto
 * has uint64 sequence numbers and event counts; `--force-number` makes the
 * generated code's types and `toObject` numbers, but the decoder's
 * `reader.uint64()` still hands out a `Long` object whenever the `long`
 * package is present. Without `util.Long` the runtime reads them as
 * numbers (exact to 2^53, which a run never reaches). Every module that
 * decodes imports the generated namespace from here, so the runtime is set
 * before any decoding.
 */
import $protobuf from "protobufjs/minimal.js";

$protobuf.util.Long = undefined as unknown as typeof $protobuf.util.Long;
$protobuf.configure();

export { pms } from "./generated/pms.js";
