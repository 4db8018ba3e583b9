/**
 * A progress display for long runs (a spectrum sweep, a heater series, a
 * pulse train): on a terminal, one redrawn bar (cli-progress) with the
 * rate and the time left; elsewhere (CI logs, a file, a pipe), a plain line
 * now and then: at each further tenth of the run, or after `heartbeatMs`
 * without one while work goes on; never one per update. `finish` and
 * `fail` end it with a one-line summary in both cases.
 *
 * The rate is the average since the start (done/elapsed): a plan's steps
 * take about equally long, and an average does not jump about like an
 * instantaneous rate. Time left = (total − done)/rate.
 */
import { SingleBar } from "cli-progress";

export interface ProgressOptions {
  /** How many units the run has (> 0). */
  readonly total: number;
  /** What is running ("sweeping 1540–1560 nm"). */
  readonly label: string;
  /** Where to write (default process.stderr). A bar only where `isTTY` is true and TERM is not "dumb". */
  readonly stream?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** What is counted, plural (default "steps"). */
  readonly unit?: string;
  /** Without a terminal, the longest silence while updates come in, ms (default 30 000). */
  readonly heartbeatMs?: number;
  /** The clock, ms (default performance.now); tests give a fake one. */
  readonly now?: () => number;
}

export interface Progress {
  /** `done` units are complete (0 to total); `extra` is shown after the numbers ("1550.120 nm"). */
  update(done: number, extra?: string): void;
  /** The run completed: the last state and a summary line (total time, mean rate). */
  finish(extra?: string): void;
  /** The run stopped early: a line that says where and why. */
  fail(reason?: string): void;
}

export function createProgress(options: ProgressOptions): Progress {
  const { total, label } = options;
  if (!(total > 0 && Number.isFinite(total)))
    throw new RangeError(`createProgress: total must be > 0, got ${total}`);
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? "steps";
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let done = 0;
  let ended = false;

  const elapsed = () => (now() - started) / 1000;
  const rate = () => (elapsed() > 0 ? done / elapsed() : 0);
  const left = () => (done >= total ? "0 s" : rate() > 0 ? duration((total - done) / rate()) : "?");
  const counts = () => `${done}/${total} ${unit}`;
  const write = (line: string) => stream.write(`${line}\n`);
  const check = (value: number) => {
    if (!(value >= 0 && Number.isFinite(value)))
      throw new RangeError(`progress: done must be ≥ 0, got ${value}`);
    return Math.min(value, total);
  };

  const bar =
    stream.isTTY === true && process.env.TERM !== "dumb"
      ? terminalBar(stream, label, total, unit)
      : undefined;
  let lastLine = started;
  let lastTenth = 0;
  if (!bar) write(`${label}: ${total} ${unit} to go`);

  const show = (extra: string | undefined) => {
    const tail = extra ? `, ${extra}` : "";
    if (bar) {
      bar.update(done, { rate: formatRate(rate(), unit), left: left(), extra: extra ? ` | ${extra}` : "" });
      return;
    }
    const tenth = Math.floor((10 * done) / total);
    if ((tenth > lastTenth && done < total) || now() - lastLine >= heartbeatMs) {
      write(
        `${label}: ${counts()} (${Math.floor((100 * done) / total)} %), ${formatRate(rate(), unit)}, ${left()} left${tail}`,
      );
      lastLine = now();
      lastTenth = Math.max(lastTenth, tenth);
    }
  };

  return {
    update(value, extra) {
      if (ended) return;
      done = check(value);
      show(extra);
    },
    finish(extra) {
      if (ended) return;
      done = total;
      if (bar) {
        show(extra);
        bar.stop();
      }
      ended = true;
      write(
        `${label}: done, ${counts()} in ${duration(elapsed())} (${formatRate(rate(), unit)})${extra ? `, ${extra}` : ""}`,
      );
    },
    fail(reason) {
      if (ended) return;
      bar?.stop();
      ended = true;
      write(`${label}: failed at ${counts()} after ${duration(elapsed())}${reason ? `: ${reason}` : ""}`);
    },
  };
}

/** cli-progress's single bar, our numbers in its payload; no signal handlers of its own (the CLI owns SIGINT). */
function terminalBar(stream: NodeJS.WritableStream, label: string, total: number, unit: string): SingleBar {
  const bar = new SingleBar({
    stream,
    format: `${label.replace(/[{}]/g, "")} |{bar}| {percentage}% {value}/{total} ${unit} | {rate} | {left} left{extra}`,
    barsize: 30,
    hideCursor: false,
    gracefulExit: false,
  });
  bar.start(total, 0, { rate: "–", left: "?", extra: "" });
  return bar;
}

/** "12.3 points/s", or per minute or hour when slower than one a second. */
function formatRate(perSecond: number, unit: string): string {
  if (!(perSecond > 0)) return `– ${unit}/s`;
  const [value, per] =
    perSecond >= 1
      ? [perSecond, "s"]
      : perSecond * 60 >= 1
        ? [perSecond * 60, "min"]
        : [perSecond * 3600, "h"];
  return `${Number.parseFloat(value.toPrecision(3))} ${unit}/${per}`;
}

/** "42 s", "3 min 05 s", "2 h 07 min". */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}
