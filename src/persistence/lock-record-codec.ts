/**
 * How a lock's configuration, runtime state and code slots are stored, so they survive a restart.
 *
 * Invariants:
 * - this is the only place a PIN is turned back into digits for storage (`Pin.reveal()`), and
 *   the only place stored digits become a `Pin` again;
 * - decoding never throws: anything that is not a valid record decodes to a reason (which never
 *   contains a PIN, nor any value of a code-slot field), and the caller prunes it;
 * - the stored shape is versioned: `{ v: 1, config, runtime }`; a record of a newer version is
 *   marked `newerFormat` (kept, not pruned);
 * - a notice flag a record lacks (written before that notice was tracked) reads as not showing,
 *   except the door-open notice of a pending retry, which was always posted with the retry.
 */
import { InvalidArgumentError } from '../errors.js';
import { type LockConfig, parseLockConfig } from '../model/lock-config.js';
import { isDoorState, isLockState, type LockRuntime, NOTICE_FLAGS } from '../model/lock-runtime.js';
import { type Decoded, newerFormat } from './record-store.js';

export const LOCK_RECORD_VERSION = 1;

export interface LockRecord {
  readonly config: LockConfig;
  readonly runtime: LockRuntime;
}

export function encodeLockRecord(record: LockRecord): unknown {
  const { config, runtime } = record;
  return {
    v: LOCK_RECORD_VERSION,
    config: {
      ...config,
      codeSlots: config.codeSlots.map((slot) => ({ ...slot, pin: slot.pin === null ? null : slot.pin.reveal() })),
    },
    runtime: { ...runtime },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function decodeLockRecord(raw: unknown): Decoded<LockRecord> {
  if (!isRecord(raw)) return { ok: false, reason: 'not an object' };
  if (raw.v !== LOCK_RECORD_VERSION) {
    return (
      newerFormat(raw.v, LOCK_RECORD_VERSION) ?? {
        ok: false,
        reason: `unknown format version ${JSON.stringify(raw.v)}`,
      }
    );
  }
  let config: LockConfig;
  try {
    config = parseLockConfig(raw.config, 'config');
  } catch (error) {
    return { ok: false, reason: error instanceof InvalidArgumentError ? error.message : 'invalid config' };
  }
  const runtime = raw.runtime;
  if (!isRecord(runtime) || !isLockState(runtime.lockState) || !isDoorState(runtime.doorState)) {
    return { ok: false, reason: 'invalid runtime state' };
  }
  if (typeof runtime.pendingRetry !== 'boolean') return { ok: false, reason: 'invalid runtime.pendingRetry' };
  // written since a cycle's end is tracked; a record from before had none ended
  if (runtime.cycleEnded !== undefined && typeof runtime.cycleEnded !== 'boolean') {
    return { ok: false, reason: 'invalid runtime.cycleEnded' };
  }
  // written since notices are tracked; a record from before has none showing
  for (const flag of NOTICE_FLAGS) {
    if (runtime[flag] !== undefined && typeof runtime[flag] !== 'boolean') {
      return { ok: false, reason: `invalid runtime.${flag}` };
    }
  }
  return {
    ok: true,
    value: {
      config,
      runtime: Object.freeze({
        lockState: runtime.lockState,
        doorState: runtime.doorState,
        pendingRetry: runtime.pendingRetry,
        cycleEnded: runtime.cycleEnded === true,
        jamNoticeShown: runtime.jamNoticeShown === true,
        doorNoticeShown: runtime.doorNoticeShown === true,
        warningNoticeShown: runtime.warningNoticeShown === true,
        // a pending retry was always notified when it began: an older record's retry shows its notice
        retryNoticeShown:
          runtime.retryNoticeShown === undefined ? runtime.pendingRetry : runtime.retryNoticeShown === true,
        doorClosedNoticeShown: runtime.doorClosedNoticeShown === true,
        failedNoticeShown: runtime.failedNoticeShown === true,
      }),
    },
  };
}
