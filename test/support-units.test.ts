import { inspect } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { Notifications } from '../src/actors/notifications.js';
import { InvalidArgumentError } from '../src/errors.js';
import { EventHub, type RelockEvent, type RelockEventData } from '../src/events.js';
import { consoleLogger, safeLogger, silentLogger } from '../src/logger.js';
import { Pin } from '../src/model/pin.js';
import { slugify } from '../src/model/slug.js';
import { seal } from '../src/persistence/sealed.js';

describe('small parts', () => {
  it('a sealed value shows a placeholder in JSON, strings and util.inspect', () => {
    const sealed = seal({ pin: '482913' }, 'value');
    expect(JSON.stringify({ sealed })).toBe('{"sealed":"[value]"}');
    expect(`${sealed}`).toBe('[value]');
    expect(inspect(sealed)).toBe('[value]');
    expect(sealed.unseal().pin).toBe('482913');
  });

  it('invalid-argument messages describe values of every kind, briefly', () => {
    expect(new InvalidArgumentError('a', new Date(Number.NaN), 'x').message).toContain('Invalid Date');
    expect(new InvalidArgumentError('a', new Date(0), 'x').message).toContain('1970-01-01T00:00:00.000Z');
    expect(new InvalidArgumentError('a', { long: 'y'.repeat(200) }, 'x').message).toContain('...');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(new InvalidArgumentError('a', circular, 'x').message).toContain('object');
    expect(new InvalidArgumentError('a', () => {}, 'x').message).toContain('function');
    expect(new InvalidArgumentError('slot.pin', '1234', 'x').value).toBe('[redacted]');
  });

  it('loggers: the console one warns, a throwing host logger is contained', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    consoleLogger.warn('w', { a: 1 });
    consoleLogger.error('e');
    consoleLogger.debug('d');
    consoleLogger.info('i');
    expect(warn).toHaveBeenCalledWith('[relock] w', { a: 1 });
    expect(error).toHaveBeenCalledWith('[relock] e', '');
    warn.mockRestore();
    error.mockRestore();
    const boom = () => {
      throw new Error('logger down');
    };
    const safe = safeLogger({ debug: boom, info: boom, warn: boom, error: boom });
    expect(() => safe.error('x')).not.toThrow();
    silentLogger.warn('nothing');
  });

  it('an event subscriber that throws does not stop the others; unsubscribe stops delivery', () => {
    const hub = new EventHub(() => 1_234);
    const seen: RelockEvent[] = [];
    hub.subscribe(() => {
      throw new Error('bad subscriber');
    });
    const off = hub.subscribe((event) => seen.push(event));
    hub.emit({ type: 'autolock.cancelled', lockId: 'a' });
    off();
    hub.emit({ type: 'autolock.cancelled', lockId: 'b' });
    expect(seen).toEqual([{ type: 'autolock.cancelled', lockId: 'a', at: 1_234 }]);
  });

  it('a notifier that throws synchronously is reported, not thrown', async () => {
    const seen: RelockEventData[] = [];
    const notifications = new Notifications(
      {
        notify: () => {
          throw new Error('sync boom');
        },
        dismiss: () => Promise.reject(new Error('async boom')),
      },
      (event) => seen.push(event),
      silentLogger,
    );
    notifications.notify('a', { id: 'n1', title: 't', message: 'm' });
    notifications.dismiss('a', ['n2']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.map((e) => (e.type === 'notifier.error' ? e.message : ''))).toEqual(['sync boom', 'async boom']);
  });

  it('slugs and PINs', () => {
    expect(slugify('Café Door #2')).toBe('cafe_door_2');
    expect(slugify('!!!')).toBe('lock');
    const pin = Pin.from('1234');
    expect(Pin.from(pin)).toBe(pin);
    expect(pin.equals(Pin.from('1234'))).toBe(true);
    expect(pin.equals(null)).toBe(false);
    expect(() => Pin.from(1234)).toThrow(/pin: \[redacted\]/);
  });
});
