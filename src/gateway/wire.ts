/** What both ends of the gateway's wire agree on (proto/gateway.proto). */
import { GatewayProtocolVersionEnum } from "../proto/index.js";

/** The protocol version both sides send and check. */
export const GATEWAY_PROTOCOL_VERSION = GatewayProtocolVersionEnum.GATEWAY_PROTOCOL_VERSION_1;

/**
 * Host-monotonic time, s (CLOCK_MONOTONIC, as `process.hrtime`): what each
 * side stamps its messages with. The same on every process of one host, so
 * a client next to its gateway finds no offset; across hosts the client
 * estimates it (client.ts `estimateClock`).
 */
export function hostMonotonic(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}
