/**
 * A virtual bench: every virtual instrument of a spec served on the wires
 * real ones use (TCP, and serial PTYs on request) around ONE simulated chip
 * on ONE bench clock, with the clock's control endpoint (DESIGN.md,
 * "Virtual instruments"; issue 14 §2, issue 16): Keithley 2400s and 2450s
 * on the chip's electrical ports, and a Santec TSL-570 and a Thorlabs
 * PM100USB on its fibre array, which sits over one optical path at a time
 * (moved through the control endpoint, `move_fibres`). What one instrument
 * does to the chip, the others see.
 *
 * The resources it returns — each instrument's resource strings and the
 * clock-control endpoint — are what a bench script, the CLI or another
 * process needs to reach it.
 */
import type { ChipBackendName } from "../core/kernels/chip.js";
import type { ChipParams, ChipPort, OpticalPath } from "../models/chip/index.js";
import { CHIP_PORTS, createVirtualDemoChip, OPTICAL_PATHS, type VirtualDemoChip } from "./chip/demo-chip.js";
import { FibreArray } from "./chip/fibre-array.js";
import { type BenchClock, type ClockMode, createBenchClock } from "./clock/bench-clock.js";
import { type ClockControlServer, serveClockControl } from "./clock/control-server.js";
import { VirtualKeithley2400 } from "./keithley2400/instrument.js";
import { VirtualKeithley2450 } from "./keithley2450/instrument.js";
import type { NoiseSpec } from "./measurement-noise.js";
import { VirtualSantecTsl570 } from "./santec-tsl570/instrument.js";
import type { LaserNoiseSpec } from "./santec-tsl570/light-noise.js";
import { type InstrumentServer, serveInstrument, type WireOptions } from "./server.js";
import type { SourceState } from "./source-state.js";
import { VirtualThorlabsPm100 } from "./thorlabs-pm100/instrument.js";
import type { Pm100SensorSpec } from "./thorlabs-pm100/sensor.js";

/** The instrument models a virtual bench can hold. */
export const VIRTUAL_MODELS = ["keithley2400", "keithley2450", "santec-tsl570", "thorlabs-pm100"] as const;
export type VirtualModel = (typeof VIRTUAL_MODELS)[number];

/** How any instrument of a bench is served. */
interface ServedSpec {
  /** TCP port to listen on (default 0: a free one); false for none. */
  readonly tcpPort?: number | false;
  /** Also serve it on a serial PTY pair (default false). */
  readonly serial?: boolean;
  /** Seed of its noise (default 1). */
  readonly seed?: number;
  readonly serialNumber?: string;
}

/** A source-meter on an electrical port of the chip. */
export interface VirtualSourceMeterSpec extends ServedSpec {
  readonly model: "keithley2400" | "keithley2450";
  /** The chip port its terminals are wired to. */
  readonly port: ChipPort;
  /** Reading noise: true (default), false for exact readings, or its terms. */
  readonly noise?: boolean | Partial<NoiseSpec>;
  /** :SOURce:DELay at power-on, s (the 2400 only: the 2450 powers on with its auto delay). */
  readonly sourceDelay?: number;
  /** Told every change of what its terminals are driven with (the instrument's own record). */
  readonly onSource?: (state: SourceState) => void;
}

/** The tunable laser, into the fibre array's input. */
export interface VirtualLaserSpec extends ServedSpec {
  readonly model: "santec-tsl570";
  /** RIN and wavelength repeatability: true (default), false for exact light, or its terms. */
  readonly noise?: boolean | Partial<LaserNoiseSpec>;
}

/** The power meter, behind the fibre array's output. */
export interface VirtualPowerMeterSpec extends ServedSpec {
  readonly model: "thorlabs-pm100";
  /** Reading noise (default true). */
  readonly noise?: boolean;
  /** The sensor head (default the S144C); null for none attached. */
  readonly sensor?: Pm100SensorSpec | null;
}

export type VirtualInstrumentSpec = VirtualSourceMeterSpec | VirtualLaserSpec | VirtualPowerMeterSpec;

export interface VirtualBenchSpec {
  /** The bench clock: a mode (default "event") or a clock made by the caller (not closed with the bench). */
  readonly clock?: ClockMode | BenchClock;
  /** The chip's parameters (default: the demo chip's hidden truth). */
  readonly params?: ChipParams;
  /** What steps the chip (default "wasm"). */
  readonly backend?: ChipBackendName;
  /** Address every instrument listens on (default 127.0.0.1). */
  readonly host?: string;
  /** Instruments by name (default: {@link DEFAULT_BENCH_INSTRUMENTS}). */
  readonly instruments?: Readonly<Record<string, VirtualInstrumentSpec>>;
  /** Serve the clock-control endpoint (default true), optionally at a given ZeroMQ endpoint. */
  readonly clockControl?: boolean | { readonly endpoint: string };
  /** Where servers report clients they gave up on (default console.warn). */
  readonly log?: (message: string) => void;
  /** The optical path the fibre array starts over (default "ring"). */
  readonly fibrePath?: OpticalPath;
}

/**
 * `pms virtual`'s bench: a Keithley 2400 on the standalone memristor, a
 * Keithley 2450 on the heater, the TSL-570 and the PM100USB on the fibres.
 */
export const DEFAULT_BENCH_INSTRUMENTS: Readonly<Record<string, VirtualInstrumentSpec>> = Object.freeze({
  smu1: { model: "keithley2400", port: "memristor" },
  smu2: { model: "keithley2450", port: "heater" },
  laser: { model: "santec-tsl570" },
  meter: { model: "thorlabs-pm100" },
});

/** A virtual instrument a bench can serve. */
export type VirtualInstrument =
  | VirtualKeithley2400
  | VirtualKeithley2450
  | VirtualSantecTsl570
  | VirtualThorlabsPm100;

/** How to reach one served instrument. */
export interface VirtualInstrumentResources {
  readonly tcp?: string;
  readonly serial?: string;
}

export interface VirtualBench {
  readonly clock: BenchClock;
  readonly chip: VirtualDemoChip;
  /** The fibres between the laser, the chip's optical paths and the meter. */
  readonly fibres: FibreArray;
  readonly instruments: Readonly<Record<string, InstrumentServer<VirtualInstrument>>>;
  /** Each instrument's resource strings, by name, and the clock-control endpoint. */
  readonly resources: {
    readonly instruments: Readonly<Record<string, VirtualInstrumentResources>>;
    readonly clock?: string;
  };
  /** Stops every server, the clock-control endpoint, the clock (if the bench made it) and the chip; idempotent. */
  close(): Promise<void>;
}

/** A spec that cannot be served, named by where it goes wrong. */
export class VirtualBenchSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VirtualBenchSpecError";
  }
}

/** Checks a spec before anything starts: known models, real ports, one instrument per port, one laser and one meter at most. */
export function checkVirtualBenchSpec(spec: VirtualBenchSpec): void {
  const instruments = spec.instruments ?? DEFAULT_BENCH_INSTRUMENTS;
  const names = Object.keys(instruments);
  if (names.length === 0) throw new VirtualBenchSpecError("virtual bench: the spec names no instrument");
  if (spec.fibrePath !== undefined && !OPTICAL_PATHS.includes(spec.fibrePath)) {
    throw new VirtualBenchSpecError(
      `virtual bench: the fibres start over "${spec.fibrePath}"; the chip's optical paths are ${OPTICAL_PATHS.join(", ")}`,
    );
  }
  const taken = new Map<string, string>();
  for (const name of names) {
    const instrument = instruments[name] as VirtualInstrumentSpec;
    if (!VIRTUAL_MODELS.includes(instrument.model)) {
      throw new VirtualBenchSpecError(
        `virtual bench: instrument "${name}" is a "${instrument.model}"; the models are ${VIRTUAL_MODELS.join(", ")}`,
      );
    }
    if (instrument.tcpPort === false && !instrument.serial) {
      throw new VirtualBenchSpecError(
        `virtual bench: instrument "${name}" has neither TCP nor serial to serve on`,
      );
    }
    // Where it sits: an electrical port, or an end of the one fibre array.
    let place: string;
    if (instrument.model === "santec-tsl570") place = "the fibre array's input";
    else if (instrument.model === "thorlabs-pm100") place = "the fibre array's output";
    else {
      if (!CHIP_PORTS.includes(instrument.port)) {
        throw new VirtualBenchSpecError(
          `virtual bench: instrument "${name}" is on port "${instrument.port}"; the chip's ports are ${CHIP_PORTS.join(", ")}`,
        );
      }
      if (instrument.model !== "keithley2400" && instrument.sourceDelay !== undefined) {
        throw new VirtualBenchSpecError(
          `virtual bench: instrument "${name}" is a "${instrument.model}": sourceDelay is a keithley2400 option`,
        );
      }
      place = `port "${instrument.port}"`;
    }
    const other = taken.get(place);
    if (other) {
      throw new VirtualBenchSpecError(
        `virtual bench: "${name}" and "${other}" are both on ${place}; one instrument each`,
      );
    }
    taken.set(place, name);
  }
}

/** The instrument of one spec, on its port of the chip or its end of the fibres. */
function createInstrument(
  clock: BenchClock,
  chip: VirtualDemoChip,
  fibres: FibreArray,
  spec: VirtualInstrumentSpec,
): VirtualInstrument {
  const common = {
    clock,
    ...(spec.seed !== undefined && { seed: spec.seed }),
    ...(spec.serialNumber !== undefined && { serialNumber: spec.serialNumber }),
  };
  switch (spec.model) {
    case "keithley2400":
    case "keithley2450": {
      const smu = {
        ...common,
        port: chip.port(spec.port),
        ...(spec.noise !== undefined && { noise: spec.noise }),
        ...(spec.onSource && { onSource: spec.onSource }),
      };
      return spec.model === "keithley2400"
        ? new VirtualKeithley2400({
            ...smu,
            ...(spec.sourceDelay !== undefined && { sourceDelay: spec.sourceDelay }),
          })
        : new VirtualKeithley2450(smu);
    }
    case "santec-tsl570":
      return new VirtualSantecTsl570({
        ...common,
        fibres,
        ...(spec.noise !== undefined && { noise: spec.noise }),
      });
    case "thorlabs-pm100":
      return new VirtualThorlabsPm100({
        ...common,
        detector: fibres,
        ...(spec.noise !== undefined && { noise: spec.noise }),
        ...(spec.sensor !== undefined && { sensor: spec.sensor }),
      });
  }
}

/**
 * Serves every instrument of `spec` around one chip on one clock. A failure
 * part-way closes what was started before it is reported.
 */
export async function serveVirtualBench(spec: VirtualBenchSpec = {}): Promise<VirtualBench> {
  checkVirtualBenchSpec(spec);
  const ownsClock = typeof spec.clock !== "object";
  const clock = typeof spec.clock === "object" ? spec.clock : createBenchClock(spec.clock ?? "event");
  const closers: Array<() => Promise<void> | void> = [];
  const closeAll = async () => {
    const errors: unknown[] = [];
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, "virtual bench: closing failed");
  };
  if (ownsClock) closers.push(() => clock.close());
  try {
    const chip = await createVirtualDemoChip({
      clock,
      ...(spec.params && { params: spec.params }),
      ...(spec.backend && { backend: spec.backend }),
    });
    closers.push(() => chip.release());
    const fibres = new FibreArray(chip, spec.fibrePath ?? "ring");
    const servers: Record<string, InstrumentServer<VirtualInstrument>> = {};
    const resources: Record<string, VirtualInstrumentResources> = {};
    for (const [name, instrumentSpec] of Object.entries(spec.instruments ?? DEFAULT_BENCH_INSTRUMENTS)) {
      const instrument = createInstrument(clock, chip, fibres, instrumentSpec);
      const wires: WireOptions = {
        tcp:
          instrumentSpec.tcpPort === false
            ? false
            : { host: spec.host ?? "127.0.0.1", port: instrumentSpec.tcpPort ?? 0 },
        serial: instrumentSpec.serial ?? false,
        ...(spec.log && { log: spec.log }),
      };
      const server = await serveInstrument(instrument, wires);
      closers.push(() => server.close());
      servers[name] = server;
      resources[name] = {
        ...(server.tcpResource && { tcp: server.tcpResource }),
        ...(server.serialResource && { serial: server.serialResource }),
      };
    }
    let control: ClockControlServer | undefined;
    if (spec.clockControl !== false) {
      control = await serveClockControl(clock, {
        ...(typeof spec.clockControl === "object" && { endpoint: spec.clockControl.endpoint }),
        fibres: {
          get path() {
            return fibres.path;
          },
          moveTo: (path) => fibres.moveTo(path as OpticalPath),
        },
      });
      const served = control;
      closers.push(() => served.close());
    }
    let closing: Promise<void> | undefined;
    return {
      clock,
      chip,
      fibres,
      instruments: servers,
      resources: { instruments: resources, ...(control && { clock: control.endpoint }) },
      close: () => {
        closing ??= closeAll();
        return closing;
      },
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    throw error;
  }
}
