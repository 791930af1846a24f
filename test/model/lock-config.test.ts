import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseAutolockSettings, parseLockConfig, parseLockConfigs } from '../../src/model/lock-config.js';
import { Pin } from '../../src/model/pin.js';

describe('lock config', () => {
  it('applies the upstream defaults: autolock off, 120 day minutes, 15 night minutes, countdown door mode', () => {
    expect(parseLockConfig({ id: 'a', name: 'A' }).autolock).toEqual({
      enabled: false,
      dayMinutes: 120,
      nightMinutes: 15,
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
    expect(parseLockConfig({ id: 'a', name: 'A' }).reportsLockState).toBe(true);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['a non-boolean flag', { id: 'a', name: 'A', hasDoorSensor: 'yes' }, /config\.hasDoorSensor: "yes"/],
    ['autolock that is not an object', { id: 'a', name: 'A', autolock: 5 }, /config\.autolock: 5/],
    ['notifications that are not an object', { id: 'a', name: 'A', notifications: [] }, /config\.notifications/],
    ['code slots that are not an array', { id: 'a', name: 'A', codeSlots: {} }, /config\.codeSlots/],
    [
      'a code slot that is not an object',
      { id: 'a', name: 'A', codeSlots: [7] },
      /config\.codeSlots\[0\]: \[redacted\]/,
    ],
    ['slot number 0', { id: 'a', name: 'A', codeSlots: [{ number: 0 }] }, /codeSlots\[0\]\.number: \[redacted\]/],
    [
      'a slot name that is not a string',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, name: 5 }] },
      /codeSlots\[0\]\.name: \[redacted\]/,
    ],
    [
      'limits that are not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: 'x' }] },
      /codeSlots\[0\]\.accessLimits: \[redacted\]/,
    ],
    [
      'a negative use count',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { useCount: -1 } }] },
      /accessLimits\.useCount: \[redacted\]/,
    ],
    [
      'a date range that is not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { dateRange: 3 } }] },
      /accessLimits\.dateRange: \[redacted\]/,
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
      /accessLimits\.weekdays: \[redacted\]/,
    ],
    [
      'a weekday that is not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [1] } }] },
      /weekdays\[0\]: \[redacted\]/,
    ],
    [
      'weekday 7',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 7 }] } }] },
      /weekdays\[0\]\.weekday: \[redacted\]/,
    ],
    [
      'a weekday listed twice',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 1 }, { weekday: 1 }] } }] },
      /weekdays\[1\]\.weekday: \[redacted\] \(expected a weekday not listed twice\)/,
    ],
    [
      'a window that is not an object',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 1, window: 'am' }] } }] },
      /weekdays\[0\]\.window: \[redacted\]/,
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
      /window\.mode: \[redacted\]/,
    ],
    ['a missing id', { name: 'A' }, /config\.id: undefined/],
    ['an id with spaces', { id: 'front door', name: 'A' }, /config\.id: "front door"/],
    ['an empty name', { id: 'a', name: ' ' }, /config\.name/],
    ['negative day minutes', { id: 'a', name: 'A', autolock: { dayMinutes: -1 } }, /config\.autolock\.dayMinutes: -1/],
    [
      'a duplicate slot',
      { id: 'a', name: 'A', codeSlots: [{ number: 1 }, { number: 1 }] },
      /codeSlots\[1\]\.number: \[redacted\] \(expected a slot number not used twice\)/,
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
      /codeSlots\[0\]\.accessLimits\.weekdays\[0\]\.window\.start: \[redacted\]/,
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

  // inside a code slot the value is never shown (10.13): a PIN may have been typed into any field
  it.each(bad)(
    '%s is refused with a typed error naming the field and the value (unless in a code slot)',
    (_name, input, message) => {
      expect(() => parseLockConfig(input)).toThrow(InvalidArgumentError);
      expect(() => parseLockConfig(input)).toThrow(message);
    },
  );

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
      parseLockConfig({ id: 'a', name: 'A', notifications: [{ slot: { number: 1, pin: '904417' } }] });
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

describe('(10.13) secrets in code slots', () => {
  const PIN = '482913';
  const caught = (run: () => unknown): InvalidArgumentError => {
    try {
      run();
    } catch (error) {
      if (error instanceof InvalidArgumentError) return error;
      throw error;
    }
    throw new Error('expected an InvalidArgumentError');
  };
  const shows = (error: InvalidArgumentError): string =>
    [error.message, error.stack, JSON.stringify(error.value), String(error.value), JSON.stringify(error)].join('\n');

  it('(10.13) a code slot given as a bare PIN string is refused without the PIN in the message, stack or value', () => {
    const error = caught(() => parseLockConfig({ id: 'a', name: 'A', codeSlots: [PIN] }));
    expect(error.field).toBe('config.codeSlots[0]');
    expect(error.message).toMatch(/Invalid config\.codeSlots\[0\]: \[redacted\] \(expected an object\)/);
    expect(shows(error)).not.toContain(PIN);
  });

  const slotFields: Array<[string, unknown, string]> = [
    ['codeSlots itself', PIN, 'config.codeSlots'],
    ['a slot number', Number(PIN), 'config.codeSlots[0].number'],
    ['a slot name', Number(PIN), 'config.codeSlots[0].name'],
    ['a slot flag', PIN, 'config.codeSlots[0].enabled'],
    ['access limits', PIN, 'config.codeSlots[0].accessLimits'],
    ['a use count', `${PIN}`, 'config.codeSlots[0].accessLimits.useCount'],
    ['a date range', PIN, 'config.codeSlots[0].accessLimits.dateRange'],
    ['a weekday', Number(PIN), 'config.codeSlots[0].accessLimits.weekdays[0].weekday'],
    ['a window', PIN, 'config.codeSlots[0].accessLimits.weekdays[0].window'],
  ];
  const placed = (where: string, value: unknown): unknown => {
    const slot: Record<string, unknown> = { number: 1 };
    if (where === 'codeSlots itself') return { id: 'a', name: 'A', codeSlots: value };
    if (where === 'a slot number') slot.number = value;
    if (where === 'a slot name') slot.name = value;
    if (where === 'a slot flag') slot.enabled = value;
    if (where === 'access limits') slot.accessLimits = value;
    if (where === 'a use count') slot.accessLimits = { useCount: value };
    if (where === 'a date range') slot.accessLimits = { dateRange: value };
    if (where === 'a weekday') slot.accessLimits = { weekdays: [{ weekday: value }] };
    if (where === 'a window') slot.accessLimits = { weekdays: [{ weekday: 1, window: value }] };
    return { id: 'a', name: 'A', codeSlots: [slot] };
  };

  it.each(slotFields)(
    '(10.13) a PIN typed into %s is refused, naming the field but not the value',
    (where, value, field) => {
      const error = caught(() => parseLockConfig(placed(where, value)));
      expect(error.field).toBe(field);
      expect(error.value).toBe('[redacted]');
      expect(shows(error)).not.toContain(PIN);
    },
  );

  it('(10.13) a rejected array of configs whose code slots hold bare PINs does not show them', () => {
    const error = caught(() => parseLockConfig([{ id: 'a', name: 'A', codeSlots: [PIN, { pin: PIN }] }]));
    expect(error.field).toBe('config');
    expect(shows(error)).not.toContain(PIN);
  });
});

describe('(10.17) unknown keys, impossible dates, repeated ids', () => {
  it('(10.17) autolock settings with an unknown key are refused, naming the key', () => {
    expect(() => parseAutolockSettings({ bogus: 1 }, 'settings')).toThrow(InvalidArgumentError);
    expect(() => parseAutolockSettings({ bogus: 1 }, 'settings')).toThrow(
      /Invalid settings\.bogus: 1 \(expected no such key; known: enabled, dayMinutes, nightMinutes, dayEnabled, nightEnabled, doorMode, afterCloseSeconds, doorOpenNoticeMinutes, maxAttempts, retryDelaySeconds, confirmSeconds, warnSeconds, warnNotification, retryWhenDoorCloses\)/,
    );
    expect(() => parseAutolockSettings({ enabled: true, dayminutes: 5 }, 'settings')).toThrow(/settings\.dayminutes/);
    expect(parseAutolockSettings({ enabled: true }, 'settings').enabled).toBe(true);
  });

  const unknownKeys: Array<[string, unknown, string]> = [
    ['a lock config', { id: 'a', name: 'A', autoLock: {} }, 'config.autoLock'],
    ['autolock settings', { id: 'a', name: 'A', autolock: { minutes: 5 } }, 'config.autolock.minutes'],
    ['notifications', { id: 'a', name: 'A', notifications: { failed: true } }, 'config.notifications.failed'],
    ['a code slot', { id: 'a', name: 'A', codeSlots: [{ number: 1, code: '482913' }] }, 'config.codeSlots[0].code'],
    [
      'access limits',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { uses: 3 } }] },
      'config.codeSlots[0].accessLimits.uses',
    ],
    [
      'a date range',
      {
        id: 'a',
        name: 'A',
        codeSlots: [{ number: 1, accessLimits: { dateRange: { from: 'x', start: '2026-01-01', end: '2026-01-02' } } }],
      },
      'config.codeSlots[0].accessLimits.dateRange.from',
    ],
    [
      'a weekday',
      { id: 'a', name: 'A', codeSlots: [{ number: 1, accessLimits: { weekdays: [{ weekday: 1, day: 1 }] } }] },
      'config.codeSlots[0].accessLimits.weekdays[0].day',
    ],
    [
      'a window',
      {
        id: 'a',
        name: 'A',
        codeSlots: [
          {
            number: 1,
            accessLimits: {
              weekdays: [{ weekday: 1, window: { start: '08:00', end: '09:00', mode: 'include', tz: 'x' } }],
            },
          },
        ],
      },
      'config.codeSlots[0].accessLimits.weekdays[0].window.tz',
    ],
  ];

  it.each(unknownKeys)('(10.17) %s with an unknown key is refused, naming the key', (_where, input, field) => {
    let error: unknown;
    try {
      parseLockConfig(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
    expect((error as Error).message).toMatch(/expected no such key; known: /);
    expect((error as Error).message).not.toContain('482913');
  });

  const withRange = (start: string, end: string) => ({
    id: 'a',
    name: 'A',
    codeSlots: [{ number: 1, accessLimits: { dateRange: { start, end } } }],
  });

  it.each([
    ['2026-02-30', '2026-03-01', 'start'],
    ['2026-02-01', '2026-02-29', 'end'],
    ['2026-04-31', '2026-05-01', 'start'],
    ['2026-01-01', '2026-01-32', 'end'],
    ['2026-00-10', '2026-01-01', 'start'],
  ])('(10.17) the impossible calendar date in %s .. %s is refused', (start, end, part) => {
    expect(() => parseLockConfig(withRange(start, end))).toThrow(InvalidArgumentError);
    expect(() => parseLockConfig(withRange(start, end))).toThrow(
      new RegExp(
        `codeSlots\\[0\\]\\.accessLimits\\.dateRange\\.${part}: \\[redacted\\] \\(expected a date YYYY-MM-DD that exists\\)`,
      ),
    );
  });

  it('(10.17) real calendar dates, 29 February of a leap year included, are accepted', () => {
    const parsed = parseLockConfig(withRange('2028-02-29', '2028-12-31'));
    expect(parsed.codeSlots[0]?.accessLimits.dateRange).toEqual({ start: '2028-02-29', end: '2028-12-31' });
  });

  it('(10.17) an id repeated inside one call is refused as repeated, naming both places', () => {
    const configs = [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
      { id: 'c', name: 'C' },
      { id: 'b', name: 'B again' },
    ];
    let error: unknown;
    try {
      parseLockConfigs(configs);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('configs[3].id');
    expect((error as Error).message).toMatch(
      /Invalid configs\[3\]\.id: "b" \(expected an id not repeated in one call; configs\[1\]\.id is "b" too\)/,
    );
    expect((error as Error).message).not.toMatch(/already registered/);
    expect(parseLockConfigs(configs.slice(0, 3)).map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(parseLockConfigs([{ id: 'a', name: 'A' }])[0]?.id).toBe('a');
  });
});
