/** Shared set-up of the virtual 2400 tests: an exact (noise-free) instrument on an ohmic DUT. */
import {
  ResistorDut,
  VirtualKeithley2400,
  type VirtualKeithley2400Options,
} from "../../src/virtual/index.js";

/** Records every hold the instrument applies, to check levels and timing. */
export class RecordingResistor extends ResistorDut {
  readonly holds: Array<{ voltage: number; dt: number }> = [];

  override applyVoltage(voltage: number, dt: number): number {
    this.holds.push({ voltage, dt });
    return super.applyVoltage(voltage, dt);
  }
}

/** Seconds per reading at the defaults: auto source delay 1 ms + 1 PLC at 60 Hz + 1 ms overhead. */
export const DEFAULT_READING_TIME = 0.001 + 1 / 60 + 0.001;

export function k2400(options: VirtualKeithley2400Options & { ohms?: number } = {}) {
  const dut = new RecordingResistor(options.ohms ?? 1000);
  const instrument = new VirtualKeithley2400({ dut, noise: false, ...options });
  /** Sends one program message; its reply, or undefined. */
  const send = (message: string): string | undefined => instrument.handleLine(message)[0];
  /** Reads and empties the error queue, codes only. */
  const errors = (): number[] => {
    const codes: number[] = [];
    for (;;) {
      const reply = send(":SYST:ERR?") ?? "";
      const code = Number(reply.split(",")[0]);
      if (code === 0) return codes;
      codes.push(code);
    }
  };
  /** :READ? (or another query) split into numbers, grouped by `width` elements. */
  const numbers = (query: string, width = 5): number[][] => {
    const values = (send(query) ?? "").split(",").map(Number);
    return Array.from({ length: values.length / width }, (_, i) => values.slice(i * width, (i + 1) * width));
  };
  return { instrument, dut, send, errors, numbers };
}
