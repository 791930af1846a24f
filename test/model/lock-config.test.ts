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
    ['a non-boolean flag', { id: 'a', name: 'A', hasDoorSensor: 'yes' }, /config\.hasDoorSensor: "yes"/],
    ['autolock that is not an object', { id: 'a', name: 'A', autolock: 5 }, /config\.autolock: 5/],
    ['notifications that are not an object', { id: 'a', name: 'A', notifications: [] }, /config\.notifications/],
    ['code slots that are not an array', { id: 'a', name: 'A', codeSlots: {} }, /config\.codeSlots/],
    ['a code slot that is not an object', { id: 'a', name: 'A', codeSlots: [7] }, /config\.codeSlots\[0\]: 7/],
    ['slot number 0', { id: 'a', name: 'A', codeSlots: [{ number: 0 }] }, /codeSlots\[0\]\.number: 0/],
    [
      'a slot name that is not a string',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, name: 5 }] },
      /codeSlots\[0\]\.name: 5/,
    ],
    [
      'limits that are not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: 'x' }] },
      /accessLimits: "x"/,
    ],
    [
      'a negative use count',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { useCount: -1 } }] },
      /useCount: -1/,
    ],
    [
      'a date range that is not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { dateRange: 3 } }] },
      /dateRange: 3/,
    ],
    [
      'a malformed date',
      {
        id: 'a',
        name: 'A',
        codeSlots: [{ number: 1, accessLimits: { dateRange: { start: '2026-13-45', end: '2026-12-01' } } }],
      },
      /dateRange\.start/,
    ],
    [
      'weekdays that are not an array',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: {} } }] },
      /weekdays: \{\}/,
    ],
    [
      'a weekday that is not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [1] } }] },
      /weekdays\[0\]: 1/,
    ],
    [
      'weekday 7',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 7 }] } }] },
      /weekdays\[0\]\.weekday: 7/,
    ],
    [
      'a weekday listed twice',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 1 }, { weekday: 1 }] } }] },
      /weekdays\[1\]\.weekday: 1/,
    ],
    [
      'a window that is not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 1, window: 'am' }] } }] },
      /window: "am"/,
    ],
    [
      'a window with an unknown mode',
      {
        id: 'a',
        name: 'A',
        codeSlots: [
          {
            number: 1,
            accessLimits: { weekdays: [{ weekday: 1, window: { start: '08:00', end: '09:00', mode: 'maybe' } }] },
          },
        ],
      },
      /window\.mode: "maybe"/,
    ],
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

  it('a rejected object that holds a PIN shows neither the PIN in the message nor in the value', () => {
    let error: unknown;
    try {
      parseLockConfig({ id: 'a', name: 'A', codeSlots: { slot: { number: 1, pin: '904417' } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toContain('"pin":"[redacted]"');
    expect(JSON.stringify((error as InvalidArgumentError).value)).not.toContain('904417');
    expect((error as Error).message).not.toContain('904417');
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
