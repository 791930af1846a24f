import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseLockConfig } from '../../src/model/lock-config.js';
import { Pin } from '../../src/model/pin.js';

describe('lock config', () => {
  it('applies the upstream defaults: autolock off, 120 day minutes, 15 night minutes', () => {
    expect(parseLockConfig({ id: 'a', name: 'A' }).autolock).toEqual({
      enabled: false,
      dayMinutes: 120,
      nightMinutes: 15,
      retryWhenDoorCloses: false,
    });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a missing id', { name: 'A' }, /config\.id: undefined/],
    ['an id with spaces', { id: 'front door', name: 'A' }, /config\.id: "front door"/],
    ['an empty name', { id: 'a', name: ' ' }, /config\.name/],
    ['negative day minutes', { id: 'a', name: 'A', autolock: { dayMinutes: -1 } }, /config\.autolock\.dayMinutes: -1/],
    [
      'a duplicate slot',
      { id: 'a', name: 'A', codeSlots: [{ number: 1 }, { number: 1 }] },
      /codeSlots\[1\]\.number: 1/,
    ],
    [
      'a bad weekday window',
      {
        id: 'a',
        name: 'A',
        codeSlots: [
          {
            number: 1,
            accessLimits: { weekdays: [{ weekday: 2, window: { start: '25:00', end: '10:00', mode: 'include' } }] },
          },
        ],
      },
      /codeSlots\[0\]\.accessLimits\.weekdays\[0\]\.window\.start: "25:00"/,
    ],
    [
      'a reversed date range',
      {
        id: 'a',
        name: 'A',
        codeSlots: [{ number: 1, accessLimits: { dateRange: { start: '2026-02-01', end: '2026-01-01' } } }],
      },
      /dateRange\.end/,
    ],
  ];

  it.each(bad)('%s is refused with a typed error naming the field and the value', (_name, input, message) => {
    expect(() => parseLockConfig(input)).toThrow(InvalidArgumentError);
    expect(() => parseLockConfig(input)).toThrow(message);
  });

  it('a config that is not an object is refused', () => {
    expect(() => parseLockConfig(null)).toThrow(/Invalid config: null/);
  });

  it('a bad PIN is refused without echoing it', () => {
    let error: unknown;
    try {
      parseLockConfig({ id: 'a', name: 'A', codeSlots: [{ number: 1, pin: '12x45' }] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('config.codeSlots[0].pin');
    expect(String((error as Error).message)).not.toContain('12x45');
    expect(JSON.stringify(error)).not.toContain('12x45');
  });

  it('a PIN prints as [PIN] everywhere but reveal()', async () => {
    const pin = Pin.from('482913');
    const { inspect } = await import('node:util');
    expect(`${pin}`).toBe('[PIN]');
    expect(JSON.stringify({ pin })).toBe('{"pin":"[PIN]"}');
    expect(inspect({ pin })).not.toContain('482913');
    expect(pin.reveal()).toBe('482913');
  });
});
