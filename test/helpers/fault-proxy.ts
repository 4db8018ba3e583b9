/**
 * A fault-injecting TCP proxy for SCPI line protocols: it sits on the wire
 * between a driver and an instrument and drops, delays or corrupts chosen
 * replies, drops chosen commands, or cuts the link, so that a driver's error
 * handling is tested against what cables and instruments really do.
 *
 *   driver ──line──▶ proxy ──line──▶ instrument (real, or a virtual one on TCP)
 *          ◀─reply── faults ◀─reply──
 *
 * Unlike the virtual 2400's own faults (src/virtual/faults.ts, "the next
 * reply"), these work in front of any instrument that speaks lines over a
 * socket, and are aimed at a command by its text or by its place in the
 * conversation.
 *
 * Replies are paired with queries by order alone, which assumes what our
 * drivers do: one program message per line (never compounded with ";"),
 * and a line is a query if and only if it contains "?". IEEE 488.2's message
 * exchange then gives exactly one response line per query, in order. A "?"
 * inside a string argument would break the pairing; no driver sends one.
 */
import { connect, createServer, type Socket } from "node:net";
import { parseResource } from "../../src/drivers/transports/resource.js";

export type ReplyFault =
  /** The reply never reaches the client. */
  | { readonly kind: "drop" }
  /** Delivered `ms` after it came from the instrument; later replies queue behind it (order kept). */
  | { readonly kind: "delay"; readonly ms: number }
  /** The reply line is replaced by `text` (then the read terminator). */
  | { readonly kind: "corrupt"; readonly text: string }
  /** The first half of the reply (rounded up) is sent, without terminator. */
  | { readonly kind: "truncate" }
  /** Instead of delivering it, both sockets are destroyed. */
  | { readonly kind: "cut" };

export type CommandFault =
  /** The line is never forwarded to the instrument. */
  | { readonly kind: "drop" }
  /** The link is cut; the line is not forwarded. */
  | { readonly kind: "cut-before" }
  /** The line is forwarded, then the link is cut: the instrument acts on it, its reply never arrives. */
  | { readonly kind: "cut-after" };

/** A fault for one exchange (a command line and, for a query, its reply), as data a generator can draw. */
export type ExchangeFault =
  | { readonly on: "command"; readonly fault: CommandFault }
  | { readonly on: "reply"; readonly fault: ReplyFault };

/** A string is the exact line (terminator stripped). */
export type Match = string | RegExp | ((command: string) => boolean);

/** What went over the proxy; `link` numbers client connections from 1. */
export type ProxyEvent =
  | { readonly type: "command"; readonly link: number; readonly line: string }
  /** `query` is the line it answers; absent for a line nobody asked for. */
  | { readonly type: "reply"; readonly link: number; readonly line: string; readonly query?: string }
  /** `line` is the command line the fault was applied to (for a reply fault, its query). */
  | ({ readonly type: "fault"; readonly link: number; readonly line: string } & ExchangeFault);

export interface FaultProxyOptions {
  /** The instrument, or its "TCPIP::host::port::SOCKET" resource. */
  readonly upstream: { host: string; port: number } | string;
  /** What ends client lines (default "\n"; a CR before an LF terminator is stripped too). */
  readonly writeTerminator?: string;
  /** What ends instrument replies (default "\n"). */
  readonly readTerminator?: string;
}

export interface FaultProxy {
  /** "TCPIP::127.0.0.1::<port>::SOCKET", to give to the driver. */
  readonly resource: string;
  /** Every client line seen, in order, across connections. */
  readonly commands: readonly string[];
  readonly log: readonly ProxyEvent[];
  /**
   * Faults the reply to the nth (1-based) query matching `match`, counted
   * from now among the queries forwarded without a command fault.
   */
  faultReply(match: Match, fault: ReplyFault, nth?: number): void;
  /** Faults the nth (1-based) command line matching `match`, counted from now. */
  faultCommand(match: Match, fault: CommandFault, nth?: number): void;
  /**
   * Faults the exchange of the line that will be `commands[index]`, whatever
   * it says: for random schedules ("which exchange fails, and how"). A reply
   * fault on a line that turns out not to be a query, or is not forwarded,
   * is discarded when that line passes. One fault per index and side.
   */
  faultExchange(index: number, fault: ExchangeFault): void;
  /** Faults not yet applied: waiting for their line, or for the reply they are attached to. */
  readonly pending: number;
  /** Cuts every live link now. */
  cutAll(): void;
  /** Stops listening and destroys every socket; idempotent. */
  close(): Promise<void>;
}

type FaultOn<On extends ExchangeFault["on"]> = Extract<ExchangeFault, { on: On }>["fault"];

interface Rule {
  readonly fault: ExchangeFault;
  /** Set by faultExchange: the rule is tied to this line and goes when it passes. */
  readonly index?: number;
  readonly applies: (line: string, index: number) => boolean;
  /** Matching lines still to come; due at 0 (below 0 if a clash made it wait). */
  remaining: number;
}

interface Link {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  /** Queries forwarded and not yet answered, oldest first, with the fault due on each reply. */
  readonly awaiting: Array<{ readonly query: string; readonly fault: ReplyFault | undefined }>;
  /** Replies go out along this chain, so that a delayed one holds the later ones. */
  delivery: Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxyServer(options);
  await proxy.listen();
  return proxy;
}

class FaultProxyServer implements FaultProxy {
  resource = "";
  readonly commands: string[] = [];
  readonly log: ProxyEvent[] = [];
  readonly #upstream: { host: string; port: number };
  readonly #writeTerminator: string;
  readonly #readTerminator: string;
  readonly #rules: Rule[] = [];
  readonly #links = new Set<Link>();
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #server = createServer((client) => this.#accept(client));
  #closing: Promise<void> | undefined;
  #linksOpened = 0;

  constructor(options: FaultProxyOptions) {
    this.#upstream = typeof options.upstream === "string" ? tcpAddress(options.upstream) : options.upstream;
    this.#writeTerminator = options.writeTerminator ?? "\n";
    this.#readTerminator = options.readTerminator ?? "\n";
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(0, "127.0.0.1", resolve);
    });
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new Error("fault proxy has no TCP port");
    this.resource = `TCPIP::127.0.0.1::${address.port}::SOCKET`;
  }

  faultReply(match: Match, fault: ReplyFault, nth = 1): void {
    checkReplyFault(fault);
    const test = matcher(match);
    this.#addRule({ on: "reply", fault }, nth, (line) => isQuery(line) && test(line));
  }

  faultCommand(match: Match, fault: CommandFault, nth = 1): void {
    this.#addRule({ on: "command", fault }, nth, matcher(match));
  }

  faultExchange(index: number, fault: ExchangeFault): void {
    if (!Number.isInteger(index) || index < this.commands.length) {
      throw new RangeError(
        `exchange index must be an integer ≥ ${this.commands.length} (lines seen), got ${index}`,
      );
    }
    if (this.#rules.some((rule) => rule.index === index && rule.fault.on === fault.on)) {
      throw new RangeError(`exchange ${index} already has a ${fault.on} fault`);
    }
    if (fault.on === "reply") checkReplyFault(fault.fault);
    this.#rules.push({ fault, index, applies: (_, i) => i === index, remaining: 1 });
  }

  get pending(): number {
    let attached = 0;
    for (const link of this.#links) attached += link.awaiting.filter((exchange) => exchange.fault).length;
    return this.#rules.length + attached;
  }

  cutAll(): void {
    for (const link of this.#links) this.#cut(link);
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      for (const timer of this.#timers) clearTimeout(timer);
      for (const socket of this.#sockets) socket.destroy();
      this.#server.close(() => resolve());
    });
    return this.#closing;
  }

  #addRule(fault: ExchangeFault, nth: number, applies: Rule["applies"]): void {
    if (!Number.isInteger(nth) || nth < 1) throw new RangeError(`nth must be an integer ≥ 1, got ${nth}`);
    this.#rules.push({ fault, applies, remaining: nth });
  }

  /**
   * The fault due on this line, if any. Every matching rule counts the line;
   * of those due, an index rule wins (it cannot wait), else the first given,
   * and the others stay due for their next matching line.
   */
  #take<On extends ExchangeFault["on"]>(on: On, line: string, index: number): FaultOn<On> | undefined {
    const due = this.#rules.filter((r) => r.fault.on === on && r.applies(line, index) && --r.remaining <= 0);
    const chosen = due.find((rule) => rule.index !== undefined) ?? due[0];
    if (chosen) this.#rules.splice(this.#rules.indexOf(chosen), 1);
    return chosen?.fault.fault as FaultOn<On> | undefined; // the filter kept only faults `on` this side
  }

  #accept(client: Socket): void {
    const upstream = connect(this.#upstream);
    this.#linksOpened += 1;
    const link: Link = { id: this.#linksOpened, client, upstream, awaiting: [], delivery: Promise.resolve() };
    this.#links.add(link);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      this.#sockets.add(socket);
      socket.on("error", () => socket.destroy()); // a refused or reset peer ends the link; "close" follows
      socket.on("close", () => this.#sockets.delete(socket));
    }
    client.on("close", () => {
      this.#links.delete(link);
      if (!upstream.writableEnded) upstream.destroy(); // a cut-after line may still be flushing
    });
    upstream.on("close", () => client.destroy());
    client.on(
      "data",
      lineSplitter(this.#writeTerminator, (raw) => this.#onCommand(link, raw)),
    );
    upstream.on(
      "data",
      lineSplitter(this.#readTerminator, (raw) => this.#onReply(link, raw)),
    );
  }

  #onCommand(link: Link, raw: string): void {
    if (link.client.destroyed) return;
    const line = withoutCr(raw, this.#writeTerminator);
    const index = this.commands.push(line) - 1;
    this.log.push({ type: "command", link: link.id, line });
    const fault = this.#take("command", line, index);
    if (fault) this.log.push({ type: "fault", link: link.id, line, on: "command", fault });
    const bytes = raw + this.#writeTerminator;
    switch (fault?.kind) {
      case "cut-before":
        this.#cut(link);
        break;
      case "cut-after":
        // Ended rather than destroyed, so that the line is flushed before the socket goes.
        link.upstream.end(bytes, "latin1", () => link.upstream.destroy());
        this.#cut(link);
        break;
      case "drop":
        break;
      default: {
        if (isQuery(line)) link.awaiting.push({ query: line, fault: this.#take("reply", line, index) });
        link.upstream.write(bytes, "latin1");
      }
    }
    // An index rule whose line has passed without it (not a query, not forwarded) is discarded.
    for (const rule of this.#rules.filter((r) => r.index !== undefined && r.index <= index)) {
      this.#rules.splice(this.#rules.indexOf(rule), 1);
    }
  }

  #onReply(link: Link, raw: string): void {
    if (link.client.destroyed) return;
    const line = withoutCr(raw, this.#readTerminator);
    const exchange = link.awaiting.shift();
    const fault = exchange?.fault;
    this.log.push({ type: "reply", link: link.id, line, ...(exchange && { query: exchange.query }) });
    if (exchange && fault)
      this.log.push({ type: "fault", link: link.id, line: exchange.query, on: "reply", fault });
    if (fault?.kind === "drop") return;
    const due = performance.now() + (fault?.kind === "delay" ? fault.ms : 0);
    link.delivery = link.delivery.then(async () => {
      await this.#sleep(due - performance.now());
      if (link.client.destroyed) return;
      if (fault?.kind === "cut") this.#cut(link);
      else if (fault?.kind === "corrupt") link.client.write(fault.text + this.#readTerminator, "latin1");
      else if (fault?.kind === "truncate")
        link.client.write(raw.slice(0, Math.ceil(raw.length / 2)), "latin1");
      else link.client.write(raw + this.#readTerminator, "latin1");
    });
  }

  /** Ends the link for the client at once; the upstream goes too, unless it is still flushing a cut-after line. */
  #cut(link: Link): void {
    link.awaiting.length = 0;
    link.client.destroy();
    if (!link.upstream.writableEnded) link.upstream.destroy();
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }
}

/** Splits a byte stream on `terminator`, which may itself be split across chunks; bytes map one to one (latin1). */
function lineSplitter(terminator: string, onLine: (raw: string) => void): (chunk: Buffer) => void {
  let buffer = "";
  return (chunk) => {
    buffer += chunk.toString("latin1");
    for (let end = buffer.indexOf(terminator); end >= 0; end = buffer.indexOf(terminator)) {
      const raw = buffer.slice(0, end);
      buffer = buffer.slice(end + terminator.length);
      onLine(raw);
    }
  };
}

/** With an LF terminator, a CR before it belongs to the line's end (CR LF), not to the line. */
function withoutCr(raw: string, terminator: string): string {
  return terminator.endsWith("\n") && raw.endsWith("\r") ? raw.slice(0, -1) : raw;
}

function isQuery(line: string): boolean {
  return line.includes("?");
}

function matcher(match: Match): (line: string) => boolean {
  if (typeof match === "string") return (line) => line === match;
  if (match instanceof RegExp) {
    return (line) => {
      match.lastIndex = 0; // a /g or /y pattern would otherwise resume where it last matched
      return match.test(line);
    };
  }
  return match;
}

function checkReplyFault(fault: ReplyFault): void {
  if (fault.kind === "delay" && !(Number.isFinite(fault.ms) && fault.ms >= 0)) {
    throw new RangeError(`delay needs a finite delay ≥ 0 ms, got ${fault.ms}`);
  }
}

function tcpAddress(resource: string): { host: string; port: number } {
  const address = parseResource(resource);
  if (address.kind !== "tcp-socket") throw new RangeError(`${resource}: the upstream must be a TCP socket`);
  return { host: address.host, port: address.port };
}
