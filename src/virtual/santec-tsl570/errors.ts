/**
 * The TSL-570's error queue speaks only the ten codes its command
 * reference lists (Santec's python-samples, tsl_instrument.py
 * `CommandError`; QMI's tsl_570.py `ERRORS_TABLE`, whose `_check_error`
 * looks every code it reads up in that table and fails on any other).
 * The shared SCPI engine queues the finer SCPI-99 codes (-104 "Data type
 * error", -114, -224, …); this engine folds them into the laser's as
 * they are queued, so `:SYSTem:ERRor?` answers `-113,"Undefined header"`
 * or `-222,"Data out of range"` as the laser would. Codes of the
 * framework's own troubles (-300 a bug, -350 queue overflow, -363 input
 * overrun) are not the laser's vocabulary and are kept as they are.
 */
import { ScpiEngine } from "../scpi/engine.js";

/** The laser's error codes and texts. */
export const TSL570_ERRORS: Readonly<Record<number, string>> = {
  0: "No error",
  [-102]: "Syntax error",
  [-103]: "Invalid separator",
  [-108]: "Parameter not allowed",
  [-109]: "Missing parameter",
  [-113]: "Undefined header",
  [-148]: "Character data not allowed",
  [-200]: "Execution error",
  [-222]: "Data out of range",
  [-410]: "Query INTERRUPTED",
};

/** The laser's code for a SCPI-99 code (see the file's comment). */
export function laserErrorCode(code: number): number {
  if (TSL570_ERRORS[code] !== undefined) return code;
  if (code === -114) return -113;
  if (code === -104 || code === -141 || code === -144 || code === -224) return -148;
  if (code === -220) return -222;
  if (code <= -100 && code > -200) return -102;
  if (code <= -200 && code > -300) return -200;
  return code;
}

/** The SCPI engine with the laser's error vocabulary. */
export class Tsl570Engine<Ctx> extends ScpiEngine<Ctx> {
  override pushError(code: number, text?: string): void {
    const folded = laserErrorCode(code);
    super.pushError(folded, folded === code ? text : TSL570_ERRORS[folded]);
  }
}
