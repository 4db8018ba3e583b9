/**
 * A model parameter declared as data, so that calibration, model cards and
 * the dashboard all read one table (DESIGN.md, "Models").
 */
export interface ParameterSpec<Name extends string = string> {
  /** Key in the model's parameter object. */
  readonly name: Name;
  /** SI unit symbol ("Ohm", "m", "m^2/(V*s)", "1" for dimensionless). */
  readonly unit: string;
  /** Default value, in `unit`. */
  readonly default: number;
  /** Inclusive lower bound, in `unit`. */
  readonly min: number;
  /** Inclusive upper bound, in `unit`. */
  readonly max: number;
  /** One line: what the parameter means physically. */
  readonly meaning: string;
}

/** The parameter object a table describes: one number per declared name. */
export type ParamsOf<T extends readonly ParameterSpec[]> = { [K in T[number]["name"]]: number };

/** Default parameter object of a table. */
export function defaultsOf<T extends readonly ParameterSpec[]>(table: T): ParamsOf<T> {
  return Object.fromEntries(table.map((p) => [p.name, p.default])) as ParamsOf<T>;
}

/** Thrown when a parameter object has a value outside its declared bounds. */
export class ParameterRangeError extends RangeError {
  constructor(
    readonly model: string,
    readonly parameter: string,
    readonly value: number,
    readonly min: number,
    readonly max: number,
  ) {
    super(`${model}: parameter ${parameter} = ${value} is outside [${min}, ${max}]`);
    this.name = "ParameterRangeError";
  }
}

/**
 * Thrown when a parameter object has a key its model does not declare: a
 * misspelt name ("selfcoupling" for "selfCoupling") would otherwise be
 * ignored and the default used in its place, without a word.
 */
export class UnknownParameterError extends Error {
  constructor(
    readonly model: string,
    readonly parameter: string,
    /** The declared name closest to `parameter`, if one is close. */
    readonly suggestion: string | undefined,
  ) {
    super(
      `${model}: no parameter "${parameter}"${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`,
    );
    this.name = "UnknownParameterError";
  }
}

/** The declared names of each table, worked out once per table. */
const declaredNames = new WeakMap<readonly ParameterSpec[], ReadonlySet<string>>();

function namesOf(table: readonly ParameterSpec[]): ReadonlySet<string> {
  let names = declaredNames.get(table);
  if (names === undefined) {
    names = new Set(table.map((spec) => spec.name));
    declaredNames.set(table, names);
  }
  return names;
}

/**
 * Refuses (never clips) a parameter object with a value out of bounds or
 * not finite (ParameterRangeError), or with a key the table does not
 * declare (UnknownParameterError).
 */
export function checkParameters<T extends readonly ParameterSpec[]>(
  model: string,
  table: T,
  params: ParamsOf<T>,
): void {
  // Unknown keys first: a misspelt name also leaves its real one missing, and
  // "no parameter selfcoupling (did you mean selfCoupling?)" says why.
  const names = namesOf(table);
  for (const key of Object.keys(params)) {
    if (!names.has(key)) throw new UnknownParameterError(model, key, closestName(key, names));
  }
  for (const spec of table) {
    const value = (params as Record<string, number>)[spec.name];
    if (value === undefined || !Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new ParameterRangeError(model, spec.name, value ?? Number.NaN, spec.min, spec.max);
    }
  }
}

/** The name in `names` fewest single-character edits from `key`, if at most a third of its length away. */
function closestName(key: string, names: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.floor(key.length / 3) + 1;
  for (const name of names) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitute, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
