/**
 * Is it day at a lock? Chooses between the day and the night autolock delay.
 *
 * Invariants: the answer is computed at the moment the autolock starts, from the injected clock;
 * the built-in source uses the sun's position (suncalc) at a latitude and longitude, so it also
 * holds in polar day and polar night, where sunrise and sunset do not exist.
 */
import { getPosition } from 'suncalc';
import { InvalidArgumentError } from '../errors.js';
import type { LockView } from './lock-driver.js';

export type DaylightSource = (lock: LockView, now: number) => boolean;

export interface Coordinates {
  readonly latitude: number;
  readonly longitude: number;
}

/** The sun's apparent altitude (degrees) at which its upper limb touches the horizon. */
const HORIZON_DEGREES = -0.27;

export function sunDaylight(coordinates: Coordinates): DaylightSource {
  const { latitude, longitude } = coordinates;
  if (typeof latitude !== 'number' || !Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
    throw new InvalidArgumentError('daylight.latitude', latitude, 'degrees from -90 to 90');
  }
  if (typeof longitude !== 'number' || !Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
    throw new InvalidArgumentError('daylight.longitude', longitude, 'degrees from -180 to 180');
  }
  return (_lock, now) => getPosition(new Date(now), latitude, longitude).altitude > HORIZON_DEGREES;
}

/** Always day: the day delay is used. The default when no daylight source is given. */
export const alwaysDay: DaylightSource = () => true;
