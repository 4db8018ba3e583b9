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

/** Refuses (never clips) a parameter object with a value out of bounds or not finite. */
export function checkParameters<T extends readonly ParameterSpec[]>(
  model: string,
  table: T,
  params: ParamsOf<T>,
): void {
  for (const spec of table) {
    const value = (params as Record<string, number>)[spec.name];
    if (value === undefined || !Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new ParameterRangeError(model, spec.name, value ?? Number.NaN, spec.min, spec.max);
    }
  }
}
