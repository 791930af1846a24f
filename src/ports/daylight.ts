/**
 * Is it day at a lock? Chooses between the day and the night autolock delay.
 *
 * Invariants:
 * - the answer is computed at the moment the autolock starts, from the injected clock's `now`;
 *   nothing here reads the system clock;
 * - `sunDaylight` without offsets (both absent or 0) uses the sun's position (suncalc) at a
 *   latitude and longitude, so it also holds in polar day and polar night, where sunrise and
 *   sunset do not exist;
 * - `sunDaylight` with offsets: it is night from sunset + `nightStartsAfterSunsetMinutes` to the
 *   next sunrise − `nightEndsBeforeSunriseMinutes` (suncalc's `sunset` and `sunrise`; an offset
 *   may be negative, at most 720 minutes either way); the sunset and sunrise that bound a night
 *   may be on different calendar days, so every night that can reach `now` is checked (the
 *   sun's events two solar days either side); a night the offsets make empty (its end at or
 *   before its start) is day; within two days of polar day or polar night (a day without a
 *   sunrise or a sunset) the offsets are unused and the sun's position decides, as without them;
 * - `fixedHoursDaylight`: it is night from `nightStart` (included) to `nightEnd` (excluded) on the
 *   local wall clock of one IANA time zone, to the minute, so the hours stay local across a DST
 *   change; a window may cross midnight (22:00–06:30); `nightStart === nightEnd` is never night;
 * - every option is checked when the source is made: a bad one is an `InvalidArgumentError` that
 *   names the field (`daylight.…`), never a wrong answer later.
 */
import { getPosition, getTimes } from 'suncalc';
import { InvalidArgumentError } from '../errors.js';
import type { LockView } from './lock-driver.js';

export type DaylightSource = (lock: LockView, now: number) => boolean;

export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

export interface SunDaylightOptions extends Coordinates {
  /** Night starts this many minutes after sunset (negative: before it). Integer, -720 to 720; default 0. */
  readonly nightStartsAfterSunsetMinutes?: number;
  /** Night ends this many minutes before sunrise (negative: after it). Integer, -720 to 720; default 0. */
  readonly nightEndsBeforeSunriseMinutes?: number;
}

export interface FixedHoursDaylightOptions {
  /** Local time night starts, `'HH:MM'` (24-hour, 00:00 to 23:59). */
  readonly nightStart: string;
  /** Local time night ends (day starts), `'HH:MM'`; before `nightStart` means the night crosses midnight. */
  readonly nightEnd: string;
  /** IANA time zone of the wall clock, e.g. `'Europe/Berlin'`. Default: the process's time zone. */
  readonly timeZone?: string;
}

/** The sun's apparent altitude (degrees) at which its upper limb touches the horizon. */
const HORIZON_DEGREES = -0.27;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MAX_OFFSET_MINUTES = 720;
/** Solar days either side of `now` whose sunrise and sunset are looked at (enough for ±720-minute offsets). */
const DAYS_AROUND = 2;

function offsetMinutes(field: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > MAX_OFFSET_MINUTES) {
    throw new InvalidArgumentError(`daylight.${field}`, value, 'whole minutes from -720 to 720');
  }
  return value;
}

/** A sunrise or sunset suncalc found, in ms; `undefined` for none (polar day or night). */
function instantOf(value: Date | null | undefined): number | undefined {
  if (!(value instanceof Date)) return undefined;
  const ms = value.getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

export function sunDaylight(options: SunDaylightOptions): DaylightSource {
  const { latitude, longitude } = options;
  if (typeof latitude !== 'number' || !Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
    throw new InvalidArgumentError('daylight.latitude', latitude, 'degrees from -90 to 90');
  }
  if (typeof longitude !== 'number' || !Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
    throw new InvalidArgumentError('daylight.longitude', longitude, 'degrees from -180 to 180');
  }
  const afterSunset = offsetMinutes('nightStartsAfterSunsetMinutes', options.nightStartsAfterSunsetMinutes);
  const beforeSunrise = offsetMinutes('nightEndsBeforeSunriseMinutes', options.nightEndsBeforeSunriseMinutes);

  const bySunPosition = (now: number): boolean =>
    getPosition(new Date(now), latitude, longitude).altitude > HORIZON_DEGREES;
  if (afterSunset === 0 && beforeSunrise === 0) return (_lock, now) => bySunPosition(now);

  const startShift = afterSunset * MINUTE_MS;
  const endShift = beforeSunrise * MINUTE_MS;
  return (_lock, now) => {
    const sunsets: number[] = [];
    const sunrises: number[] = [];
    for (let day = -DAYS_AROUND; day <= DAYS_AROUND; day++) {
      const times = getTimes(new Date(now + day * DAY_MS), latitude, longitude);
      const sunrise = instantOf(times.sunrise);
      const sunset = instantOf(times.sunset);
      // polar day or night near now: there is no sunrise or sunset to offset from
      if (sunrise === undefined || sunset === undefined) return bySunPosition(now);
      sunrises.push(sunrise);
      sunsets.push(sunset);
    }
    sunrises.sort((a, b) => a - b);
    for (const sunset of sunsets) {
      const sunrise = sunrises.find((instant) => instant > sunset);
      if (sunrise === undefined) continue; // the night after the last sunset looked at is too far from now
      const start = sunset + startShift;
      const end = sunrise - endShift;
      if (start <= now && now < end) return false;
    }
    return true;
  };
}

const LOCAL_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes since local midnight of an `'HH:MM'` option. */
function minuteOfDay(field: string, value: unknown): number {
  const match = typeof value === 'string' ? LOCAL_TIME.exec(value) : null;
  if (match === null) {
    throw new InvalidArgumentError(`daylight.${field}`, value, "a local time 'HH:MM', 00:00 to 23:59");
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Night between two fixed local times in one time zone, e.g. 22:00 to 06:30 in Europe/Berlin. */
export function fixedHoursDaylight(options: FixedHoursDaylightOptions): DaylightSource {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError('daylight', options, "{ nightStart: 'HH:MM', nightEnd: 'HH:MM', timeZone? }");
  }
  const start = minuteOfDay('nightStart', options.nightStart);
  const end = minuteOfDay('nightEnd', options.nightEnd);
  const timeZone = options.timeZone ?? new Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  let clock: Intl.DateTimeFormat;
  try {
    if (typeof timeZone !== 'string' || timeZone === '') throw new RangeError('not a time zone name');
    clock = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    throw new InvalidArgumentError('daylight.timeZone', timeZone, "an IANA time zone name such as 'Europe/Berlin'");
  }

  const isNight = (minute: number): boolean => {
    if (start < end) return start <= minute && minute < end;
    if (start > end) return minute >= start || minute < end; // the night crosses midnight
    return false; // nightStart === nightEnd: never night
  };
  return (_lock, now) => {
    let hour = 0;
    let minute = 0;
    for (const part of clock.formatToParts(now)) {
      // % 24: some engines once wrote midnight as 24, even with h23
      if (part.type === 'hour') hour = Number(part.value) % 24;
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return !isNight(hour * 60 + minute);
  };
}

/** Always day: the day delay is used. The default when no daylight source is given. */
export const alwaysDay: DaylightSource = () => true;
