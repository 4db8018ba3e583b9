/**
 * The PM100's SCPI status registers (SCPI-99 Vol. 1 §9): a condition, an
 * event register latched through positive and negative transition filters
 * (`:PTRansition`, `:NTRansition`, which QCoDeS' PM100D driver sets at
 * connection: `STAT:OPER:PTR 512`, `STAT:OPER:NTR 0`), and an enable mask.
 * The engine's EventRegister (../scpi/status.ts) has no transition filters,
 * so the meter keeps its own.
 */

/** SCPI-99 §9.3: after power-on and `:STATus:PRESet`, every positive transition latches and no negative one. */
const ALL_BITS = 0x7fff;

export class TransitionRegister {
  #condition = 0;
  #event = 0;
  enable = 0;
  positiveTransition = ALL_BITS;
  negativeTransition = 0;

  get condition(): number {
    return this.#condition;
  }

  get event(): number {
    return this.#event;
  }

  /** Sets or clears condition bits; each change latches in the event register if its filter passes it. */
  setCondition(bits: number, on: boolean): void {
    const next = on ? this.#condition | bits : this.#condition & ~bits;
    const rose = next & ~this.#condition;
    const fell = this.#condition & ~next;
    this.#event |= (rose & this.positiveTransition) | (fell & this.negativeTransition);
    this.#condition = next;
  }

  /** Reads and clears the event register (`[:EVENt]?`). */
  read(): number {
    const value = this.#event;
    this.#event = 0;
    return value;
  }

  /** An enabled event is latched: the register's summary bit in the Status Byte. */
  get summary(): boolean {
    return (this.#event & this.enable) !== 0;
  }

  clearEvents(): void {
    this.#event = 0;
  }

  /** `:STATus:PRESet`: enable nothing, filters back to their power-on values. */
  preset(): void {
    this.enable = 0;
    this.positiveTransition = ALL_BITS;
    this.negativeTransition = 0;
  }
}

/**
 * Operation status bits the meter drives, as Thorlabs' VISA driver header
 * names them (TLPM.h / PM100D.h, "OPERATION STATUS REGISTER bit
 * definitions"): 0x0010 measuring, 0x0080 performing a correction (the
 * dark zero; "zeroing flag bit 7", PM100D2 SCPI reference), 0x0100 sensor
 * connected, 0x0200 measurement data ready for fetch.
 */
export const OPERATION = {
  MEASURING: 0x0010,
  CORRECTING: 0x0080,
  SENSOR_CONNECTED: 0x0100,
  DATA_READY: 0x0200,
} as const;

/** Questionable status bit (TLPM.h: 0x0008 "questionable power measurement"), set by an overflowed reading. */
export const QUESTIONABLE = { POWER: 0x0008 } as const;
