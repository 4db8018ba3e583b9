/**
 * Status reporting (IEEE 488.2 §11, SCPI-99 Vol. 1 §9): event registers that
 * latch conditions until read, enable masks that select what is summarised,
 * and the Status Byte that gathers the summaries.
 */
import { ESR } from "./errors.js";

/** A SCPI status register: condition, latched event, enable mask (positive-transition filter only). */
export class EventRegister {
  #condition = 0;
  #event = 0;
  enable = 0;

  get condition(): number {
    return this.#condition;
  }

  /** Sets or clears condition bits; a bit going from 0 to 1 latches in the event register. */
  setCondition(bits: number, on: boolean): void {
    const next = on ? this.#condition | bits : this.#condition & ~bits;
    this.#event |= next & ~this.#condition;
    this.#condition = next;
  }

  /** Latches an event that has no lasting condition (a reading taken, a buffer filled). */
  latch(bits: number): void {
    this.#event |= bits;
  }

  /** Reads and clears the event register (the `[:EVENt]?` query). */
  read(): number {
    const value = this.#event;
    this.#event = 0;
    return value;
  }

  get event(): number {
    return this.#event;
  }

  /** True when an enabled event is latched: this register's summary bit in the Status Byte. */
  get summary(): boolean {
    return (this.#event & this.enable) !== 0;
  }

  clearEvents(): void {
    this.#event = 0;
  }
}

/** Status Byte bits (IEEE 488.2 §11.2; SCPI-99 Vol. 1 §9.1 for EAV, QSB, OSB). */
export const STB = {
  /** Error/event queue not empty. */
  EAV: 1 << 2,
  /** Questionable summary. */
  QSB: 1 << 3,
  /** Message available. */
  MAV: 1 << 4,
  /** Standard event summary. */
  ESB: 1 << 5,
  /** Master summary status / RQS. */
  MSS: 1 << 6,
  /** Operation summary. */
  OSB: 1 << 7,
} as const;

/** The Standard Event Status Register with its enable, and the Service Request Enable mask. */
export class StandardStatus {
  /** PON is set at power-on (IEEE 488.2 §11.5.1.1.2). */
  readonly events = new EventRegister();
  serviceRequestEnable = 0;

  constructor() {
    this.events.latch(ESR.PON);
  }

  /**
   * The Status Byte: `deviceBits` are the instrument's summaries (bits 0, 1,
   * 3, 7); MSS is set when any other enabled bit is (IEEE 488.2 §11.2.2.2).
   */
  statusByte(deviceBits: number, errorQueueNotEmpty: boolean, messageAvailable: boolean): number {
    let stb = deviceBits & ~(STB.MSS | STB.ESB | STB.MAV | STB.EAV);
    if (errorQueueNotEmpty) stb |= STB.EAV;
    if (messageAvailable) stb |= STB.MAV;
    if (this.events.summary) stb |= STB.ESB;
    if ((stb & this.serviceRequestEnable & ~STB.MSS) !== 0) stb |= STB.MSS;
    return stb;
  }
}
