/**
 * The TSL-570 behind its command table: its settings, and the light it
 * emits as a function of time on the bench clock.
 *
 * Every command acts at its line's time (the timeline's cursor, the
 * command latency after it arrived) and never holds the line: a tune or a
 * sweep runs on after the reply, and `*OPC?` answers 0 until it has
 * ended (INSTRUMENTS.md: "`*OPC?` does not block"). The laser's optical
 * state — output on or off, the power it emits, what its wavelength is
 * doing (./motion.ts) and the repeatability error of its last tune — is
 * kept as a history of states, each from the time a command set it, so
 * that `lightAt(t)` is the light at t whichever instrument asks and
 * whenever: a power meter whose reading falls between a command's arrival
 * and its effect still sees the light from before.
 */
import type { LightDrive } from "../chip/optical.js";
import type { InstrumentTimeline } from "../clock/timeline.js";
import { ScpiError } from "../scpi/errors.js";
import type { LightNoise } from "./light-noise.js";
import { busyAt, type Motion, positionOf, setpointOf } from "./motion.js";
import { dbmToWatts, PEAK_POWER_DBM } from "./ranges.js";
import { type CommandSet, powerOnSettings, type Tsl570Settings } from "./settings.js";
import { type SweepPhase, SweepProgram, type SweepRun, startRun, sweepPhase, TriggerLog } from "./sweep.js";

/** The light-related state from a time on. */
interface OpticalState {
  /** s on the bench clock. */
  readonly from: number;
  /** Light leaves the laser (`:POWer:STATe 1`, `:POWer:SHUTter 0`: one state on the 570). */
  readonly outputEnabled: boolean;
  /** Power emitted while enabled, W. */
  readonly power: number;
  readonly motion: Motion;
  /** Repeatability error of the last tune or sweep start, m. */
  readonly offset: number;
}

export interface Tsl570CoreOptions {
  readonly timeline: InstrumentTimeline;
  readonly commandSet: CommandSet;
  /** Wavelength at power-on, m. */
  readonly wavelength: number;
  readonly noise: LightNoise | undefined;
}

/**
 * How long a state is kept once the next has begun, s: `lightAt` answers
 * exactly for times from this long before the clock's now on (a detector
 * reading a window that began earlier); before that, with the oldest
 * state kept.
 */
export const HISTORY_RETENTION = 1;

/** No sweep has run: stopped, none done. */
const NO_SWEEP: SweepPhase = { status: 0, position: Number.NaN, completed: 0 };

export class Tsl570Core {
  readonly settings: Tsl570Settings;
  readonly timeline: InstrumentTimeline;
  readonly #noise: LightNoise | undefined;
  /** Oldest first; states the clock passed more than HISTORY_RETENTION ago are dropped. */
  readonly #history: OpticalState[];
  /** The last sweep started, and its wavelength log. */
  #sweep: { run: SweepRun; log: TriggerLog } | undefined;

  constructor(options: Tsl570CoreOptions) {
    this.timeline = options.timeline;
    this.settings = powerOnSettings(options.commandSet);
    this.#noise = options.noise;
    this.#history = [
      {
        from: Number.NEGATIVE_INFINITY,
        outputEnabled: false,
        power: this.settings.powerSetpoint,
        motion: { kind: "hold", wavelength: options.wavelength },
        offset: 0,
      },
    ];
  }

  /** The present line's time, s. */
  get now(): number {
    return this.timeline.cursor;
  }

  /** The state set by the last command. */
  get latest(): OpticalState {
    return this.#history[this.#history.length - 1] as OpticalState;
  }

  /** The state in force at `t`. */
  stateAt(t: number): OpticalState {
    for (let i = this.#history.length - 1; i > 0; i--) {
      const state = this.#history[i] as OpticalState;
      if (state.from <= t) return state;
    }
    return this.#history[0] as OpticalState;
  }

  /** The light leaving the laser at `t`: power 0 while the output is off. */
  lightAt(t: number): LightDrive {
    const state = this.stateAt(t);
    const wavelength = positionOf(state.motion, t) + state.offset;
    if (!state.outputEnabled) return { wavelength, power: 0 };
    const deviation = this.#noise?.intensityAt(t) ?? 0;
    return { wavelength, power: Math.max(0, state.power * (1 + deviation)) };
  }

  /** `:WAVelength?` at time `t` (default the line's), m: the last command's setpoint, or where a sweep is. */
  wavelengthSetpoint(t = this.now): number {
    return setpointOf(this.latest.motion, t);
  }

  /** A tune or a sweep runs at time `t` (default the line's): `*OPC?` answers 0. */
  busy(t = this.now): boolean {
    return busyAt(this.latest.motion, t);
  }

  /** The last sweep's state at time `t` (default the line's). */
  sweepAt(t = this.now): SweepPhase {
    return this.#sweep ? sweepPhase(this.#sweep.run, t) : NO_SWEEP;
  }

  /** The last sweep's state at the line's time. */
  get sweep(): SweepPhase {
    return this.sweepAt();
  }

  /** A sweep is under way (preparing, standing by or running) at the line's time. */
  get sweeping(): boolean {
    return this.sweep.status !== 0;
  }

  /** Refuses a change that a running sweep forbids (-200 "Execution error"). */
  checkIdle(): void {
    if (this.sweeping) throw new ScpiError(-200);
  }

  /** The power leaving the laser while enabled, W: the setpoint (auto), or the peak less the attenuator (manual). */
  get outputPower(): number {
    const { attenuationAuto, powerSetpoint, attenuation } = this.settings;
    return attenuationAuto ? powerSetpoint : dbmToWatts(PEAK_POWER_DBM - attenuation);
  }

  /** Moves to `wavelength` (m): a tune from wherever the wavelength is now. */
  tuneTo(wavelength: number): void {
    this.checkIdle();
    const from = positionOf(this.latest.motion, this.now);
    this.#push({
      motion: { kind: "tune", from, to: wavelength, at: this.now },
      offset: this.#noise?.tuneError() ?? 0,
    });
  }

  setOutput(enabled: boolean): void {
    this.#push({ outputEnabled: enabled });
  }

  /** The power settings changed: the light follows from now on. */
  powerChanged(): void {
    this.#push({ power: this.outputPower });
  }

  /**
   * `:WAVelength:SWEep 1` (one cycle) or `:WAVelength:SWEep:REPeat`
   * (`:CYCLes` of them, 0 until stopped) with the present settings; -200
   * while a sweep runs or when start and stop are the same.
   */
  startSweep(repeat: boolean): void {
    this.checkIdle();
    const { sweep, trigger } = this.settings;
    if (sweep.start === sweep.stop) throw new ScpiError(-200);
    const program = new SweepProgram({
      start: sweep.start,
      stop: sweep.stop,
      stepped: sweep.mode % 2 === 0,
      twoWay: sweep.mode >= 2,
      step: sweep.step,
      speed: sweep.speed,
      dwell: sweep.dwell,
      delay: sweep.delay,
      cycles: !repeat ? 1 : sweep.cycles === 0 ? Number.POSITIVE_INFINITY : sweep.cycles,
      triggerOutput: trigger.output,
      triggerStep: trigger.step,
    });
    const run = startRun(program, this.now, positionOf(this.latest.motion, this.now), trigger.inputStandby);
    const offset = this.#noise?.tuneError() ?? 0;
    this.#sweep = { run, log: new TriggerLog(run, offset) };
    this.#push({ motion: { kind: "sweep", run }, offset });
  }

  /** `:WAVelength:SWEep 0` and `*RST`: the sweep stops where it is; its log keeps what it logged. */
  stopSweep(): void {
    const current = this.#sweep;
    if (current === undefined || !this.sweeping) return;
    const run = { ...current.run, stoppedAt: this.now };
    current.log.stopped(run);
    this.#sweep = { run, log: current.log };
    this.#push({ motion: { kind: "hold", wavelength: positionOf(this.latest.motion, this.now) } });
  }

  /** A soft trigger (`:TRIGger:INPut:SOFTtrigger`): a sweep standing by starts now; otherwise nothing. */
  softTrigger(): void {
    const current = this.#sweep;
    if (current === undefined || this.sweep.status !== 3) return;
    const run = { ...current.run, runFrom: this.now };
    this.#sweep = { run, log: new TriggerLog(run, current.log.offset) };
    this.#push({ motion: { kind: "sweep", run } });
  }

  /** The last sweep's log up to the line's time (`:READout:DATa?`), wavelengths in m. */
  logged(): readonly number[] {
    return this.loggedAt(this.now).wavelengths;
  }

  /** The last sweep's log up to time `t`: each trigger's time (s) and wavelength (m). */
  loggedAt(t: number): { readonly times: readonly number[]; readonly wavelengths: readonly number[] } {
    const log = this.#sweep?.log;
    if (log === undefined) return { times: [], wavelengths: [] };
    log.collect(t);
    return log;
  }

  /** A new state from the line's time on; states the clock passed long ago go. */
  #push(change: Partial<Omit<OpticalState, "from">>): void {
    const history = this.#history;
    history.push({ ...this.latest, ...change, from: this.now });
    const horizon = this.timeline.clock.now() - HISTORY_RETENTION;
    while (history.length > 1 && (history[1] as OpticalState).from <= horizon) history.shift();
  }
}
