/**
 * relock's public API. Everything a host needs is exported from here; the machines are exported
 * too, for the Stately inspector, diagrams and model-based tests.
 */

export type { AutolockTimer, TimerState, TimerStatus } from './actors/autolock-timer.actor.js';
export type { CallOptions } from './call-options.js';
export type { Clock, TimerHandle } from './clock/clock.js';
export { MAX_NATIVE_DELAY_MS, systemClock } from './clock/clock.js';
export { ManualClock } from './clock/manual-clock.js';
export { FencedWriteError } from './cluster/fenced-redis-store.js';
export {
  type ClusterEvent,
  createRelockCluster,
  DEFAULT_CLUSTER_LEASE_MS,
  type RelockCluster,
  type RelockClusterOptions,
} from './cluster/relock-cluster.js';
export {
  InvalidArgumentError,
  LockExistsError,
  LockNotFoundError,
  LockNotOwnedError,
  NoCountdownError,
  RelockError,
  type RelockErrorCode,
  StoreError,
  StoreInUseError,
  type StoreOperation,
  SystemStoppedError,
  TimerNotRecoveredError,
} from './errors.js';
export type { FireOutcome, RelockEvent, RelockEventType } from './events.js';
export { consoleLogger, type LogFields, type Logger, silentLogger } from './logger.js';
export { autolockTimerMachine } from './machines/autolock-timer.machine.js';
export { coordinatorMachine } from './machines/coordinator.machine.js';
export { lockMachine } from './machines/lock.machine.js';
export type {
  AccessLimits,
  AutolockSettings,
  AutolockSettingsInput,
  CodeSlot,
  CodeSlotInput,
  DoorMode,
  LockConfig,
  LockConfigInput,
  TimeWindow,
  WeekdayLimit,
} from './model/lock-config.js';
export { DEFAULT_AUTOLOCK, DEFAULT_DAY_MINUTES, DEFAULT_NIGHT_MINUTES, DOOR_MODES } from './model/lock-config.js';
export type { DoorState, LockState } from './model/lock-runtime.js';
export { Pin } from './model/pin.js';
export { autolockNotificationId, slugify } from './model/slug.js';
export type { StoreOption } from './persistence/keyv-store.js';
export { createKeyvStore } from './persistence/keyv-store.js';
export { StorePackageMissingError } from './persistence/store-packages.js';
export type { TimerEntry, TimerStage } from './persistence/timer-entry.js';
export { type FieldsFirstLogger, pinoLogger } from './pino-logger.js';
export {
  alwaysDay,
  type Coordinates,
  type DaylightSource,
  type FixedHoursDaylightOptions,
  fixedHoursDaylight,
  type SunDaylightOptions,
  sunDaylight,
} from './ports/daylight.js';
export type { LockCommandOptions, LockDriver, LockView } from './ports/lock-driver.js';
export type { Notification, Notifier } from './ports/notifier.js';
export { createRelock, type Relock, type RelockOptions } from './relock.js';
export type { AutolockPhase, LockStatus, LockStatusStore } from './status/lock-status.js';
export {
  checkDriverConformance,
  DRIVER_RULES,
  type DriverCheck,
  type DriverCheckId,
  type DriverCheckOptions,
  type DriverReport,
} from './testing/driver-conformance.js';
