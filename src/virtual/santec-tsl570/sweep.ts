/**
 * A TSL-570 sweep as a function of time (pure): where the wavelength is,
 * what `:WAVelength:SWEep?` reports, how many cycles are done and when the
 * trigger output fires. The laser answers commands while it sweeps, so the
 * sweep cannot run inside the line that starts it as the 2450's trigger
 * model does (../keithley2450/core.ts); it is worked out from its start
 * time instead, and whatever asks (a query at its line's time, `lightAt`
 * at a detector's) gets the sweep's state at that moment.
 *
 * The sequence, after Santec's command reference as quoted in its
 * python-samples (tsl_instrument.py) and QMI's and PyMeasure's drivers:
 *
 * ```
 * :WAV:SWE 1 ─┬─ preparation (4): tune to start ─┬─ [standby (3): wait for a soft trigger]
 *             └──────────────────────────────────┴─ running (1): cycle ─ between ─ cycle … ─ stopped (0)
 * cycle   one-way: start → stop             two-way: start → stop → start
 * between one-way: return to start, delay   two-way: delay
 * ```
 *
 * Continuous modes move at the set speed. Stepped modes dwell at each step
 * and move to the next at the set speed (the dwell "does not include time
 * for wavelength tuning", Santec's docstring); a last step shorter than
 * the others ends on the stop wavelength. A single sweep (`:WAV:SWE 1`,
 * "executes a single scan") runs one cycle; `:WAV:SWE:REPeat` runs
 * `:WAV:SWE:CYCLes` of them.
 *
 * Triggers (`:TRIGger:OUTPut`): 1 at the end of each cycle, 2 at its
 * start, 3 at each step: in stepped modes as each step is reached, in
 * continuous modes every trigger step of wavelength from the start, on the
 * way back too in two-way modes (the turning point once).
 */
import { MAX_LOGGED_POINTS, TUNING_SPEED, tuningTime } from "./ranges.js";
import type { TriggerTimingCode } from "./settings.js";

/** What a sweep does, fixed when it starts. SI units. */
export interface SweepPlan {
  readonly start: number;
  readonly stop: number;
  readonly stepped: boolean;
  readonly twoWay: boolean;
  /** Stepped modes: step, m. */
  readonly step: number;
  /** m/s. */
  readonly speed: number;
  readonly dwell: number;
  readonly delay: number;
  /** Cycles to run; Infinity until stopped. */
  readonly cycles: number;
  readonly triggerOutput: TriggerTimingCode;
  /** Trigger period in wavelength, m (continuous modes with trigger output 3). */
  readonly triggerStep: number;
}

/** `:WAVelength:SWEep?`: 0 stopped, 1 running, 3 standing by trigger, 4 preparation for sweep start. */
export type SweepStatusCode = 0 | 1 | 3 | 4;

export interface SweepPhase {
  readonly status: SweepStatusCode;
  /** Nominal wavelength, m (without the laser's repeatability error). */
  readonly position: number;
  /** Cycles whose sweep has ended (`:WAVelength:SWEep:COUNt?`). */
  readonly completed: number;
}

/** One firing of the trigger output. */
export interface Trigger {
  /** s on the bench clock. */
  readonly time: number;
  /** Nominal wavelength, m. */
  readonly wavelength: number;
}

/** Floating-point slack when counting steps of a span, relative. */
const EPSILON = 1e-9;

/**
 * One monotonic move of a sweep: from `origin` through points q₁ … qₙ
 * (qₙ its end), stopping `dwell` at each, moving at `speed` in between;
 * `dwellAtOrigin` adds a dwell at q₀ before the first move. A continuous
 * move is one point and no dwell.
 */
class Pass {
  readonly direction: number;
  readonly duration: number;

  constructor(
    readonly origin: number,
    readonly count: number,
    readonly point: (m: number) => number,
    readonly speed: number,
    readonly dwell: number,
    readonly dwellAtOrigin: boolean,
  ) {
    this.direction = Math.sign(point(count) - origin);
    this.duration = this.arrival(count) + dwell;
  }

  /** When point m is reached, s from the pass's start. */
  arrival(m: number): number {
    if (m === 0) return 0;
    return (
      Math.abs(this.point(m) - this.origin) / this.speed + (m - 1 + (this.dwellAtOrigin ? 1 : 0)) * this.dwell
    );
  }

  position(u: number): number {
    if (u >= this.duration) return this.point(this.count);
    // The last point reached by u: arrival times grow with m.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.arrival(mid) <= u) lo = mid;
      else hi = mid - 1;
    }
    const here = this.point(lo);
    const dwell = lo > 0 || this.dwellAtOrigin ? this.dwell : 0;
    const moving = u - this.arrival(lo) - dwell;
    if (moving <= 0) return here;
    const moved = here + this.direction * this.speed * moving;
    const next = this.point(lo + 1);
    return this.direction > 0 ? Math.min(moved, next) : Math.max(moved, next);
  }
}

/** Where a move that started at `at` from `from` towards `to` is at `t` (outside sweeps: at TUNING_SPEED). */
export function tunePosition(from: number, to: number, at: number, t: number): number {
  const travelled = Math.max(0, t - at) * TUNING_SPEED;
  const distance = Math.abs(to - from);
  return travelled >= distance ? to : from + Math.sign(to - from) * travelled;
}

/** A plan worked out once: its passes, and the durations of a cycle and of what comes between two. */
export class SweepProgram {
  readonly plan: SweepPlan;
  readonly passes: readonly Pass[];
  /** Duration of one cycle's sweep, s. */
  readonly cycleDuration: number;
  /** From the end of one cycle's sweep to the start of the next, s. */
  readonly between: number;
  /** Where a cycle ends, m. */
  readonly end: number;
  readonly #span: number;
  /** Stepped modes: points after the start in one direction. */
  readonly #steps: number;

  constructor(plan: SweepPlan) {
    if (plan.start === plan.stop) throw new RangeError("a sweep needs a start and a stop that differ");
    this.plan = plan;
    const { start, stop, stepped, speed, dwell } = plan;
    const direction = Math.sign(stop - start);
    this.#span = Math.abs(stop - start);
    this.#steps = stepped ? Math.max(1, Math.ceil(this.#span / plan.step - EPSILON)) : 1;
    const steps = this.#steps;
    const forwardPoint = stepped
      ? (m: number) => (m < steps ? start + direction * m * plan.step : stop)
      : (m: number) => (m === 0 ? start : stop);
    const forward = new Pass(start, steps, forwardPoint, speed, stepped ? dwell : 0, stepped);
    this.passes = plan.twoWay
      ? [forward, new Pass(stop, steps, (m) => forwardPoint(steps - m), speed, stepped ? dwell : 0, false)]
      : [forward];
    this.cycleDuration = this.passes.reduce((sum, pass) => sum + pass.duration, 0);
    this.between = (plan.twoWay ? 0 : tuningTime(this.#span)) + plan.delay;
    this.end = plan.twoWay ? start : stop;
  }

  /** Nominal wavelength `w` seconds into a cycle. */
  positionInCycle(w: number): number {
    let u = w;
    for (const pass of this.passes) {
      if (u < pass.duration) return pass.position(u);
      u -= pass.duration;
    }
    return this.end;
  }

  /** Nominal wavelength `x` seconds after a cycle's sweep ended, before the next starts. */
  positionBetween(x: number): number {
    return this.plan.twoWay ? this.plan.start : tunePosition(this.plan.stop, this.plan.start, 0, x);
  }

  /** The triggers of one cycle that starts at `t0`, in time order. */
  *cycleTriggers(t0: number): Generator<Trigger> {
    const { plan } = this;
    if (plan.triggerOutput === 2) yield { time: t0, wavelength: plan.start };
    if (plan.triggerOutput === 3) yield* plan.stepped ? this.#stepTriggers(t0) : this.#gridTriggers(t0);
    if (plan.triggerOutput === 1) yield { time: t0 + this.cycleDuration, wavelength: this.end };
  }

  /** Stepped modes: each step as it is reached (the turning point of a two-way sweep once). */
  *#stepTriggers(t0: number): Generator<Trigger> {
    let offset = t0;
    for (const pass of this.passes) {
      for (let m = pass.dwellAtOrigin ? 0 : 1; m <= pass.count; m++) {
        yield { time: offset + pass.arrival(m), wavelength: pass.point(m) };
      }
      offset += pass.duration;
    }
  }

  /** Continuous modes: every trigger step from the start, there and (two-way) back. */
  *#gridTriggers(t0: number): Generator<Trigger> {
    const { start, stop, speed, triggerStep } = this.plan;
    const direction = Math.sign(stop - start);
    const last = Math.floor(this.#span / triggerStep + EPSILON);
    const at = (k: number) => start + direction * k * triggerStep;
    for (let k = 0; k <= last; k++) yield { time: t0 + (k * triggerStep) / speed, wavelength: at(k) };
    if (!this.plan.twoWay) return;
    const back = t0 + this.#span / speed;
    const turning = Math.abs(this.#span - last * triggerStep) <= EPSILON * this.#span;
    for (let k = turning ? last - 1 : last; k >= 0; k--) {
      yield { time: back + Math.abs(stop - at(k)) / speed, wavelength: at(k) };
    }
  }
}

/**
 * A sweep started at `commandedAt` from wavelength `from`. Immutable: a
 * soft trigger or a stop makes a new run (the laser's optical history
 * keeps the old one for the times before).
 */
export interface SweepRun {
  readonly program: SweepProgram;
  readonly commandedAt: number;
  /** Nominal wavelength when it was started, m. */
  readonly from: number;
  /** End of the preparation (the move to the start), s. */
  readonly prepared: number;
  /** Start of the first cycle, s; undefined while it stands by for a trigger. */
  readonly runFrom: number | undefined;
  /** When `:WAVelength:SWEep 0` (or `*RST`) stopped it, s. */
  readonly stoppedAt?: number;
}

export function startRun(program: SweepProgram, at: number, from: number, standby: boolean): SweepRun {
  const prepared = at + tuningTime(program.plan.start - from);
  return { program, commandedAt: at, from, prepared, runFrom: standby ? undefined : prepared };
}

/** The sweep's state at `t` (≥ its start). */
export function sweepPhase(run: SweepRun, t: number): SweepPhase {
  if (run.stoppedAt !== undefined && t >= run.stoppedAt) {
    return { ...phaseOf(run, run.stoppedAt), status: 0 };
  }
  return phaseOf(run, t);
}

function phaseOf(run: SweepRun, t: number): SweepPhase {
  const { program } = run;
  const { start } = program.plan;
  if (t < run.prepared)
    return { status: 4, position: tunePosition(run.from, start, run.commandedAt, t), completed: 0 };
  if (run.runFrom === undefined || t < run.runFrom) return { status: 3, position: start, completed: 0 };
  const { cycles } = program.plan;
  const period = program.cycleDuration + program.between;
  const u = t - run.runFrom;
  const cycle = Math.floor(u / period);
  const done: SweepPhase = { status: 0, position: program.end, completed: cycles };
  if (cycle >= cycles) return done;
  const w = u - cycle * period;
  if (w < program.cycleDuration) return { status: 1, position: program.positionInCycle(w), completed: cycle };
  if (cycle === cycles - 1) return done;
  return { status: 1, position: program.positionBetween(w - program.cycleDuration), completed: cycle + 1 };
}

/** Every trigger of a run, in time order (endless for a repeat until stopped). */
function* runTriggers(run: SweepRun): Generator<Trigger> {
  const { runFrom, program } = run;
  if (runFrom === undefined || program.plan.triggerOutput === 0) return;
  const period = program.cycleDuration + program.between;
  for (let cycle = 0; cycle < program.plan.cycles; cycle++)
    yield* program.cycleTriggers(runFrom + cycle * period);
}

/**
 * The wavelength log of one run (`:READout:DATa?`): one entry per trigger
 * up to a time, at most MAX_LOGGED_POINTS, gathered as time goes on so that
 * polling `:READout:POINts?` costs only the triggers since the last poll.
 * A value is the wavelength the laser emitted at the trigger: the nominal
 * one plus the run's repeatability error (`offset`).
 */
export class TriggerLog {
  readonly times: number[] = [];
  /** m. */
  readonly wavelengths: number[] = [];
  readonly #source: Iterator<Trigger>;
  #next: Trigger | undefined;
  #run: SweepRun;

  constructor(
    run: SweepRun,
    readonly offset: number,
  ) {
    this.#run = run;
    this.#source = runTriggers(run);
    this.#next = this.#pull();
  }

  /** The run was stopped: no trigger after its stop is logged. */
  stopped(run: SweepRun): void {
    this.#run = run;
  }

  /** Logs the triggers up to time `t`. */
  collect(t: number): void {
    const limit = Math.min(t, this.#run.stoppedAt ?? Number.POSITIVE_INFINITY);
    for (let next = this.#next; next !== undefined && next.time <= limit; next = this.#next) {
      this.times.push(next.time);
      this.wavelengths.push(next.wavelength + this.offset);
      this.#next = this.times.length < MAX_LOGGED_POINTS ? this.#pull() : undefined;
    }
  }

  #pull(): Trigger | undefined {
    const result = this.#source.next();
    return result.done ? undefined : result.value;
  }
}
