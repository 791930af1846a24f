/** status(id) says the autolock settings in force: a UI (the MQTT bridge's numbers) shows them as they are. */
import { describe, expect, it } from 'vitest';
import { relockHarness } from '../support/relock-harness.js';

describe('status autolockSettings', () => {
  it('reports the minutes in force, after setAutolock and after a restart that keeps the stored settings', async () => {
    const h = await relockHarness();
    await h.relock.addLock({ id: 'front', name: 'Front Door', autolock: { enabled: true, dayMinutes: 7 } });
    expect(h.relock.status('front').autolockSettings).toMatchObject({ enabled: true, dayMinutes: 7 });
    h.relock.setAutolock('front', { nightMinutes: 3 });
    expect(h.relock.status('front').autolockSettings).toMatchObject({ dayMinutes: 7, nightMinutes: 3 });
    await h.relock.stop();
    // no autolock block from the host: the stored settings stay, and status says them
    const next = await relockHarness({ clock: h.clock, map: h.map });
    await next.relock.addLock({ id: 'front', name: 'Front Door' });
    expect(next.relock.status('front').autolockSettings).toMatchObject({ dayMinutes: 7, nightMinutes: 3 });
    await next.relock.stop();
  });
});
