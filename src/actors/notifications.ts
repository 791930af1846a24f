/**
 * The notifier port made safe for actors: fire-and-forget calls whose failures become events.
 *
 * Invariants:
 * - a notify or dismiss never throws into, and never blocks, the actor that asked for it;
 * - a failure (throw or rejection) is reported as `notifier.error` with the notification id;
 * - each dismissal is independent: one failing does not stop the others.
 */
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { Notification, Notifier } from '../ports/notifier.js';

export class Notifications {
  readonly #notifier: Notifier;
  readonly #emit: EventSink;
  readonly #logger: Logger;

  constructor(notifier: Notifier, emit: EventSink, logger: Logger) {
    this.#notifier = notifier;
    this.#emit = emit;
    this.#logger = logger;
  }

  #run(lockId: string, notificationId: string, call: () => Promise<void> | void): void {
    const report = (error: unknown): void => {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.warn('Notifier failed', { lockId, notificationId, message });
      this.#emit({ type: 'notifier.error', lockId, notificationId, message });
    };
    try {
      Promise.resolve(call()).catch(report);
    } catch (error) {
      report(error);
    }
  }

  notify(lockId: string, notification: Notification): void {
    this.#run(lockId, notification.id, () => this.#notifier.notify(notification));
  }

  dismiss(lockId: string, ids: readonly string[]): void {
    for (const id of ids) this.#run(lockId, id, () => this.#notifier.dismiss(id));
  }
}
