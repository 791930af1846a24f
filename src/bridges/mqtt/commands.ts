/**
 * Commands from Home Assistant's entities (or any MQTT client), mapped onto relock's API:
 * - `autolock` `ON` / `OFF` → `setAutolock(id, { enabled })`;
 * - `day_minutes` / `night_minutes` `<0..10080>` → `setAutolock(id, { dayMinutes | nightMinutes })`;
 * - `lock_now` (any payload, Home Assistant sends `PRESS`) → `startAutolock(id, 0)`: relock locks at
 *   once through its own cycle (door mode, jam, retries and confirmation apply);
 * - `cancel_autolock` → `cancelAutolock(id)`;
 * - `start_autolock` `''` or `PRESS` → `startAutolock(id)` (the day or night minutes), or a whole
 *   number of seconds → `startAutolock(id, seconds)` (for automations).
 *
 * Invariants: a payload that is not one of these is logged (the topic and why, never the payload)
 * and ignored; an API call that throws or rejects is logged, never thrown: no command can crash
 * the bridge.
 */
import { MAX_AUTOLOCK_SECONDS } from '../../actors/autolock-timer.actor.js';
import type { Logger } from '../../logger.js';
import { messageOf } from '../../ports/host-guards.js';
import type { Relock } from '../../relock.js';
import type { BridgeLockConfig } from './config.js';
import { MAX_MINUTES_PER_SETTING } from './state.js';
import type { Command } from './topics.js';

export interface CommandContext {
  readonly relock: Relock;
  readonly logger: Logger;
}

function wholeNumber(payload: string, max: number): number | undefined {
  const text = payload.trim();
  if (!/^\d+(\.0*)?$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

export function runCommand(context: CommandContext, lock: BridgeLockConfig, command: Command, payload: string): void {
  const { relock, logger } = context;
  const ignore = (reason: string): void => logger.warn('Ignored MQTT command', { lockId: lock.id, command, reason });
  const settle = (action: string, call: () => Promise<void>): void => {
    try {
      call().then(
        () => logger.info(`MQTT command: ${action}`, { lockId: lock.id }),
        (error: unknown) =>
          logger.warn(`MQTT command failed: ${action}`, { lockId: lock.id, message: messageOf(error) }),
      );
    } catch (error) {
      logger.warn(`MQTT command failed: ${action}`, { lockId: lock.id, message: messageOf(error) });
    }
  };
  // the change reaches Home Assistant through the status (autolockSettings), as every other
  const setAutolock = (settings: Parameters<Relock['setAutolock']>[1]): void => {
    try {
      relock.setAutolock(lock.id, settings);
    } catch (error) {
      logger.warn('MQTT command failed: setAutolock', { lockId: lock.id, message: messageOf(error) });
    }
  };
  const text = payload.trim();
  switch (command) {
    case 'autolock':
      if (text === 'ON' || text === 'OFF') setAutolock({ enabled: text === 'ON' });
      else ignore('expected ON or OFF');
      break;
    case 'day_minutes':
    case 'night_minutes': {
      const minutes = wholeNumber(text, MAX_MINUTES_PER_SETTING);
      const key = command === 'day_minutes' ? 'dayMinutes' : 'nightMinutes';
      if (minutes === undefined) ignore(`expected a whole number of minutes from 0 to ${MAX_MINUTES_PER_SETTING}`);
      else setAutolock({ [key]: minutes });
      break;
    }
    case 'lock_now':
      settle('lock now', () => relock.startAutolock(lock.id, 0));
      break;
    case 'cancel_autolock':
      settle('cancel autolock', () => relock.cancelAutolock(lock.id));
      break;
    case 'start_autolock': {
      const seconds = text === '' || text === 'PRESS' ? null : wholeNumber(text, MAX_AUTOLOCK_SECONDS);
      if (seconds === null) settle('start autolock', () => relock.startAutolock(lock.id));
      else if (seconds === undefined)
        ignore(`expected PRESS or a whole number of seconds up to ${MAX_AUTOLOCK_SECONDS}`);
      else settle(`start autolock (${seconds} s)`, () => relock.startAutolock(lock.id, seconds));
      break;
    }
  }
}
