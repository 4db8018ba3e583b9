/** What both ends of the gateway's wire agree on (proto/gateway.proto). */
import { GatewayProtocolVersionEnum } from "../proto/index.js";

/** The protocol version both sides send and check. */
export const GATEWAY_PROTOCOL_VERSION = GatewayProtocolVersionEnum.GATEWAY_PROTOCOL_VERSION_1;
