/** The inbound router: a command left retained on the broker is never run (it would run at every connect). */
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../../src/bridges/mqtt/config.js';
import { createInboundRouter } from '../../../src/bridges/mqtt/inbound.js';
import { commandTopic } from '../../../src/bridges/mqtt/topics.js';
import type { Relock } from '../../../src/relock.js';

const config = parseBridgeConfig({
  locks: [{ id: 'front', name: 'Front Door', zigbee2mqtt: { lock: 'zigbee2mqtt/Front Lock' } }],
});
const lock = config.locks[0] as (typeof config.locks)[number];

function router() {
  const calls: string[] = [];
  const warnings: string[] = [];
  const relock = {
    startAutolock: async (id: string, seconds?: number) => void calls.push(`start ${id} ${seconds}`),
    reportLockState: (id: string, state: string) => void calls.push(`lock ${id} ${state}`),
  } as unknown as Relock;
  const noop = (): void => {};
  const logger = { debug: noop, info: noop, warn: (message: string) => void warnings.push(message), error: noop };
  return {
    calls,
    warnings,
    routed: createInboundRouter({ config, relock, logger, commands: { relock, logger }, onHomeAssistantOnline: noop }),
  };
}

describe('inbound router', () => {
  it('a retained "lock now" is ignored and logged; the same command sent now runs', () => {
    const { calls, warnings, routed } = router();
    const topic = commandTopic(config, lock, 'lock_now');
    routed.handle(topic, Buffer.from('PRESS'), true);
    expect(calls).toEqual([]);
    expect(warnings).toEqual(['Ignored a retained MQTT command']);
    routed.handle(topic, Buffer.from('PRESS'), false);
    expect(calls).toEqual(['start front 0']);
  });

  it("a retained lock state (zigbee2mqtt's last word) is applied: state is not a command", () => {
    const { calls, routed } = router();
    routed.handle('zigbee2mqtt/Front Lock', Buffer.from('{"lock_state":"unlocked"}'), true);
    expect(calls).toEqual(['lock front unlocked']);
  });
});
