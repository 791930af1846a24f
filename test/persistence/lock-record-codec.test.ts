import { describe, expect, it } from 'vitest';
import { parseLockConfig } from '../../src/model/lock-config.js';
import { NO_NOTICES, NOTICE_FLAGS } from '../../src/model/lock-runtime.js';
import { decodeLockRecord, encodeLockRecord } from '../../src/persistence/lock-record-codec.js';
import { relockHarness } from '../support/relock-harness.js';

const config = parseLockConfig({ id: 'front', name: 'Front', codeSlots: [{ number: 1, pin: '482913' }] });
const runtime = {
  lockState: 'unlocked',
  doorState: 'closed',
  pendingRetry: true,
  cycleEnded: true,
  jamNoticeShown: true,
  doorNoticeShown: false,
  warningNoticeShown: true,
  retryNoticeShown: true,
  doorClosedNoticeShown: false,
  failedNoticeShown: true,
} as const;

describe('lock record codec', () => {
  it('round-trips config, runtime state and PINs through JSON', () => {
    const raw = JSON.parse(JSON.stringify(encodeLockRecord({ config, runtime })));
    expect(raw.config.codeSlots[0].pin).toBe('482913');
    const decoded = decodeLockRecord(raw);
    expect(decoded.ok).toBe(true);
    if (decoded.ok) {
      expect(decoded.value.runtime).toEqual(runtime);
      expect(decoded.value.config.codeSlots[0]?.pin?.reveal()).toBe('482913');
    }
  });

  const good = () => JSON.parse(JSON.stringify(encodeLockRecord({ config, runtime })));
  const corrupt: Array<[string, unknown]> = [
    ['not an object', 'x'],
    ['an unknown version', { ...good(), v: 7 }],
    ['a config that does not validate', { ...good(), config: { id: '' } }],
    ['a bad PIN', { ...good(), config: { ...good().config, codeSlots: [{ number: 1, pin: 'abc' }] } }],
    ['a missing runtime', { ...good(), runtime: undefined }],
    ['a bad lock state', { ...good(), runtime: { ...runtime, lockState: 'ajar' } }],
    ['a bad pending retry', { ...good(), runtime: { ...runtime, pendingRetry: 'yes' } }],
    ['a bad cycle end', { ...good(), runtime: { ...runtime, cycleEnded: 1 } }],
  ];

  it.each(corrupt)('%s decodes to a reason that shows no PIN', (_name, raw) => {
    const decoded = decodeLockRecord(raw);
    expect(decoded.ok).toBe(false);
    expect(JSON.stringify(decoded)).not.toContain('482913');
  });

  it('a corrupt lock record is pruned on add with a warning, and the lock starts fresh', async () => {
    const h = await relockHarness();
    await h.map.set('keyv:lock:front', JSON.stringify({ value: { v: 1, config: 'garbage' } }));
    await h.relock.addLock({ id: 'front', name: 'Front' });
    await h.relock.flush();
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.pruned', key: 'lock:front' }));
    expect(h.logs.some((line) => line.startsWith('warn Pruning a corrupt lock record'))).toBe(true);
    expect(h.relock.status('front').lockState).toBe('unknown');
    await h.relock.stop();
  });
});

describe('(10.13) secrets in stored lock records', () => {
  it('(10.13) a stored code slot that is a bare PIN string decodes to a reason without the PIN', () => {
    const raw = JSON.parse(JSON.stringify(encodeLockRecord({ config, runtime })));
    raw.config.codeSlots = ['482913'];
    const decoded = decodeLockRecord(raw);
    expect(decoded.ok).toBe(false);
    expect(JSON.stringify(decoded)).not.toContain('482913');
  });

  it('(10.13) a stored record with a bare PIN as code slot is pruned with a reason and a warning that do not show it', async () => {
    const h = await relockHarness();
    const raw = JSON.parse(JSON.stringify(encodeLockRecord({ config, runtime })));
    raw.config.codeSlots = ['771204'];
    await h.map.set('keyv:lock:front', JSON.stringify({ value: raw }));
    await h.relock.addLock({ id: 'front', name: 'Front' });
    await h.relock.flush();
    const pruned = h.events.filter((event) => event.type === 'store.pruned');
    expect(pruned).toEqual([expect.objectContaining({ key: 'lock:front' })]);
    expect(h.logs.some((line) => line.startsWith('warn Pruning a corrupt lock record'))).toBe(true);
    expect(JSON.stringify(h.events)).not.toContain('771204');
    expect(h.logs.join('\n')).not.toContain('771204');
    expect(h.inspected.join('\n')).not.toContain('771204');
    await h.relock.stop();
  });

  it('a record written before notices were tracked reads with none showing; a flag that is not a boolean is invalid', () => {
    const encoded = encodeLockRecord({ config, runtime }) as { runtime: Record<string, unknown> };
    const { lockState, doorState } = encoded.runtime;
    const decoded = decodeLockRecord({ ...encoded, runtime: { lockState, doorState, pendingRetry: false } });
    expect(decoded).toMatchObject({
      ok: true,
      value: { runtime: { ...NO_NOTICES, lockState, doorState, cycleEnded: false } },
    });
    for (const flag of NOTICE_FLAGS) {
      expect(decodeLockRecord({ ...encoded, runtime: { ...encoded.runtime, [flag]: 'yes' } })).toEqual({
        ok: false,
        reason: `invalid runtime.${flag}`,
      });
    }
  });

  it('a record written before the failed, door-closed and retry notices were tracked reads them as not showing, but a pending retry as notified', () => {
    const encoded = encodeLockRecord({ config, runtime }) as { runtime: Record<string, unknown> };
    const { retryNoticeShown: _r, doorClosedNoticeShown: _c, failedNoticeShown: _f, ...before } = encoded.runtime;
    for (const pendingRetry of [false, true]) {
      const decoded = decodeLockRecord({ ...encoded, runtime: { ...before, pendingRetry } });
      expect(decoded).toMatchObject({
        ok: true,
        value: {
          runtime: {
            jamNoticeShown: true,
            warningNoticeShown: true,
            failedNoticeShown: false,
            doorClosedNoticeShown: false,
          },
        },
      });
      expect(decoded.ok && decoded.value.runtime.retryNoticeShown).toBe(pendingRetry);
    }
  });
});
