/**
 * The bin's logger: one line per message, `<ISO time> <level> <message> <fields as JSON>`, to a
 * writable (standard error by default), from a minimum level on.
 *
 * Invariants: a line is never split (fields are JSON on the same line); levels below the minimum
 * are dropped; writing never throws into relock (relock's `safeLogger` guards it too). Nothing
 * here adds a secret: relock and the bridge never pass a PIN or a password in fields.
 */
import type { LogFields, Logger } from '../../logger.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function lineLogger(minimum: LogLevel, write: (line: string) => void): Logger {
  const rank = LOG_LEVELS.indexOf(minimum);
  const at =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (LOG_LEVELS.indexOf(level) < rank) return;
      let extra = '';
      if (fields !== undefined && Object.keys(fields).length > 0) {
        try {
          extra = ` ${JSON.stringify(fields)}`;
        } catch {
          extra = ' [fields not serializable]';
        }
      }
      write(`${new Date().toISOString()} ${level} ${message}${extra}\n`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
