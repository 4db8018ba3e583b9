/**
 * Table rows of the TSL-570: a setting its command sets and its query
 * reads back, like ../../scpi/setting.ts, but formatted with the laser at
 * hand, since what a value looks like on the wire depends on the command
 * set and the power unit (../wire-format.ts). A numeric setting's query
 * also takes MINimum and MAXimum (`:WAV? MAX`, `:POW? MIN`).
 */
import { type CommandDefinition, commandsFor } from "../../scpi/engine.js";
import { ScpiError } from "../../scpi/errors.js";
import { type ParamSpec, type RangeKeyword, rangeQueryKeyword } from "../../scpi/params.js";
import type { Tsl570Core } from "../core.js";
import { codeParam } from "../wire-format.js";

type Core = Tsl570Core;
export const command = commandsFor<Core>();

export interface QuantityOptions<T> {
  readonly param: ParamSpec<T, Core>;
  get(core: Core): T;
  set(core: Core, value: T): void;
  format(core: Core, value: T): string;
}

/** The query of a setting without MIN/MAX takes no parameter. */
const NO_KEYWORD: ParamSpec<RangeKeyword | undefined, Core> = {
  optional: true,
  parse() {
    throw new ScpiError(-108);
  },
};

export function quantity<T>(pattern: string, options: QuantityOptions<T>): CommandDefinition<Core> {
  const { param } = options;
  const keyword = param.rangeKeywords ? rangeQueryKeyword<Core>() : NO_KEYWORD;
  return command(pattern, {
    set: { params: [param], run: (core, [value]) => options.set(core, value) },
    query: {
      params: [keyword],
      run(core, [which]) {
        const value =
          which === undefined ? options.get(core) : param.parse([{ kind: "chars", value: which }], core);
        return options.format(core, value);
      },
    },
  });
}

/** A 0/1 setting. */
export function flag(pattern: string, get: (core: Core) => boolean, set: (core: Core, on: boolean) => void) {
  return quantity<0 | 1>(pattern, {
    param: codeParam([0, 1] as const),
    get: (core) => (get(core) ? 1 : 0),
    set: (core, value) => set(core, value === 1),
    format: (_core, value) => String(value),
  });
}

/** A setting of integer codes. */
export function code<const C extends number>(
  pattern: string,
  codes: readonly C[],
  get: (core: Core) => C,
  set: (core: Core, value: C) => void,
) {
  return quantity<C>(pattern, {
    param: codeParam(codes),
    get,
    set,
    format: (_core, value) => String(value),
  });
}
