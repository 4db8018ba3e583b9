/**
 * SCPI error/event numbers and texts, and which Standard Event Status bit
 * each class sets.
 *
 * The negative numbers and their texts are SCPI-99 Vol. 2 §21.8 (the same
 * table appears in Appendix B, Table B-1 of the Keithley 2400 Series
 * SourceMeter User's Manual); positive numbers are left to each instrument,
 * which passes its own table to the engine.
 */

/** Bits of the IEEE 488.2 Standard Event Status Register (§11.5.1). */
export const ESR = {
  /** Operation complete (*OPC). */
  OPC: 1 << 0,
  /** Request control (unused over sockets). */
  RQC: 1 << 1,
  /** Query error: -400…-499. */
  QYE: 1 << 2,
  /** Device-dependent error: -300…-399 and most positive instrument errors. */
  DDE: 1 << 3,
  /** Execution error: -200…-299. */
  EXE: 1 << 4,
  /** Command error: -100…-199. */
  CME: 1 << 5,
  /** User request (front-panel key). */
  URQ: 1 << 6,
  /** Power on since the register was last read. */
  PON: 1 << 7,
} as const;

/** The SCPI-defined errors this engine can queue (SCPI-99 Vol. 2 §21.8.3–21.8.11). */
export const SCPI_ERROR_TEXTS: Readonly<Record<number, string>> = {
  0: "No error",
  [-100]: "Command error",
  [-101]: "Invalid character",
  [-102]: "Syntax error",
  [-103]: "Invalid separator",
  [-104]: "Data type error",
  [-105]: "GET not allowed",
  [-108]: "Parameter not allowed",
  [-109]: "Missing parameter",
  [-110]: "Command header error",
  [-111]: "Header separator error",
  [-112]: "Program mnemonic too long",
  [-113]: "Undefined header",
  [-114]: "Header suffix out of range",
  [-120]: "Numeric data error",
  [-121]: "Invalid character in number",
  [-123]: "Exponent too large",
  [-124]: "Too many digits",
  [-128]: "Numeric data not allowed",
  [-130]: "Suffix error",
  [-131]: "Invalid suffix",
  [-134]: "Suffix too long",
  [-138]: "Suffix not allowed",
  [-140]: "Character data error",
  [-141]: "Invalid character data",
  [-144]: "Character data too long",
  [-148]: "Character data not allowed",
  [-150]: "String data error",
  [-151]: "Invalid string data",
  [-158]: "String data not allowed",
  [-160]: "Block data error",
  [-161]: "Invalid block data",
  [-168]: "Block data not allowed",
  [-170]: "Expression error",
  [-171]: "Invalid expression",
  [-178]: "Expression data not allowed",
  [-200]: "Execution error",
  [-210]: "Trigger error",
  [-211]: "Trigger ignored",
  [-212]: "Arm ignored",
  [-213]: "Init ignored",
  [-214]: "Trigger deadlock",
  [-215]: "Arm deadlock",
  [-220]: "Parameter error",
  [-221]: "Settings conflict",
  [-222]: "Data out of range",
  [-223]: "Too much data",
  [-224]: "Illegal parameter value",
  [-225]: "Out of memory",
  [-226]: "Lists not same length",
  [-230]: "Data corrupt or stale",
  [-241]: "Hardware missing",
  [-300]: "Device-specific error",
  [-310]: "System error",
  [-311]: "Memory error",
  [-315]: "Configuration memory lost",
  [-330]: "Self-test failed",
  [-350]: "Queue overflow",
  [-360]: "Communication error",
  [-362]: "Framing error in program message",
  [-363]: "Input buffer overrun",
  [-400]: "Query error",
  [-410]: "Query INTERRUPTED",
  [-420]: "Query UNTERMINATED",
  [-430]: "Query DEADLOCKED",
  [-440]: "Query UNTERMINATED after indefinite response",
};

/** An instrument's own (positive) error: its text and the Standard Event bit it sets. */
export interface DeviceErrorInfo {
  readonly text: string;
  readonly esrBit: number;
}

/**
 * The Standard Event bit an error sets: the SCPI class for negative numbers
 * (SCPI-99 Vol. 2 §21.8.1), the instrument's table for positive ones (DDE
 * when the table does not say).
 */
export function esrBitFor(
  code: number,
  deviceErrors: Readonly<Record<number, DeviceErrorInfo>> = {},
): number {
  if (code <= -100 && code > -200) return ESR.CME;
  if (code <= -200 && code > -300) return ESR.EXE;
  if (code <= -300 && code > -400) return ESR.DDE;
  if (code <= -400 && code > -500) return ESR.QYE;
  if (code > 0) return deviceErrors[code]?.esrBit ?? ESR.DDE;
  return 0;
}

/**
 * Thrown by the parser or a command handler to fail one program message
 * unit; the engine queues it. `text` defaults to the standard text.
 */
export class ScpiError extends Error {
  constructor(
    readonly code: number,
    readonly text?: string,
  ) {
    super(`${code},"${text ?? SCPI_ERROR_TEXTS[code] ?? "Unknown error"}"`);
    this.name = "ScpiError";
  }
}
