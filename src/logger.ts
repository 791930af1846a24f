/**
 * The logging port: the host passes its own logger, or relock stays quiet but for warnings.
 *
 * Invariants:
 * - relock logs a message and structured fields; it never logs a PIN (lock records go through
 *   `Sealed`, and code-slot PINs through `Pin`, both of which print as placeholders);
 * - a logger that throws is ignored: logging can never break an actor;
 * - a logger that takes its fields first (pino, bunyan) goes through `pinoLogger`; a pino logger
 *   passed as it is is recognized and adapted by `safeLogger`, so its fields are never lost.
 */
import { isPinoLogger, pinoLogger } from './pino-logger.js';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const noop = (): void => {};

/** Warnings and errors to the console; debug and info dropped. */
export const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (message, fields) => console.warn(`[relock] ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`[relock] ${message}`, fields ?? ''),
};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Wraps a host logger so that a throwing logger never propagates (a pino logger adapted first). */
export function safeLogger(host: Logger): Logger {
  const logger = isPinoLogger(host) ? pinoLogger(host) : host;
  const guard =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      try {
        logger[level](message, fields);
      } catch {
        // a broken logger must not break an actor
      }
    };
  return { debug: guard('debug'), info: guard('info'), warn: guard('warn'), error: guard('error') };
}
