/**
 * The device inside the virtual 2400 when none is given: a VTEAM memristor
 * whose "true" parameters differ from the model's defaults (`vteam.defaults`,
 * chosen for the bench, not MemTorch's `vteamPublished` set) by 10–30 %
 * on the main ones. This is the hidden truth a calibration recipe
 * run against the virtual bench should recover (DESIGN.md, "Virtual
 * instruments": readings come from a hidden true chip, not from the model
 * the fit starts with).
 */
import { standaloneTruth } from "../models/chip/index.js";
import { type VteamParams, vteam } from "../models/memristor/index.js";
import { MemristorDut } from "./chip/two-terminal.js";

/**
 * The hidden true parameters of the default DUT: the demo chip's standalone
 * memristor (src/models/chip/truth.ts), so an instrument with a device of
 * its own and one on the bench's chip hold the same device.
 */
export const TRUE_VTEAM_PARAMS: Readonly<VteamParams> = standaloneTruth;

export function defaultDut(): MemristorDut<VteamParams> {
  return new MemristorDut({ model: vteam, params: TRUE_VTEAM_PARAMS });
}
