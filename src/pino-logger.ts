/**
 * Adapts a logger that takes its structured fields first and the message second (pino, bunyan:
 * `log.warn({ lockId }, 'Notifier failed')`) to relock's `Logger` port, which calls
 * `warn(message, fields)`.
 *
 * Invariants:
 * - every call reaches the same level of the target, as `target.level(fields, message)`, with the
 *   fields passed as given (an empty object when relock has none), so each field becomes a
 *   property of the JSON line and the message its `msg`;
 * - the target's methods are called on the target (pino's and bunyan's methods need their `this`);
 * - a pino logger is recognized by the registered symbol pino puts on every logger and child
 *   (`Symbol.for('pino.serializers')`), so `createRelock({ logger: pino() })` is adapted too.
 */
import type { LogFields, Logger } from './logger.js';

/** A logger whose methods take `(fields, message)`: pino, bunyan, and loggers built like them. */
export interface FieldsFirstLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** relock's `Logger` writing through a pino or bunyan logger: `pinoLogger(pino())`. */
export function pinoLogger(target: FieldsFirstLogger): Logger {
  const at =
    (level: (typeof LEVELS)[number]) =>
    (message: string, fields?: LogFields): void =>
      target[level](fields ?? {}, message);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Whether `logger` is a pino logger (or a child of one), which takes its fields first. */
export function isPinoLogger(logger: object): logger is FieldsFirstLogger {
  return Symbol.for('pino.serializers') in logger && LEVELS.every((level) => level in logger);
}
