/** The virtual Thorlabs PM100USB power meter and its sensor heads. */

export { NO_SENSOR_IDN } from "./commands/system.js";
export {
  type LightReader,
  NO_LIGHT,
  type Pm100Reading,
  RANGE_NOISE_FRACTION,
  SAMPLE_TIME,
  ZERO_DURATION,
} from "./core.js";
export {
  COMMAND_LATENCY_PM100,
  ERROR_QUEUE_CAPACITY_PM100,
  VirtualThorlabsPm100,
  type VirtualThorlabsPm100Options,
} from "./instrument.js";
export {
  type Pm100SensorSpec,
  responsivityAt,
  S144C,
  SENSOR_FLAG,
  SENSOR_TYPE,
} from "./sensor.js";
export { CURRENT_RANGES, MAX_AVERAGE_COUNT, type Pm100Settings, type PowerUnit } from "./settings.js";
export { OPERATION, QUESTIONABLE } from "./status.js";
