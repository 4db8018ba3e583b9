/**
 * What a remote client may call on each instrument kind: the kind's
 * interface (src/drivers/instruments/kinds.ts) minus what belongs to the
 * gateway alone (`close`: the gateway owns the connection). A call runs
 * through the gateway's own driver, so its safety limits and level tracking
 * are the bench file's, whatever the client's configuration says.
 *
 * Methods are named "<Kind>.<method>"; every property of the driver (its
 * property table: `sourceVoltage`, `wavelength`, …) is offered as
 * "<Kind>.<property>.get" and "<Kind>.<property>.set", the set checked by
 * the driver exactly as a local set is (validator, then safety limits,
 * nothing sent if either refuses).
 */
import type { BenchDriverKind } from "../bench/drivers.js";
import type { BenchHandle } from "../bench/registry.js";
import type { PowerMeter, SourceMeter, TunableLaser } from "../drivers/instruments/kinds.js";
import type { Property } from "../drivers/instruments/properties.js";
import type { SafetyLimits } from "../drivers/instruments/safety.js";
import type { GatewayJs } from "./values.js";

/** The kinds' names on the wire. */
export const WIRE_KINDS: Readonly<Record<BenchDriverKind, string>> = {
  "source-meter": "SourceMeter",
  "tunable-laser": "TunableLaser",
  "power-meter": "PowerMeter",
};

/** What an argument must be; "?" after it: it may be left out. */
type ArgType = "number" | "text" | "flag" | "numbers" | "record" | "levels";
type ArgSpec = ArgType | `${ArgType}?`;

interface MethodSpec {
  readonly args: readonly ArgSpec[];
  run(handle: never, args: readonly GatewayJs[]): Promise<unknown>;
}

/** The arguments do not fit the method: what was expected, for the client. */
export class GatewayArgumentError extends Error {}

/** No such method or property on the kind. */
export class GatewayMethodError extends Error {}

const method = <H>(
  args: readonly ArgSpec[],
  run: (handle: H, args: readonly GatewayJs[]) => Promise<unknown>,
) => ({ args, run }) as unknown as MethodSpec;

/** What one option of a method may be: a number in [min, max] (an integer where `integer`). */
interface OptionSpec {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/**
 * A record argument as the options object a driver method takes, each
 * option checked against its bounds: a remote client cannot make a call
 * that would hold the instrument for hours or exhaust the gateway's memory
 * (a ramp in steps of a nanovolt, a sweep of 10⁸ points), which would also
 * hold back making the instrument safe.
 */
function options(method: string, value: GatewayJs, specs: Readonly<Record<string, OptionSpec>>) {
  if (value === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const [name, option] of Object.entries(value as Record<string, GatewayJs>)) {
    const spec = specs[name];
    if (!spec) {
      throw new GatewayArgumentError(
        `${method}: no option ${JSON.stringify(name)} (it takes ${Object.keys(specs).join(", ") || "none"})`,
      );
    }
    if (typeof option !== "number" || !(option >= spec.min && option <= spec.max)) {
      throw new GatewayArgumentError(
        `${method}: option ${name} must be a number in [${spec.min}, ${spec.max}], got ${JSON.stringify(option)}`,
      );
    }
    if (spec.integer && !Number.isInteger(option)) {
      throw new GatewayArgumentError(`${method}: option ${name} must be a whole number, got ${option}`);
    }
    out[name] = option;
  }
  return out;
}

/** Most points a remote sweep may have. */
const MAX_SWEEP_POINTS = 100_000;
/** Most seconds a remote wait may be given (a laser sweep, a zeroing). */
const MAX_WAIT_S = 600;
const WAIT_OPTIONS = { deadline: { min: 0, max: MAX_WAIT_S }, pollInterval: { min: 1e-3, max: 10 } };

/** A sweep's levels: a list, or { start, stop, points }, at most MAX_SWEEP_POINTS. */
function levels(value: GatewayJs) {
  if (value instanceof Float64Array) {
    if (value.length > MAX_SWEEP_POINTS) {
      throw new GatewayArgumentError(`hardwareSweep: ${value.length} levels, more than ${MAX_SWEEP_POINTS}`);
    }
    return Array.from(value);
  }
  const range = options("hardwareSweep levels", value, {
    start: { min: -1e6, max: 1e6 },
    stop: { min: -1e6, max: 1e6 },
    points: { min: 1, max: MAX_SWEEP_POINTS, integer: true },
  }) as { start?: number; stop?: number; points?: number };
  if (range.start === undefined || range.stop === undefined || range.points === undefined) {
    throw new GatewayArgumentError("hardwareSweep: levels as a record need start, stop and points");
  }
  return range as { start: number; stop: number; points: number };
}

/**
 * rampTo's options; a step given must be at least 1/100 of the bench's step
 * limit for the source's quantity (read from the instrument), so that a ramp
 * takes at most about a hundred times the sets of one at the limit.
 */
async function rampOptions(smu: SourceMeter, value: GatewayJs) {
  const checked = options("rampTo", value, { step: { min: 0, max: 1e6 }, delay: { min: 0, max: 10 } });
  if (checked?.step !== undefined) {
    const limits = (smu as unknown as { guard?: { limits?: SafetyLimits } }).guard?.limits;
    const mode = await smu.sourceMode.get();
    const limit = mode === "voltage" ? limits?.maxVoltageStep : limits?.maxCurrentStep;
    const least = limit !== undefined && Number.isFinite(limit) ? limit / 100 : 0;
    if (!(checked.step > 0 && checked.step >= least)) {
      throw new GatewayArgumentError(
        `rampTo: a step of ${checked.step} ${mode === "voltage" ? "V" : "A"} is finer than the gateway allows ` +
          `(at least ${least}, a hundredth of the bench's step limit)`,
      );
    }
  }
  return checked;
}

const METHODS: Readonly<Record<BenchDriverKind, Readonly<Record<string, MethodSpec>>>> = {
  "source-meter": {
    read: method<SourceMeter>([], (smu) => smu.read()),
    measure: method<SourceMeter>(["text"], (smu, [quantity]) => {
      if (quantity !== "voltage" && quantity !== "current") {
        throw new GatewayArgumentError(
          `quantity must be "voltage" or "current", got ${JSON.stringify(quantity)}`,
        );
      }
      return smu.measure(quantity);
    }),
    rampTo: method<SourceMeter>(["number", "record?"], async (smu, [level, opts]) =>
      smu.rampTo(level as number, await rampOptions(smu, opts)),
    ),
    shutdown: method<SourceMeter>([], (smu) => smu.shutdown()),
    hardwareSweep: method<SourceMeter>(["levels", "record?"], (smu, [steps, opts]) =>
      smu.hardwareSweep(
        levels(steps),
        options("hardwareSweep", opts, {
          timeoutMs: { min: 1, max: MAX_WAIT_S * 1000 },
          chunkPoints: { min: 1, max: MAX_SWEEP_POINTS, integer: true },
        }),
      ),
    ),
  },
  "tunable-laser": {
    tuneTo: method<TunableLaser>(["number", "record?"], (laser, [wavelength, opts]) =>
      laser.tuneTo(wavelength as number, options("tuneTo", opts, WAIT_OPTIONS)),
    ),
    waitUntilIdle: method<TunableLaser>(["record?"], (laser, [opts]) =>
      laser.waitUntilIdle(options("waitUntilIdle", opts, WAIT_OPTIONS)),
    ),
    monitoredPower: method<TunableLaser>([], (laser) => laser.monitoredPower()),
    lightOn: method<TunableLaser>([], (laser) => laser.lightOn()),
    startSweep: method<TunableLaser>([], (laser) => laser.startSweep()),
    stopSweep: method<TunableLaser>([], (laser) => laser.stopSweep()),
    sweepState: method<TunableLaser>([], (laser) => laser.sweepState()),
    waitForSweep: method<TunableLaser>(["record?"], (laser, [opts]) =>
      laser.waitForSweep(options("waitForSweep", opts, WAIT_OPTIONS)),
    ),
    readLoggedWavelengths: method<TunableLaser>([], (laser) => laser.readLoggedWavelengths()),
    shutdown: method<TunableLaser>([], (laser) => laser.shutdown()),
  },
  "power-meter": {
    read: method<PowerMeter>([], (meter) => meter.read()),
    initiate: method<PowerMeter>([], (meter) => meter.initiate()),
    fetch: method<PowerMeter>([], (meter) => meter.fetch()),
    readingWindow: method<PowerMeter>([], (meter) => meter.readingWindow()),
    zero: method<PowerMeter>(["record?"], (meter, [opts]) => meter.zero(options("zero", opts, WAIT_OPTIONS))),
    sensor: method<PowerMeter>([], (meter) => meter.sensor()),
    wavelengthRange: method<PowerMeter>([], (meter) => meter.wavelengthRange()),
  },
};

/** Whether `value` is a driver property (bound from its table). */
function isProperty(value: unknown): value is Property<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    "spec" in value &&
    typeof (value as Property<unknown>).get === "function" &&
    typeof (value as Property<unknown>).set === "function"
  );
}

/** The methods and properties a kind offers, by wire name, for a status reply or an error message. */
export function offered(kind: BenchDriverKind, handle: BenchHandle): string[] {
  const wire = WIRE_KINDS[kind];
  const properties = Object.keys(handle).filter((key) => isProperty((handle as never)[key]));
  return [
    ...Object.keys(METHODS[kind]).map((name) => `${wire}.${name}`),
    ...properties.flatMap((name) => [`${wire}.${name}.get`, `${wire}.${name}.set`]),
  ];
}

/**
 * The call `name` on `handle` of kind `kind`, its arguments checked:
 * resolves with the method's result. A name the kind does not offer
 * throws GatewayMethodError, arguments that do not fit GatewayArgumentError
 * (before anything is sent); the driver's own errors pass through.
 */
export function callMethod(
  kind: BenchDriverKind,
  handle: BenchHandle,
  name: string,
  args: readonly GatewayJs[],
): Promise<unknown> {
  if (name === "Raw.query") return rawQuery(kind, handle, args);
  const wire = WIRE_KINDS[kind];
  if (!name.startsWith(`${wire}.`)) {
    throw new GatewayMethodError(`${name} is not a method of a ${wire}: its methods start with "${wire}."`);
  }
  const rest = name.slice(wire.length + 1);
  const property = /^(\w+)\.(get|set)$/.exec(rest);
  if (property) {
    const target = (handle as unknown as Record<string, unknown>)[property[1] as string];
    if (!isProperty(target)) throw new GatewayMethodError(`${wire} has no property ${property[1]}`);
    if (property[2] === "get") {
      checkArgs(name, [], args);
      return target.get();
    }
    checkArgs(name, [propertyArg(target)], args);
    return target.set(args[0]);
  }
  const spec = Object.hasOwn(METHODS[kind], rest) ? METHODS[kind][rest] : undefined;
  if (!spec) {
    throw new GatewayMethodError(
      `${wire} offers no method ${rest} through the gateway (it offers ${Object.keys(METHODS[kind]).join(", ")} ` +
        `and its properties' .get/.set)`,
    );
  }
  checkArgs(name, spec.args, args);
  return spec.run(handle as never, args);
}

/** What a property's set takes, from its table row. */
function propertyArg(property: Property<unknown>): ArgType {
  switch (property.spec.dtype ?? "string") {
    case "number":
      return "number";
    case "boolean":
      return "flag";
    case "array":
      return "numbers";
    default:
      return "text";
  }
}

function checkArgs(name: string, specs: readonly ArgSpec[], args: readonly GatewayJs[]): void {
  const required = specs.filter((s) => !s.endsWith("?")).length;
  if (args.length < required || args.length > specs.length) {
    const wanted = specs.length === required ? `${required}` : `${required} to ${specs.length}`;
    throw new GatewayArgumentError(
      `${name} takes ${wanted} argument(s) (${specs.join(", ")}), got ${args.length}`,
    );
  }
  args.forEach((arg, k) => {
    const spec = specs[k] as ArgSpec;
    const optional = spec.endsWith("?");
    const type = (optional ? spec.slice(0, -1) : spec) as ArgType;
    if (arg === undefined && optional) return;
    if (!fits(type, arg)) {
      throw new GatewayArgumentError(
        `${name}: argument ${k + 1} must be ${describe(type)}, got ${shown(arg)}`,
      );
    }
  });
}

function fits(type: ArgType, arg: GatewayJs): boolean {
  switch (type) {
    case "number":
      return typeof arg === "number";
    case "text":
      return typeof arg === "string";
    case "flag":
      return typeof arg === "boolean";
    case "numbers":
      return arg instanceof Float64Array;
    case "record":
      return isRecord(arg);
    case "levels":
      return arg instanceof Float64Array || isRecord(arg);
  }
}

const isRecord = (arg: GatewayJs): boolean =>
  typeof arg === "object" && arg !== null && !(arg instanceof Float64Array);

function describe(type: ArgType): string {
  return type === "levels" ? "a list of numbers or a record { start, stop, points }" : `a ${type}`;
}

function shown(arg: GatewayJs): string {
  if (arg === undefined) return "nothing";
  if (arg instanceof Float64Array) return `a list of ${arg.length} numbers`;
  if (typeof arg === "object") return "a record";
  return `${typeof arg === "string" ? "text" : typeof arg} ${JSON.stringify(arg)}`;
}

/**
 * `Raw.query`: one SCPI query, sent as it is, for an instrument without
 * safety limits, and only one its driver lists as changing nothing
 * (`safeQueries`), one header a request — no `;` compound, which could
 * carry a command (on a 2400 `:MEAS?` turns the output on). An instrument
 * with limits refuses raw SCPI altogether: enforcing them would mean
 * parsing its dialect here.
 */
function rawQuery(kind: BenchDriverKind, handle: BenchHandle, args: readonly GatewayJs[]): Promise<string> {
  checkArgs("Raw.query", ["text"], args);
  const query = (args[0] as string).trim();
  if (kind !== "power-meter") {
    throw new GatewayMethodError(
      `raw SCPI is refused for a ${WIRE_KINDS[kind]}: it has safety limits, which only its driver's methods enforce`,
    );
  }
  const allowed = (handle as { readonly safeQueries?: readonly string[] }).safeQueries ?? [];
  if (!allowed.includes(query.replace(/^:/, "").toUpperCase()) || query.includes(";")) {
    throw new GatewayArgumentError(
      `Raw.query: ${JSON.stringify(query)} is not one of the side-effect-free queries its driver lists (${allowed.join(", ")})`,
    );
  }
  return (handle as unknown as { unsafeSession(): { query(command: string): Promise<string> } })
    .unsafeSession()
    .query(query);
}
