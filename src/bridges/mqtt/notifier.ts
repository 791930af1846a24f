/**
 * relock's notifier over MQTT: each notification and dismissal is a JSON message on the
 * notifications topic, `{"action":"notify","id","title","message"}` or
 * `{"action":"dismiss","id"}`, which a Home Assistant automation turns into persistent
 * notifications (README, "Home Assistant over MQTT").
 *
 * Invariants:
 * - per notification id only the latest action counts: while the broker is away the latest one
 *   is kept and published once it is back (a notice posted then dismissed during an outage
 *   sends only the dismissal); a message is kept until it was published;
 * - notify and dismiss never throw and never wait for the broker (relock's actors never block
 *   on it); a failed publish is logged and kept for the next connect;
 * - messages are not retained: a restarted Home Assistant does not replay old notices;
 * - relock's notifications hold no PIN, and nothing else is added.
 */
import type { Logger } from '../../logger.js';
import type { Notifier } from '../../ports/notifier.js';
import type { MqttLink } from './connection.js';

export interface MqttNotifier extends Notifier {
  /** Publishes what is waiting (called at each connect). */
  flush(): void;
}

export function mqttNotifier(link: MqttLink, topic: string, logger: Logger): MqttNotifier {
  const pending = new Map<string, string>();

  const send = (id: string, message: string): void => {
    if (!link.connected) return;
    link.publish(topic, message).then(
      () => {
        if (pending.get(id) === message) pending.delete(id);
      },
      (error: Error) =>
        logger.warn('Notification not published; kept for the next connect', { id, message: error.message }),
    );
  };

  const put = (id: string, message: string): void => {
    pending.set(id, message);
    send(id, message);
  };

  return {
    notify(notification) {
      put(
        notification.id,
        JSON.stringify({
          action: 'notify',
          id: notification.id,
          title: notification.title,
          message: notification.message,
        }),
      );
    },
    dismiss(id) {
      put(id, JSON.stringify({ action: 'dismiss', id }));
    },
    flush() {
      for (const [id, message] of pending) send(id, message);
    },
  };
}
