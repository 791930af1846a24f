/**
 * A lock's configuration and its code slots: the data a host gives when it adds or reloads a
 * lock, validated once at the edge.
 *
 * Invariants:
 * - `parseLockConfig` either returns a complete, frozen `LockConfig` with defaults applied
 *   (as upstream: autolock off, 120 day minutes, 15 night minutes, no retry) or throws `InvalidArgumentError` naming the
 *   exact field (`codeSlots[1].accessLimits.weekdays[0].window.start`);
 * - PINs are `Pin` objects from here on: no plain PIN string survives parsing;
 * - slot numbers are unique within a lock, weekday numbers unique within a slot;
 * - every object of a config (and `setAutolock`'s settings) is closed: a key it does not know is
 *   refused by name (a typo such as `dayminutes` never passes silently);
 * - a date is a real calendar day (`2026-02-30` is refused);
 * - `parseLockConfigs` refuses an id repeated inside one call, naming both places (distinct from
 *   `LockExistsError`, which is about locks already registered).
 */
import { InvalidArgumentError } from '../errors.js';
import { Pin } from './pin.js';

/**
 * How the autolock treats the door (a lock with a door sensor):
 * - `countdown`: the countdown alone decides; the command is sent at the deadline even with the
 *   door open (upstream's behaviour, the default);
 * - `never-while-open`: no command while the door is reported open; at the deadline with the door
 *   open, relock waits for it to close and then locks at once;
 * - `restart-on-close`: as `never-while-open`, and closing the door restarts a running countdown
 *   from its full duration;
 * - `after-close`: as `never-while-open`, and closing the door locks `afterCloseSeconds` later
 *   (unless the running countdown ends sooner); the long countdown still covers a door that is
 *   never opened.
 */
export const DOOR_MODES = ['countdown', 'never-while-open', 'restart-on-close', 'after-close'] as const;
export type DoorMode = (typeof DOOR_MODES)[number];

export interface AutolockSettings {
  readonly enabled: boolean;
  readonly dayMinutes: number;
  readonly nightMinutes: number;
  /** Autolock by day (`false`: an unlock by day starts no countdown). */
  readonly dayEnabled: boolean;
  /** Autolock by night. */
  readonly nightEnabled: boolean;
  readonly doorMode: DoorMode;
  /** `after-close`: how long after the door closes the lock is locked. */
  readonly afterCloseSeconds: number;
  /** Notify when the door has been open this long (0: never). */
  readonly doorOpenNoticeMinutes: number;
  /** Lock commands per autolock cycle: the first and its retries (1: no retry). */
  readonly maxAttempts: number;
  /** Wait before the first retry; each later retry waits twice as long (at most an hour). */
  readonly retryDelaySeconds: number;
  /** How long an accepted lock command may take to be confirmed by a `locked` report. */
  readonly confirmSeconds: number;
  /** Seconds before the lock command at which a warning is emitted (0: none). */
  readonly warnSeconds: number;
  /** Also notify (`<slug>_autolock_warning`) when the warning is emitted. */
  readonly warnNotification: boolean;
}

/** The settings a host passes: any subset, plus the legacy `retryWhenDoorCloses` switch. */
export type AutolockSettingsInput = Partial<AutolockSettings> & {
  /** Legacy: `true` is `doorMode: 'never-while-open'`, `false` is `doorMode: 'countdown'`. */
  readonly retryWhenDoorCloses?: boolean;
};

export type WindowMode = 'include' | 'exclude';

export interface TimeWindow {
  /** `HH:MM`, local to the host. */
  readonly start: string;
  readonly end: string;
  /** `include`: usable only inside the window; `exclude`: usable only outside it. */
  readonly mode: WindowMode;
}

export interface WeekdayLimit {
  /** 0 = Sunday ... 6 = Saturday. */
  readonly weekday: number;
  readonly enabled: boolean;
  readonly window: TimeWindow | null;
}

export interface AccessLimits {
  /** Uses left; `null` for unlimited. */
  readonly useCount: number | null;
  readonly dateRange: { readonly start: string; readonly end: string } | null;
  readonly weekdays: readonly WeekdayLimit[];
}

export interface CodeSlot {
  readonly number: number;
  readonly enabled: boolean;
  readonly name: string;
  readonly pin: Pin | null;
  readonly notifications: boolean;
  readonly accessLimits: AccessLimits;
  /** Runtime only: whether the PIN is known to be programmed on the lock. */
  readonly synced: boolean;
}

export interface LockConfig {
  readonly id: string;
  readonly name: string;
  readonly autolock: AutolockSettings;
  readonly hasDoorSensor: boolean;
  /**
   * Whether the host reports this lock's state (`locked`/`unlocked`). When it does (the
   * default), an accepted lock command is confirmed by a `locked` report; when it cannot, an
   * accepted command counts as done.
   */
  readonly reportsLockState: boolean;
  readonly notifications: { readonly lock: boolean; readonly door: boolean };
  readonly codeSlots: readonly CodeSlot[];
}

/** What a host passes: everything but `id` and `name` is optional. */
export interface LockConfigInput {
  id: string;
  name: string;
  autolock?: AutolockSettingsInput;
  hasDoorSensor?: boolean;
  reportsLockState?: boolean;
  notifications?: { lock?: boolean; door?: boolean };
  codeSlots?: readonly CodeSlotInput[];
}

export interface CodeSlotInput {
  number: number;
  enabled?: boolean;
  name?: string;
  /** 4 to 10 digits, or a `Pin`. */
  pin?: string | Pin | null;
  notifications?: boolean;
  accessLimits?: {
    useCount?: number | null;
    dateRange?: { start: string; end: string } | null;
    weekdays?: readonly { weekday: number; enabled?: boolean; window?: TimeWindow | null }[];
  };
  synced?: boolean;
}

export const DEFAULT_DAY_MINUTES = 120;
export const DEFAULT_NIGHT_MINUTES = 15;
/** 7 days: a longer autolock is almost certainly a unit mistake. */
/** The most day or night minutes a setting takes: a week. */
export const MAX_MINUTES = 7 * 24 * 60;

export const DEFAULT_AUTOLOCK: AutolockSettings = Object.freeze({
  enabled: false,
  dayMinutes: DEFAULT_DAY_MINUTES,
  nightMinutes: DEFAULT_NIGHT_MINUTES,
  dayEnabled: true,
  nightEnabled: true,
  doorMode: 'countdown',
  afterCloseSeconds: 30,
  doorOpenNoticeMinutes: 0,
  maxAttempts: 5,
  retryDelaySeconds: 30,
  confirmSeconds: 30,
  warnSeconds: 0,
  warnNotification: false,
});

const AUTOLOCK_KEYS = [...Object.keys(DEFAULT_AUTOLOCK), 'retryWhenDoorCloses'] as const;
const CODE_SLOT_KEYS = ['number', 'enabled', 'name', 'pin', 'notifications', 'accessLimits', 'synced'] as const;
const LOCK_CONFIG_KEYS = [
  'id',
  'name',
  'autolock',
  'hasDoorSensor',
  'reportsLockState',
  'notifications',
  'codeSlots',
] as const;

const LOCK_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses any key of `value` not in `known`, naming it as `<field>.<key>`. */
function refuseUnknownKeys(value: Record<string, unknown>, known: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new InvalidArgumentError(`${field}.${key}`, value[key], `no such key; known: ${known.join(', ')}`);
    }
  }
}

/** `YYYY-MM-DD` naming a day that exists on the calendar (proleptic Gregorian, as `Date` counts). */
function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !DATE.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(field, value, 'true or false');
  return value;
}

function minutes(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MINUTES) {
    throw new InvalidArgumentError(field, value, `an integer number of minutes from 0 to ${MAX_MINUTES}`);
  }
  return value;
}

export function validateLockId(value: unknown, field = 'id'): string {
  if (typeof value !== 'string' || !LOCK_ID.test(value)) {
    throw new InvalidArgumentError(field, value, 'letters, digits, "_", ".", ":" or "-", at most 128 characters');
  }
  return value;
}

function integer(value: unknown, field: string, fallback: number, min: number, max: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(field, value, `an integer number of ${unit} from ${min} to ${max}`);
  }
  return value;
}

function doorMode(value: Record<string, unknown>, field: string, base: DoorMode): DoorMode {
  const legacy = value.retryWhenDoorCloses;
  if (legacy !== undefined) bool(legacy, `${field}.retryWhenDoorCloses`, false);
  if (value.doorMode !== undefined) {
    if (!(DOOR_MODES as readonly unknown[]).includes(value.doorMode)) {
      throw new InvalidArgumentError(`${field}.doorMode`, value.doorMode, `one of ${DOOR_MODES.join(', ')}`);
    }
    const mode = value.doorMode as DoorMode;
    if (legacy !== undefined && legacy !== (mode !== 'countdown')) {
      throw new InvalidArgumentError(
        `${field}.retryWhenDoorCloses`,
        legacy,
        `no second say: doorMode ${JSON.stringify(mode)} already decides (leave retryWhenDoorCloses out)`,
      );
    }
    return mode;
  }
  if (legacy === true) return base === 'countdown' ? 'never-while-open' : base;
  if (legacy === false) return 'countdown';
  return base;
}

export function parseAutolockSettings(value: unknown, field: string, base = DEFAULT_AUTOLOCK): AutolockSettings {
  if (value === undefined) return base;
  if (!isRecord(value)) throw new InvalidArgumentError(field, value, 'an object');
  refuseUnknownKeys(value, AUTOLOCK_KEYS, field);
  const at = (key: string) => `${field}.${key}`;
  return Object.freeze({
    enabled: bool(value.enabled, at('enabled'), base.enabled),
    dayMinutes: minutes(value.dayMinutes, at('dayMinutes'), base.dayMinutes),
    nightMinutes: minutes(value.nightMinutes, at('nightMinutes'), base.nightMinutes),
    dayEnabled: bool(value.dayEnabled, at('dayEnabled'), base.dayEnabled),
    nightEnabled: bool(value.nightEnabled, at('nightEnabled'), base.nightEnabled),
    doorMode: doorMode(value, field, base.doorMode),
    afterCloseSeconds: integer(
      value.afterCloseSeconds,
      at('afterCloseSeconds'),
      base.afterCloseSeconds,
      1,
      3600,
      'seconds',
    ),
    doorOpenNoticeMinutes: integer(
      value.doorOpenNoticeMinutes,
      at('doorOpenNoticeMinutes'),
      base.doorOpenNoticeMinutes,
      0,
      MAX_MINUTES,
      'minutes',
    ),
    maxAttempts: integer(value.maxAttempts, at('maxAttempts'), base.maxAttempts, 1, 20, 'attempts'),
    retryDelaySeconds: integer(
      value.retryDelaySeconds,
      at('retryDelaySeconds'),
      base.retryDelaySeconds,
      1,
      3600,
      'seconds',
    ),
    confirmSeconds: integer(value.confirmSeconds, at('confirmSeconds'), base.confirmSeconds, 1, 3600, 'seconds'),
    warnSeconds: integer(value.warnSeconds, at('warnSeconds'), base.warnSeconds, 0, 3600, 'seconds'),
    warnNotification: bool(value.warnNotification, at('warnNotification'), base.warnNotification),
  });
}

/** A door mode other than `countdown` acts on door reports: a lock that has no door sensor cannot use one. */
export function checkDoorMode(settings: AutolockSettings, hasDoorSensor: boolean, field: string): void {
  if (settings.doorMode !== 'countdown' && !hasDoorSensor) {
    throw new InvalidArgumentError(
      `${field}.doorMode`,
      settings.doorMode,
      '"countdown" for a lock without a door sensor (set hasDoorSensor: true to use a door mode)',
    );
  }
}

function parseWindow(value: unknown, field: string): TimeWindow | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw new InvalidArgumentError(field, value, 'an object or null');
  refuseUnknownKeys(value, ['start', 'end', 'mode'], field);
  for (const part of ['start', 'end'] as const) {
    if (typeof value[part] !== 'string' || !CLOCK_TIME.test(value[part] as string)) {
      throw new InvalidArgumentError(`${field}.${part}`, value[part], 'a time HH:MM');
    }
  }
  if (value.mode !== 'include' && value.mode !== 'exclude') {
    throw new InvalidArgumentError(`${field}.mode`, value.mode, '"include" or "exclude"');
  }
  return Object.freeze({ start: value.start as string, end: value.end as string, mode: value.mode });
}

function parseAccessLimits(value: unknown, field: string): AccessLimits {
  if (value === undefined) return Object.freeze({ useCount: null, dateRange: null, weekdays: Object.freeze([]) });
  if (!isRecord(value)) throw new InvalidArgumentError(field, value, 'an object');
  refuseUnknownKeys(value, ['useCount', 'dateRange', 'weekdays'], field);
  const { useCount, dateRange, weekdays } = value;
  if (
    useCount !== undefined &&
    useCount !== null &&
    (typeof useCount !== 'number' || !Number.isInteger(useCount) || useCount < 0)
  ) {
    throw new InvalidArgumentError(`${field}.useCount`, useCount, 'a non-negative integer or null');
  }
  let range: AccessLimits['dateRange'] = null;
  if (dateRange !== undefined && dateRange !== null) {
    if (!isRecord(dateRange)) throw new InvalidArgumentError(`${field}.dateRange`, dateRange, 'an object or null');
    refuseUnknownKeys(dateRange, ['start', 'end'], `${field}.dateRange`);
    for (const part of ['start', 'end'] as const) {
      const day = dateRange[part];
      if (!isCalendarDate(day)) {
        throw new InvalidArgumentError(`${field}.dateRange.${part}`, day, 'a date YYYY-MM-DD that exists');
      }
    }
    if ((dateRange.start as string) > (dateRange.end as string)) {
      throw new InvalidArgumentError(`${field}.dateRange.end`, dateRange.end, 'a date not before dateRange.start');
    }
    range = Object.freeze({ start: dateRange.start as string, end: dateRange.end as string });
  }
  if (weekdays !== undefined && !Array.isArray(weekdays)) {
    throw new InvalidArgumentError(`${field}.weekdays`, weekdays, 'an array');
  }
  const seen = new Set<number>();
  const days = ((weekdays as unknown[] | undefined) ?? []).map((day, i) => {
    const at = `${field}.weekdays[${i}]`;
    if (!isRecord(day)) throw new InvalidArgumentError(at, day, 'an object');
    refuseUnknownKeys(day, ['weekday', 'enabled', 'window'], at);
    if (typeof day.weekday !== 'number' || !Number.isInteger(day.weekday) || day.weekday < 0 || day.weekday > 6) {
      throw new InvalidArgumentError(`${at}.weekday`, day.weekday, 'an integer 0 (Sunday) to 6 (Saturday)');
    }
    if (seen.has(day.weekday))
      throw new InvalidArgumentError(`${at}.weekday`, day.weekday, 'a weekday not listed twice');
    seen.add(day.weekday);
    return Object.freeze({
      weekday: day.weekday,
      enabled: bool(day.enabled, `${at}.enabled`, true),
      window: parseWindow(day.window, `${at}.window`),
    });
  });
  return Object.freeze({
    useCount: (useCount as number | null | undefined) ?? null,
    dateRange: range,
    weekdays: Object.freeze(days),
  });
}

function parseCodeSlot(value: unknown, field: string): CodeSlot {
  if (!isRecord(value)) throw new InvalidArgumentError(field, value, 'an object');
  refuseUnknownKeys(value, CODE_SLOT_KEYS, field);
  if (typeof value.number !== 'number' || !Number.isInteger(value.number) || value.number < 1 || value.number > 999) {
    throw new InvalidArgumentError(`${field}.number`, value.number, 'an integer from 1 to 999');
  }
  if (value.name !== undefined && typeof value.name !== 'string') {
    throw new InvalidArgumentError(`${field}.name`, value.name, 'a string');
  }
  const pin = value.pin === undefined || value.pin === null ? null : Pin.from(value.pin, `${field}.pin`);
  return Object.freeze({
    number: value.number,
    enabled: bool(value.enabled, `${field}.enabled`, pin !== null),
    name: (value.name as string | undefined) ?? `Code slot ${value.number}`,
    pin,
    notifications: bool(value.notifications, `${field}.notifications`, false),
    accessLimits: parseAccessLimits(value.accessLimits, `${field}.accessLimits`),
    synced: bool(value.synced, `${field}.synced`, false),
  });
}

/** Validates a host's lock configuration; see the header. */
export function parseLockConfig(input: unknown, field = 'config'): LockConfig {
  if (!isRecord(input)) throw new InvalidArgumentError(field, input, 'an object');
  refuseUnknownKeys(input, LOCK_CONFIG_KEYS, field);
  const id = validateLockId(input.id, `${field}.id`);
  if (typeof input.name !== 'string' || input.name.trim() === '') {
    throw new InvalidArgumentError(`${field}.name`, input.name, 'a non-empty string');
  }
  const notifications = input.notifications;
  if (notifications !== undefined && !isRecord(notifications)) {
    throw new InvalidArgumentError(`${field}.notifications`, notifications, 'an object');
  }
  if (notifications !== undefined) refuseUnknownKeys(notifications, ['lock', 'door'], `${field}.notifications`);
  if (input.codeSlots !== undefined && !Array.isArray(input.codeSlots)) {
    throw new InvalidArgumentError(`${field}.codeSlots`, input.codeSlots, 'an array');
  }
  const numbers = new Set<number>();
  const codeSlots = ((input.codeSlots as unknown[] | undefined) ?? []).map((slot, i) => {
    const parsed = parseCodeSlot(slot, `${field}.codeSlots[${i}]`);
    if (numbers.has(parsed.number)) {
      throw new InvalidArgumentError(`${field}.codeSlots[${i}].number`, parsed.number, 'a slot number not used twice');
    }
    numbers.add(parsed.number);
    return parsed;
  });
  return Object.freeze({
    id,
    name: input.name,
    autolock: parseAutolockSettings(input.autolock, `${field}.autolock`),
    hasDoorSensor: bool(input.hasDoorSensor, `${field}.hasDoorSensor`, false),
    reportsLockState: bool(input.reportsLockState, `${field}.reportsLockState`, true),
    notifications: Object.freeze({
      lock: bool(notifications?.lock, `${field}.notifications.lock`, true),
      door: bool(notifications?.door, `${field}.notifications.door`, true),
    }),
    codeSlots: Object.freeze(codeSlots),
  });
}

/**
 * Validates the configs of one `addLocks` call: each as `parseLockConfig` (named `config` when
 * there is one, `configs[i]` otherwise), and no id twice in the call.
 */
export function parseLockConfigs(input: unknown): LockConfig[] {
  if (!Array.isArray(input)) throw new InvalidArgumentError('configs', input, 'an array of lock configs');
  const fieldOf = (i: number): string => (input.length === 1 ? 'config' : `configs[${i}]`);
  const firstIndex = new Map<string, number>();
  return input.map((config: unknown, i) => {
    const parsed = parseLockConfig(config, fieldOf(i));
    const first = firstIndex.get(parsed.id);
    if (first !== undefined) {
      throw new InvalidArgumentError(
        `${fieldOf(i)}.id`,
        parsed.id,
        `an id not repeated in one call; ${fieldOf(first)}.id is ${JSON.stringify(parsed.id)} too`,
      );
    }
    firstIndex.set(parsed.id, i);
    return parsed;
  });
}
