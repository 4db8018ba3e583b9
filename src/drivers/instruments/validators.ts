/**
 * Validators for instrument settings (STYLE.md 1, after PyMeasure's
 * `strict_range` / `strict_discrete_set`): pure functions that return the
 * value, or throw a RangeError saying what is allowed. They never clip: a
 * setting the instrument cannot take is refused, not quietly changed.
 */

/** Returns the value or throws a RangeError; `allowed` says what passes, for messages ("in [0, 10]"). */
export type Validator<T> = ((value: T) => T) & { readonly allowed?: string };

/** Accepts finite numbers in [min, max]. */
export function strictRange(min: number, max: number): Validator<number> {
  const allowed = `in [${min}, ${max}]`;
  const check = (value: number) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(`${String(value)} is outside [${min}, ${max}]`);
    }
    return value;
  };
  return Object.assign(check, { allowed });
}

/**
 * Accepts finite numbers whose magnitude is in [min, max], either sign: for
 * settings whose sign the instrument ignores but whose zero it cannot take
 * (a compliance of 0 A is not a limit).
 */
export function strictMagnitude(min: number, max: number): Validator<number> {
  const allowed = `with magnitude in [${min}, ${max}]`;
  const check = (value: number) => {
    if (
      typeof value !== "number" ||
      !Number.isFinite(value) ||
      Math.abs(value) < min ||
      Math.abs(value) > max
    ) {
      throw new RangeError(`${String(value)} is not a number ${allowed}`);
    }
    return value;
  };
  return Object.assign(check, { allowed });
}

/** Accepts integers in [min, max]. */
export function strictIntegerRange(min: number, max: number): Validator<number> {
  const inRange = strictRange(min, max);
  return (value) => {
    if (!Number.isInteger(inRange(value))) throw new RangeError(`${value} is not an integer`);
    return value;
  };
}

/** Accepts only the listed values. */
export function strictDiscreteSet<T>(allowed: readonly T[]): Validator<T> {
  return (value) => {
    if (!allowed.includes(value)) {
      throw new RangeError(
        `${JSON.stringify(value)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
      );
    }
    return value;
  };
}

/** Accepts a boolean and maps it to SCPI's ON/OFF. */
export function booleanOnOff(value: boolean): "ON" | "OFF" {
  if (typeof value !== "boolean") throw new RangeError(`${JSON.stringify(value)} is not true or false`);
  return value ? "ON" : "OFF";
}
