/**
 * How virtual instruments reach the simulated chip (DESIGN.md, "Virtual
 * instruments": instruments reach the chip through ports). An instrument
 * never owns a device: it drives a port and reads it, and the chip
 * behind the port advances itself to the bench clock's now at every such
 * interaction, with each port's drive held since it was last set
 * (zero-order hold), so a device biased between commands evolves as a
 * real one does.
 */

/**
 * What an ideal source-measure channel does to the two terminals of an
 * electrical port:
 * - "voltage": sources `level` V; its current is limited to ±`limit` A
 *   (compliance): past it the channel becomes a current source at the limit;
 * - "current": sources `level` A; its voltage is limited to ±`limit` V;
 * - "open": nothing connected (the output relay open); no current flows.
 * `limit` may be Infinity (no compliance).
 */
export interface PortDrive {
  readonly mode: "open" | "voltage" | "current";
  readonly level: number;
  readonly limit: number;
}

export const OPEN_DRIVE: PortDrive = Object.freeze({
  mode: "open",
  level: 0,
  limit: Number.POSITIVE_INFINITY,
});

/** The operating point of an electrical port. */
export interface PortReading {
  /** Voltage across the port's terminals, V. */
  readonly voltage: number;
  /** Current into the port's first terminal, A. */
  readonly current: number;
  /** The drive's compliance limits it: the channel sources the limit, not its level. */
  readonly limited: boolean;
}

export interface ElectricalPort {
  /** The port's name on its chip ("memristor", "heater", ...). */
  readonly name: string;
  /**
   * Drives the port so from time `at` on (s on the bench clock, default
   * now; a time already past means now), held until the next drive. An
   * instrument whose command takes effect after its latency sets the
   * drive for then, without waiting; a drive for a later time replaces
   * what was set for a time after it.
   */
  drive(drive: PortDrive, at?: number): void;
  /** The port's operating point at the clock's now, under its present drive. */
  read(): PortReading;
}

/** Checks a drive before it reaches a chip: a known mode, a finite level, a positive limit. */
export function checkDrive(port: string, drive: PortDrive): void {
  if (drive.mode !== "open" && drive.mode !== "voltage" && drive.mode !== "current") {
    throw new RangeError(`port "${port}": unknown drive mode "${String(drive.mode)}"`);
  }
  if (!Number.isFinite(drive.level)) {
    throw new RangeError(`port "${port}": drive level ${drive.level} is not finite`);
  }
  if (!(drive.limit > 0)) {
    throw new RangeError(`port "${port}": compliance ${drive.limit} is not positive`);
  }
}

/**
 * The operating point of a drive across a resistance R (Ω, > 0) at rest
 * (no source inside): the channel's level, unless it would pass its
 * compliance, in which case the limit, with the sign of what the level asks.
 */
export function operatingPoint(drive: PortDrive, resistance: number): PortReading {
  switch (drive.mode) {
    case "open":
      return { voltage: 0, current: 0, limited: false };
    case "voltage": {
      const current = drive.level / resistance;
      if (Math.abs(current) <= drive.limit) return { voltage: drive.level, current, limited: false };
      const limitedCurrent = Math.sign(current) * drive.limit;
      return { voltage: limitedCurrent * resistance, current: limitedCurrent, limited: true };
    }
    case "current": {
      const voltage = drive.level * resistance;
      if (Math.abs(voltage) <= drive.limit) return { voltage, current: drive.level, limited: false };
      const limitedVoltage = Math.sign(voltage) * drive.limit;
      return { voltage: limitedVoltage, current: limitedVoltage / resistance, limited: true };
    }
  }
}
