/**
 * The common shape of a command table row: one value that a command sets and
 * its query reads back (STYLE.md §1, PyMeasure's `Instrument.control`). A
 * numeric setting's query also answers MIN, MAX and DEF with the bounds its
 * parameter declares.
 */
import { type CommandCall, type CommandDefinition, commandsFor } from "./engine.js";
import { ScpiError } from "./errors.js";
import { type ParamSpec, type RangeKeyword, rangeQueryKeyword } from "./params.js";

export interface SettingOptions<Ctx, T> {
  readonly param: ParamSpec<T, Ctx>;
  get(ctx: Ctx): T;
  set(ctx: Ctx, value: T, call: CommandCall<Ctx>): void;
  format(value: T): string;
}

/** The query of a non-numeric setting takes no parameter. */
const NO_KEYWORD: ParamSpec<RangeKeyword | undefined, never> = {
  optional: true,
  parse() {
    throw new ScpiError(-108);
  },
};

export function setting<Ctx, T>(pattern: string, options: SettingOptions<Ctx, T>): CommandDefinition<Ctx> {
  const { param } = options;
  const keyword: ParamSpec<RangeKeyword | undefined, Ctx> = param.rangeKeywords
    ? rangeQueryKeyword()
    : NO_KEYWORD;
  return commandsFor<Ctx>()(pattern, {
    set: { params: [param], run: (ctx, [value], call) => options.set(ctx, value, call) },
    query: {
      params: [keyword],
      run(ctx, [which]) {
        const value =
          which === undefined ? options.get(ctx) : param.parse([{ kind: "chars", value: which }], ctx);
        return options.format(value);
      },
    },
  });
}
