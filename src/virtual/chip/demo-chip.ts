/**
 * The virtual bench's one chip (DESIGN.md, "Virtual instruments"; issue 14
 * §2): the demo chip's dynamics (src/models/chip/) with hidden true
 * parameters, owning every device state, reached by instruments through
 * ports on one bench clock.
 *
 * ```
 *   electrical ports                       optical paths
 *   "heater"      N ─[R_h]─ G              "ring":      in ─[gc]═╤═ring═╤═[gc]─ out
 *   "heaterLine"  A ─[memristor]─ N        "reference": in ─[gc]══════════[gc]─ out
 *   "memristor"   P ─[VTEAM]─ Q
 * ```
 *
 * Light goes in at each path's optical input (a wavelength and a power,
 * held until it changes) and leaves at its output, scaled by the path's
 * transmission with the chip's state at that moment.
 *
 * At every interaction (a drive, a reading) the chip first advances itself
 * to the clock's now, each port's drive held since it was set (zero-order
 * hold), switching to each drive an instrument set for a later time at that
 * time; so a device biased between commands evolves as a real one does.
 * The stepping goes through the backend seam (`"wasm"`, the default, or the
 * `"ts"` reference), the model's own substeps keeping each piece accurate.
 */

import {
  type ChipBackendName,
  createDemoChipBackend,
  type DemoChipBackend,
} from "../../core/kernels/chip.js";
import { loadCore } from "../../core/load-node.js";
import type { Core } from "../../core/wasm.js";
import {
  type ChipParams,
  type ChipPort,
  chipInitialState,
  chipLayout,
  chipStimulus,
  demoChipTruth,
  holdsDrive,
  type OpticalPath,
  setDrive,
} from "../../models/chip/index.js";
import type { BenchClock } from "../clock/bench-clock.js";
import { checkLight, DARK, type LightDrive, type OpticalInput, type OpticalOutput } from "./optical.js";
import { checkDrive, type ElectricalPort, type PortDrive, type PortReading } from "./ports.js";

export const CHIP_PORTS: readonly ChipPort[] = ["heater", "heaterLine", "memristor"];
export const OPTICAL_PATHS: readonly OpticalPath[] = ["ring", "reference"];

/** Where each port's voltage, current and compliance flag sit in the electrical observables. */
const READ_OFFSETS: Readonly<Record<ChipPort, { voltage: number; current: number; limited: number }>> = {
  heater: {
    voltage: chipLayout.HEATER_VOLTAGE,
    current: chipLayout.HEATER_CURRENT,
    limited: chipLayout.HEATER_LIMITED,
  },
  heaterLine: {
    voltage: chipLayout.LINE_VOLTAGE,
    current: chipLayout.LINE_CURRENT,
    limited: chipLayout.LINE_LIMITED,
  },
  memristor: {
    voltage: chipLayout.MEMRISTOR_VOLTAGE,
    current: chipLayout.MEMRISTOR_CURRENT,
    limited: chipLayout.MEMRISTOR_LIMITED,
  },
};

export interface VirtualDemoChipOptions {
  readonly clock: BenchClock;
  /** The chip's true parameters (default: `demoChipTruth`, the hidden truth). */
  readonly params?: ChipParams;
  /** The backend that steps it (default "wasm"). */
  readonly backend?: ChipBackendName;
  /** A WASM core to use (default: a fresh one, for "wasm"). */
  readonly core?: Core;
  /** The state at power-on (default: the model's initial state). */
  readonly state?: Float64Array;
}

/** A drive set for a later time. */
interface Scheduled {
  readonly at: number;
  readonly port: ChipPort;
  readonly drive: PortDrive;
}

/** Light set for a later time. */
interface ScheduledLight {
  readonly at: number;
  readonly light: LightDrive;
}

export class VirtualDemoChip {
  readonly clock: BenchClock;
  readonly backend: DemoChipBackend;
  readonly #state: Float64Array;
  readonly #stimulus = chipStimulus();
  readonly #electrical = new Float64Array(chipLayout.ELECTRICAL_OUTPUT_SIZE);
  readonly #scheduled: Scheduled[] = [];
  readonly #ports = new Map<ChipPort, ElectricalPort>();
  /** What each optical input carries now, and what is set for later, by path. */
  readonly #light = new Map<OpticalPath, { now: LightDrive; later: ScheduledLight[] }>(
    OPTICAL_PATHS.map((path) => [path, { now: DARK, later: [] }]),
  );
  /** Clock time the state has been advanced to, s. */
  #time: number;

  constructor(clock: BenchClock, backend: DemoChipBackend, state?: Float64Array) {
    this.clock = clock;
    this.backend = backend;
    this.#state = state ? Float64Array.from(state) : chipInitialState(backend.params);
    // The backend checks the state as it steps; a zero step checks it now, not at the first reading.
    backend.step(this.#state, this.#stimulus, 0);
    this.#time = clock.now();
  }

  /** The parameters the chip really has (the hidden truth of a virtual bench, readable by tests). */
  get params(): ChipParams {
    return this.backend.params;
  }

  /** A copy of the state now (layout: src/models/chip/portable/layout.ts). */
  state(): Float64Array {
    this.#advance(this.clock.now());
    return Float64Array.from(this.#state);
  }

  /** The electrical port `name`, for an instrument to drive and read. */
  port(name: ChipPort): ElectricalPort {
    if (!CHIP_PORTS.includes(name)) {
      throw new RangeError(`the demo chip has no electrical port "${name}": it has ${CHIP_PORTS.join(", ")}`);
    }
    let port = this.#ports.get(name);
    if (!port) {
      port = {
        name,
        drive: (drive, at) => this.#drive(name, drive, at),
        read: () => this.#read(name),
      };
      this.#ports.set(name, port);
    }
    return port;
  }

  /**
   * The power transmission, fibre to fibre, of optical path `path` at
   * `wavelength` (m) now: what a power meter behind it reads per watt a
   * laser puts in.
   */
  transmission(path: OpticalPath, wavelength: number): number {
    this.#advance(this.clock.now());
    return this.backend.transmission(this.#state, wavelength, path);
  }

  /** The input of optical path `path`, for a light source to drive. */
  opticalInput(path: OpticalPath): OpticalInput {
    const light = this.#lightOf(path);
    return {
      path,
      drive: (drive, at = this.clock.now()) => {
        checkLight(path, drive);
        if (Number.isNaN(at)) throw new RangeError(`optical input "${path}": light at NaN s`);
        // Light changes no state: it is kept with its time and taken up when the output is read.
        while ((light.later.at(-1)?.at ?? Number.NEGATIVE_INFINITY) >= at) light.later.pop();
        if (at <= this.clock.now()) {
          light.later.length = 0;
          light.now = drive;
        } else {
          light.later.push({ at, light: drive });
        }
      },
    };
  }

  /** The output of optical path `path`, for a detector to read. */
  opticalOutput(path: OpticalPath): OpticalOutput {
    const light = this.#lightOf(path);
    return {
      path,
      read: () => {
        const now = this.clock.now();
        while ((light.later[0]?.at ?? Number.POSITIVE_INFINITY) <= now) {
          light.now = (light.later.shift() as ScheduledLight).light;
        }
        if (light.now.power === 0) return 0;
        return light.now.power * this.transmission(path, light.now.wavelength);
      },
    };
  }

  /** Power dissipated in the heater now, W. */
  heaterPower(): number {
    this.#advance(this.clock.now());
    this.backend.electrical(this.#state, this.#stimulus, this.#electrical);
    return this.#electrical[chipLayout.HEATER_POWER] as number;
  }

  /** Gives the backend's memory back; the chip is unusable afterwards. */
  release(): void {
    this.backend.release();
  }

  #lightOf(path: OpticalPath): { now: LightDrive; later: ScheduledLight[] } {
    const light = this.#light.get(path);
    if (!light) {
      throw new RangeError(`the demo chip has no optical path "${path}": it has ${OPTICAL_PATHS.join(", ")}`);
    }
    return light;
  }

  #drive(port: ChipPort, drive: PortDrive, at = this.clock.now()): void {
    checkDrive(port, drive);
    if (Number.isNaN(at)) throw new RangeError(`port "${port}": a drive at NaN s`);
    const now = this.clock.now();
    if (at <= now) {
      // Whatever held until now holds until now; then this drive, at once.
      this.#advance(now);
      this.#unschedule(port, Number.NEGATIVE_INFINITY);
      setDrive(this.#stimulus, port, drive);
      return;
    }
    // A drive for later needs no step now: the next interaction steps through the list in time order.
    // A later drive of a port replaces what was set on it for a time after it.
    this.#unschedule(port, at);
    // The drive the port holds until then, and after: a reading at an unchanged level schedules nothing.
    if (!this.#scheduledOn(port) && holdsDrive(this.#stimulus, port, drive)) return;
    let index = this.#scheduled.length;
    while (index > 0 && (this.#scheduled[index - 1] as Scheduled).at > at) index--;
    this.#scheduled.splice(index, 0, { at, port, drive });
  }

  #read(port: ChipPort): PortReading {
    this.#advance(this.clock.now());
    this.backend.electrical(this.#state, this.#stimulus, this.#electrical);
    const offsets = READ_OFFSETS[port];
    return {
      voltage: this.#electrical[offsets.voltage] as number,
      current: this.#electrical[offsets.current] as number,
      limited: this.#electrical[offsets.limited] === 1,
    };
  }

  /**
   * Drops the drives of `port` scheduled at or after `from`. The list is in
   * time order, so only its tail from `from` on is looked at: a client that
   * only sets (each line's drive later than the last, none yet due) costs
   * the same per line however many it has sent.
   */
  #unschedule(port: ChipPort, from: number): void {
    for (let i = this.#scheduled.length - 1; i >= 0; i--) {
      const entry = this.#scheduled[i] as Scheduled;
      if (entry.at < from) return;
      if (entry.port === port) this.#scheduled.splice(i, 1);
    }
  }

  /** Whether a drive of `port` is scheduled. */
  #scheduledOn(port: ChipPort): boolean {
    for (const entry of this.#scheduled) if (entry.port === port) return true;
    return false;
  }

  /** Steps the state to `time`, switching each scheduled drive in at its time. */
  #advance(time: number): void {
    for (let next = this.#scheduled[0]; next !== undefined && next.at <= time; next = this.#scheduled[0]) {
      this.#stepTo(next.at);
      setDrive(this.#stimulus, next.port, next.drive);
      this.#scheduled.shift();
    }
    this.#stepTo(time);
  }

  #stepTo(time: number): void {
    const dt = time - this.#time;
    if (!(dt > 0)) return;
    this.backend.step(this.#state, this.#stimulus, dt);
    this.#time = time;
  }
}

/** The demo chip on `clock`, its backend made (and, for WASM, its core loaded). */
export async function createVirtualDemoChip(options: VirtualDemoChipOptions): Promise<VirtualDemoChip> {
  const backendName = options.backend ?? "wasm";
  const core = backendName === "wasm" ? (options.core ?? (await loadCore())) : undefined;
  const backend = createDemoChipBackend({
    backend: backendName,
    params: options.params ?? demoChipTruth,
    ...(core && { core }),
  });
  return new VirtualDemoChip(options.clock, backend, options.state);
}
