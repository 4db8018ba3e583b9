/**
 * A memristor between the terminals: a model from src/models/memristor with
 * one parameter set, whose state the instrument's voltage moves in time.
 */
import { advance, type MemristorModel } from "../models/memristor/index.js";
import type { DeviceUnderTest } from "./dut.js";

export interface MemristorDutOptions<P extends Record<string, number>> {
  readonly model: MemristorModel<P>;
  readonly params: P;
  /** State at power-on and after reset(); defaults to the model's initial state. */
  readonly x0?: number;
}

export class MemristorDut<P extends Record<string, number>> implements DeviceUnderTest {
  readonly model: MemristorModel<P>;
  readonly params: Readonly<P>;
  readonly x0: number;
  #x: number;

  constructor(options: MemristorDutOptions<P>) {
    this.model = options.model;
    this.params = Object.freeze({ ...options.params });
    this.x0 = options.x0 ?? options.model.initialState(options.params);
    // advance() validates the parameters and the state, so a bad DUT fails here and not at the first reading.
    this.#x = advance(this.model, this.params, this.x0, 0, 0);
  }

  /** Present state, in the model's state unit. */
  get state(): number {
    return this.#x;
  }

  applyVoltage(voltage: number, dt: number): number {
    this.#x = advance(this.model, this.params, this.#x, voltage, dt);
    return this.model.current(this.#x, voltage, this.params);
  }

  resistance(): number {
    return this.model.resistance(this.#x, this.params);
  }

  reset(): void {
    this.#x = this.x0;
  }
}
