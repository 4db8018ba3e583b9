/**
 * What the laser's wavelength is doing from some time on: held, moving to
 * a new setpoint (a tune: at TUNING_SPEED, then TUNING_SETTLE until the
 * laser reports it done), or sweeping. Each is a function of time, so the
 * light at any moment follows from the last command before it.
 */
import { tuningTime } from "./ranges.js";
import { type SweepRun, sweepPhase, tunePosition } from "./sweep.js";

export type Motion =
  | { readonly kind: "hold"; readonly wavelength: number }
  | { readonly kind: "tune"; readonly from: number; readonly to: number; readonly at: number }
  | { readonly kind: "sweep"; readonly run: SweepRun };

/** Nominal wavelength at `t`, m. */
export function positionOf(motion: Motion, t: number): number {
  switch (motion.kind) {
    case "hold":
      return motion.wavelength;
    case "tune":
      return tunePosition(motion.from, motion.to, motion.at, t);
    case "sweep":
      return sweepPhase(motion.run, t).position;
  }
}

/** What `:WAVelength?` reads at `t`: the target of a tune, the nominal wavelength otherwise, m. */
export function setpointOf(motion: Motion, t: number): number {
  return motion.kind === "tune" ? motion.to : positionOf(motion, t);
}

/** Whether an operation runs at `t` (`*OPC?` answers 0): a tune not settled, a sweep not stopped. */
export function busyAt(motion: Motion, t: number): boolean {
  switch (motion.kind) {
    case "hold":
      return false;
    case "tune":
      return t < motion.at + tuningTime(motion.to - motion.from);
    case "sweep":
      return sweepPhase(motion.run, t).status !== 0;
  }
}
