/**
 * A chip of one two-terminal device on one port: an ohmic resistor, or a
 * memristor from src/models/memristor with one parameter set. Tests whose
 * expected readings are V/R, and an instrument given a device of its own
 * (`dut`), use it; the bench's demo chip (./demo-chip.ts) is the same idea
 * with many ports.
 *
 * The device advances to the clock's now at every interaction under the
 * drive held since the last one (zero-order hold), with the drive's
 * compliance: a memristor switching under a held voltage draws more current
 * until the channel limits it, as on a real bench.
 */
import { advance, holdVoltage, type MemristorModel } from "../../models/memristor/index.js";
import type { BenchClock } from "../clock/bench-clock.js";
import {
  checkDrive,
  type ElectricalPort,
  OPEN_DRIVE,
  operatingPoint,
  type PortDrive,
  type PortReading,
} from "./ports.js";

/** What sits between the two terminals. */
export interface TwoTerminalDevice {
  /** Present resistance, Ω (V/I at the present state). */
  resistance(): number;
  /** Holds `voltage` (V) across the device for `dt` (s). */
  hold(voltage: number, dt: number): void;
  /** Back to the state at power-on. */
  reset(): void;
  /** The device's state (in its model's unit; 0 for a memoryless one), settable to go back to one read before. */
  state: number;
  /** Nothing it holds changes it (a resistor): holding it can be skipped. */
  readonly memoryless?: boolean;
}

/** An ohmic resistor: memoryless. */
export class ResistorDut implements TwoTerminalDevice {
  readonly memoryless = true;
  /** @param ohms resistance, Ω (positive and finite). */
  constructor(readonly ohms: number) {
    if (!(ohms > 0 && Number.isFinite(ohms)))
      throw new RangeError(`resistance must be positive and finite, got ${ohms} Ω`);
  }

  resistance(): number {
    return this.ohms;
  }

  hold(_voltage: number, _dt: number): void {}

  reset(): void {}

  get state(): number {
    return 0;
  }

  set state(_state: number) {}
}

export interface MemristorDutOptions<P extends Record<string, number>> {
  readonly model: MemristorModel<P>;
  readonly params: P;
  /** State at power-on and after reset(), in the model's state variable (u = logit x under Joglekar's and Prodromakis' windows: `stateAtFraction` gives it from x); defaults to the model's initial state. */
  readonly x0?: number;
}

/** A memristor whose state the held voltage moves in time (the model's adaptive integrator). */
export class MemristorDut<P extends Record<string, number>> implements TwoTerminalDevice {
  readonly model: MemristorModel<P>;
  readonly params: Readonly<P>;
  readonly x0: number;
  readonly #bounds: readonly [number, number];
  #x: number;

  constructor(options: MemristorDutOptions<P>) {
    this.model = options.model;
    this.params = Object.freeze({ ...options.params });
    this.x0 = options.x0 ?? options.model.initialState(options.params);
    // advance() validates the parameters and the state, so a bad device fails here and not at the first reading.
    this.#x = advance(this.model, this.params, this.x0, 0, 0);
    this.#bounds = this.model.stateBounds(this.params);
  }

  /** Present state, in the model's state unit. */
  get state(): number {
    return this.#x;
  }

  set state(x: number) {
    this.#x = advance(this.model, this.params, x, 0, 0);
  }

  resistance(): number {
    return this.model.resistance(this.#x, this.params);
  }

  hold(voltage: number, dt: number): void {
    if (!Number.isFinite(voltage) || !(dt >= 0 && dt < Number.POSITIVE_INFINITY)) {
      throw new RangeError(`${this.model.id}: cannot hold ${voltage} V for ${dt} s`);
    }
    // The parameters were checked once, at construction, and the state is kept in bounds: the
    // integrator is called directly rather than through advance(), which checks both every time.
    const [lower, upper] = this.#bounds;
    this.#x = holdVoltage(this.model, this.params, this.#x, voltage, dt, lower, upper);
  }

  reset(): void {
    this.#x = this.x0;
  }
}

/**
 * Longest interval over which a limited drive is held with the device's
 * voltage fixed, s. Under compliance the voltage across the device follows
 * its resistance (V = I_limit·R), so the hold is split and the voltage
 * recomputed at each piece's start (operator splitting, first order in the
 * piece length); 100 µs is short against the millisecond switching of the
 * bench's memristors.
 */
export const MAX_LIMITED_HOLD = 1e-4;

/** The one port of a two-terminal chip. */
export class TwoTerminalPort implements ElectricalPort {
  readonly name: string;
  readonly device: TwoTerminalDevice;
  readonly #clock: BenchClock;
  #drive: PortDrive = OPEN_DRIVE;
  /** Drives set for a later time, in time order. */
  readonly #scheduled: Array<{ readonly at: number; readonly drive: PortDrive }> = [];
  /** Clock time the device has been advanced to. */
  #time: number;

  constructor(clock: BenchClock, device: TwoTerminalDevice, name = "dut") {
    this.#clock = clock;
    this.device = device;
    this.name = name;
    this.#time = clock.now();
  }

  drive(drive: PortDrive, at = this.#clock.now()): void {
    checkDrive(this.name, drive);
    if (Number.isNaN(at)) throw new RangeError(`port "${this.name}": a drive at NaN s`);
    this.#catchUp(this.#clock.now());
    if (at <= this.#time) {
      this.#scheduled.length = 0;
      this.#drive = drive;
      return;
    }
    // A later drive replaces what was scheduled from its time on.
    while ((this.#scheduled.at(-1)?.at ?? Number.NEGATIVE_INFINITY) >= at) this.#scheduled.pop();
    this.#scheduled.push({ at, drive });
  }

  read(): PortReading {
    this.#catchUp(this.#clock.now());
    return operatingPoint(this.#drive, this.device.resistance());
  }

  /** Back to power-on: the device reset, the port open. */
  reset(): void {
    this.#catchUp(this.#clock.now());
    this.#scheduled.length = 0;
    this.device.reset();
    this.#drive = OPEN_DRIVE;
  }

  /** Advances the device to `time` under the drives held, switching to each scheduled one at its time. */
  #catchUp(time: number): void {
    for (let next = this.#scheduled[0]; next !== undefined && next.at <= time; next = this.#scheduled[0]) {
      this.#hold(next.at);
      this.#drive = next.drive;
      this.#scheduled.shift();
    }
    this.#hold(time);
  }

  /** Advances the device to `time` under the present drive. */
  #hold(time: number): void {
    let remaining = time - this.#time;
    if (!(remaining > 0)) return;
    this.#time = time;
    if (this.#drive.mode === "open" || this.device.memoryless) return;
    const start = operatingPoint(this.#drive, this.device.resistance());
    // Not limited, sourcing a voltage: the device sees the level throughout — unless it switches
    // into compliance on the way, which the end state shows (a held voltage moves R one way).
    if (this.#drive.mode === "voltage" && !start.limited) {
      const before = this.device.state;
      this.device.hold(this.#drive.level, remaining);
      if (!operatingPoint(this.#drive, this.device.resistance()).limited) return;
      this.device.state = before;
    }
    while (remaining > 0) {
      const dt = Math.min(remaining, MAX_LIMITED_HOLD);
      this.device.hold(operatingPoint(this.#drive, this.device.resistance()).voltage, dt);
      remaining -= dt;
    }
  }
}
