/**
 * What the clock-control server and client agree on besides the messages
 * of proto/pms.proto: the modes on the wire and the default endpoint.
 */
import { ClockModeEnum } from "../../proto/index.js";
import type { ClockMode } from "./bench-clock.js";

/** Loopback, a port the system picks: the server reports the one it got. */
export const DEFAULT_CLOCK_CONTROL_ENDPOINT = "tcp://127.0.0.1:*";

export const MODE_TO_WIRE: Readonly<Record<ClockMode, ClockModeEnum>> = {
  wall: ClockModeEnum.CLOCK_MODE_WALL,
  event: ClockModeEnum.CLOCK_MODE_EVENT,
  manual: ClockModeEnum.CLOCK_MODE_MANUAL,
};

/** The mode a reply names, or undefined for CLOCK_MODE_UNSPECIFIED or a value this build does not know. */
export function modeFromWire(mode: ClockModeEnum): ClockMode | undefined {
  return (Object.keys(MODE_TO_WIRE) as ClockMode[]).find((name) => MODE_TO_WIRE[name] === mode);
}
