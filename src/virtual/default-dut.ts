/**
 * The device inside the virtual 2400 when none is given: a VTEAM memristor
 * whose "true" parameters differ from the model's defaults (`vteam.defaults`,
 * chosen for the bench, not MemTorch's `vteamPublished` set) by 10–30 %
 * on the main ones. This is the hidden truth a calibration recipe
 * run against the virtual bench should recover (DESIGN.md, "Virtual
 * instruments": readings come from a hidden true chip, not from the model
 * the fit starts with).
 */
import { type VteamParams, vteam } from "../models/memristor/index.js";
import { MemristorDut } from "./chip/two-terminal.js";

/** Ratios to `vteam.defaults`: what a fit starting from the defaults must find. */
const TRUTH_RATIOS: Readonly<Partial<Record<keyof VteamParams, number>>> = {
  rOn: 1.2,
  rOff: 0.8,
  kOn: 1.25,
  kOff: 0.75,
  vOn: 1.1,
  vOff: 0.9,
};

/** The hidden true parameters of the default DUT. */
export const TRUE_VTEAM_PARAMS: Readonly<VteamParams> = Object.freeze(
  Object.fromEntries(
    Object.entries(vteam.defaults).map(([name, value]) => [
      name,
      value * (TRUTH_RATIOS[name as keyof VteamParams] ?? 1),
    ]),
  ) as VteamParams,
);

export function defaultDut(): MemristorDut<VteamParams> {
  return new MemristorDut({ model: vteam, params: TRUE_VTEAM_PARAMS });
}
