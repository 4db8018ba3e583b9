/**
 * Arguments and results as they cross the gateway (`pms.v1.GatewayValue`,
 * proto/gateway.proto): a number, a flag, a text, a list of numbers or a
 * record of named values; nothing (undefined) is a value without a kind.
 * Both sides use these two functions, so what a method returns locally is
 * what its remote call returns, up to Float64Array for a list of numbers.
 */
import type { GatewayValueMessage, GatewayValueProperties } from "../proto/index.js";

/** What a gateway value decodes to. */
export type GatewayJs =
  | undefined
  | number
  | boolean
  | string
  | Float64Array
  | { readonly [name: string]: GatewayJs };

/** A JavaScript value as a GatewayValue; a TypeError naming `where` for one that has no wire form. */
export function toGatewayValue(value: unknown, where = "value"): GatewayValueProperties {
  if (value === undefined || value === null) return {};
  if (typeof value === "number") return { number: value };
  if (typeof value === "boolean") return { flag: value };
  if (typeof value === "string") return { text: value };
  if (value instanceof Float64Array || Array.isArray(value)) {
    const values = Array.from(value as ArrayLike<unknown>, (v, k) => {
      if (typeof v !== "number") throw new TypeError(`${where}[${k}] is a ${typeof v}, not a number`);
      return v;
    });
    return { numbers: { values } };
  }
  if (ArrayBuffer.isView(value))
    return { numbers: { values: Array.from(value as unknown as ArrayLike<number>) } };
  if (typeof value === "object") {
    const fields: Record<string, GatewayValueProperties> = {};
    for (const [name, field] of Object.entries(value)) {
      if (typeof field === "function") continue;
      fields[name] = toGatewayValue(field, `${where}.${name}`);
    }
    return { record: { fields } };
  }
  throw new TypeError(`${where} is a ${typeof value}, which the gateway does not carry`);
}

/** A decoded GatewayValue as JavaScript. */
export function fromGatewayValue(
  value: GatewayValueMessage | GatewayValueProperties | null | undefined,
): GatewayJs {
  if (!value) return undefined;
  switch (value.kind ?? kindOf(value)) {
    case "number":
      return value.number as number;
    case "flag":
      return value.flag as boolean;
    case "text":
      return value.text as string;
    case "numbers":
      return Float64Array.from(value.numbers?.values ?? []);
    case "record": {
      const out: Record<string, GatewayJs> = {};
      for (const [name, field] of Object.entries(value.record?.fields ?? {}))
        out[name] = fromGatewayValue(field);
      return out;
    }
    default:
      return undefined;
  }
}

/** The kind of a plain properties object (an encoder's input has no `kind` getter). */
function kindOf(value: GatewayValueProperties): string | undefined {
  for (const kind of ["number", "flag", "text", "numbers", "record"] as const) {
    if (value[kind] !== undefined && value[kind] !== null) return kind;
  }
  return undefined;
}
