/**
 * How a timer entry is written to and read from the store.
 *
 * Invariants:
 * - what is written is JSON-safe: `{ v: 1, endsAt: <ISO-8601 UTC>, durationSeconds }` for a
 *   countdown (as before retries existed, so an older relock still reads it), and
 *   `{ v: 2, endsAt, durationSeconds, stage, attempt }` for a retry or a confirmation;
 * - reading never throws: any value that is not a valid entry decodes to a reason, which the
 *   caller logs and prunes; a failed decode never reads as a valid entry; an entry of a newer
 *   format (`v` > 1) decodes to a reason marked `newerFormat`, which the caller keeps;
 * - a naive timestamp (no zone) is read as UTC, never as the host's local time;
 * - the upstream shape `{ "end_time": ..., "duration": ... }` is accepted on read.
 */
import { type Decoded, newerFormat } from './record-store.js';
import { createTimerEntry, type TimerEntry, type TimerStage } from './timer-entry.js';

export const TIMER_FORMAT_VERSION = 2;

export type EncodedTimerEntry =
  | { readonly v: 1; readonly endsAt: string; readonly durationSeconds: number }
  | {
      readonly v: 2;
      readonly endsAt: string;
      readonly durationSeconds: number;
      readonly stage: 'retry' | 'confirm';
      readonly attempt: number;
    };

export function encodeTimerEntry(entry: TimerEntry): EncodedTimerEntry {
  const endsAt = new Date(entry.endsAt).toISOString();
  const { durationSeconds, stage, attempt } = entry;
  if (stage === 'countdown') return { v: 1, endsAt, durationSeconds };
  return { v: 2, endsAt, durationSeconds, stage, attempt };
}

const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

function parseInstant(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  let iso: string;
  if (NAIVE_ISO.test(text)) iso = `${text.replace(' ', 'T')}Z`;
  else if (HAS_ZONE.test(text)) iso = text.replace(' ', 'T');
  else return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a stored value defensively; see the header for what is accepted. */
export function decodeTimerEntry(raw: unknown): Decoded<TimerEntry> {
  if (!isRecord(raw)) return { ok: false, reason: `not an object (${Array.isArray(raw) ? 'array' : typeof raw})` };
  const newer = newerFormat(raw.v, TIMER_FORMAT_VERSION);
  if (newer !== undefined) return newer;
  const legacy = !('endsAt' in raw) && 'end_time' in raw;
  const rawEnd = legacy ? raw.end_time : raw.endsAt;
  const rawDuration = legacy ? raw.duration : raw.durationSeconds;
  if (!legacy && raw.v !== undefined && raw.v !== 1 && raw.v !== 2) {
    return { ok: false, reason: `unknown format version ${JSON.stringify(raw.v)}` };
  }
  let stage: TimerStage = 'countdown';
  let attempt = 0;
  if (raw.v === 2) {
    if (raw.stage !== 'retry' && raw.stage !== 'confirm') return { ok: false, reason: 'invalid stage' };
    if (typeof raw.attempt !== 'number' || !Number.isInteger(raw.attempt) || raw.attempt < 1) {
      return { ok: false, reason: 'invalid attempt' };
    }
    stage = raw.stage;
    attempt = raw.attempt;
  }
  const endsAt = parseInstant(rawEnd);
  if (endsAt === undefined) return { ok: false, reason: 'missing or unparsable endsAt' };
  if (typeof rawDuration !== 'number' || !Number.isFinite(rawDuration)) {
    return { ok: false, reason: 'missing or non-numeric duration' };
  }
  if (rawDuration < 0) return { ok: false, reason: 'negative duration' };
  return { ok: true, value: createTimerEntry({ endsAt, durationSeconds: Math.round(rawDuration), stage, attempt }) };
}
