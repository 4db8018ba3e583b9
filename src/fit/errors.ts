/**
 * What the fitting engine refuses before it fits: data or a set-up that no
 * fit could answer (STYLE.md 10: errors are types, and say where).
 */

/** Why a fit was refused. */
export type FitInputProblem =
  | "nan-points"
  | "too-few-points"
  | "unknown-parameter"
  | "bad-bounds"
  | "bad-initial"
  | "model-not-finite"
  | "shape"
  | "no-resonance";

export class FitInputError extends Error {
  constructor(
    /** The model or recipe being fitted, for the message. */
    readonly model: string,
    readonly problem: FitInputProblem,
    message: string,
    /** The points concerned (indices into the data), where the problem is with points. */
    readonly points: readonly number[] = [],
    /** The parameters concerned, by name. */
    readonly parameters: readonly string[] = [],
  ) {
    super(`${model}: ${message}`);
    this.name = "FitInputError";
  }
}
