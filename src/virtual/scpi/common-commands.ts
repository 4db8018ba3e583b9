/**
 * IEEE 488.2 §10 common commands. The engine owns the error queue and the
 * Standard Event Status; the instrument supplies what only it knows through
 * hooks.
 */
import { type CommandDefinition, commandsFor } from "./engine.js";
import { ESR } from "./errors.js";
import { nr1 } from "./format.js";
import { numeric } from "./params.js";
import { STB } from "./status.js";

export interface CommonCommandHooks<Ctx> {
  /** The *IDN? reply: manufacturer, model, serial number, firmware (§10.14). */
  identity(ctx: Ctx): string;
  /** *RST: the instrument's reset state (status registers and queues are untouched, §10.32). */
  reset(ctx: Ctx): void;
  /** *CLS beyond the error queue and Standard Event register: the instrument's own event registers. */
  clearStatus(ctx: Ctx): void;
  /** Status Byte bits 0, 1, 3 and 7 from the instrument's registers. */
  statusSummary(ctx: Ctx): number;
  /** *TRG (§10.37); an instrument without it leaves it undefined (-113). */
  trigger?(ctx: Ctx): void;
  /** *TST? result, 0 = passed (§10.38). */
  selfTest?(ctx: Ctx): number;
}

const BYTE = { min: 0, max: 255, integer: true } as const;

export function commonCommands<Ctx>(hooks: CommonCommandHooks<Ctx>): CommandDefinition<Ctx>[] {
  const command = commandsFor<Ctx>();
  const commands: CommandDefinition<Ctx>[] = [
    command("*IDN", { query: { run: (ctx) => hooks.identity(ctx) } }),
    command("*RST", { set: { params: [], run: (ctx) => hooks.reset(ctx) } }),
    command("*CLS", {
      set: {
        params: [],
        run(ctx, _args, { engine }) {
          engine.errors.clear();
          engine.status.events.clearEvents();
          hooks.clearStatus(ctx);
        },
      },
    }),
    command("*ESE", {
      set: {
        params: [numeric<Ctx>(BYTE)],
        run: (_ctx, [mask], { engine }) => {
          engine.status.events.enable = mask;
        },
      },
      query: { run: (_ctx, _args, { engine }) => nr1(engine.status.events.enable) },
    }),
    command("*ESR", { query: { run: (_ctx, _args, { engine }) => nr1(engine.status.events.read()) } }),
    command("*SRE", {
      set: {
        params: [numeric<Ctx>(BYTE)],
        run: (_ctx, [mask], { engine }) => {
          // Bit 6 of the enable register is not used (IEEE 488.2 §11.3.2.3).
          engine.status.serviceRequestEnable = mask & ~STB.MSS;
        },
      },
      query: { run: (_ctx, _args, { engine }) => nr1(engine.status.serviceRequestEnable) },
    }),
    command("*STB", {
      query: {
        run: (ctx, _args, { engine, responsesSoFar }) =>
          nr1(
            engine.status.statusByte(hooks.statusSummary(ctx), engine.errors.length > 0, responsesSoFar > 0),
          ),
      },
    }),
    // Every command here completes before the next is parsed, so *OPC can set OPC at once (§12.5.2).
    command("*OPC", {
      set: { params: [], run: (_ctx, _args, { engine }) => engine.status.events.latch(ESR.OPC) },
      query: { run: () => "1" },
    }),
    command("*WAI", { set: { params: [], run: () => undefined } }),
    command("*TST", { query: { run: (ctx) => nr1(hooks.selfTest?.(ctx) ?? 0) } }),
  ];
  const { trigger } = hooks;
  if (trigger) commands.push(command("*TRG", { set: { params: [], run: (ctx) => trigger(ctx) } }));
  return commands;
}
