/** A generic SCPI instrument front end, shared by the virtual instruments. */

export type { ErrorEntry } from "../../scpi/protocol.js";
export { type CommonCommandHooks, commonCommands } from "./common-commands.js";
export {
  type CommandCall,
  type CommandDefinition,
  commandsFor,
  ScpiEngine,
  type ScpiEngineOptions,
} from "./engine.js";
export { errorQueueCommands } from "./error-commands.js";
export { ErrorQueue, formatErrorEntry } from "./error-queue.js";
export { type DeviceErrorInfo, ESR, SCPI_ERROR_TEXTS, ScpiError } from "./errors.js";
export { boolean, nr1, nr3, quoted } from "./format.js";
export {
  applySuffix,
  type Bound,
  bool,
  choice,
  keywordMatches,
  list,
  numeric,
  type ParamSpec,
  shortOf,
  text,
} from "./params.js";
export { setting } from "./setting.js";
export { EventRegister, STB } from "./status.js";
