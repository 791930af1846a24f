/**
 * Makes an XState actor system's `cancelAll` cost what the stopping actor has scheduled, not
 * what the whole system has.
 *
 * XState 5.33's scheduler cancels a stopping actor's delayed events by scanning every delayed
 * event of the system. When every store write and fire was an invoked promise (an actor that
 * stops), with 10,000 armed timers each write cost a 10,000-entry scan: starting 4,000 autolocks
 * took 2.2 s, 10,000 took 14 s. Requests are messages now, but removing, reloading or stopping
 * 10,000 locks still stops 10,000 actors (and a host's own invoked actors stop too). This keeps an
 * index of scheduled ids per source actor beside XState's own table.
 *
 * Invariants:
 * - behaviour is XState's: `schedule` and `cancel` are the originals, called with the same ids;
 *   `cancelAll(actor)` cancels exactly the events that actor scheduled and that are still pending;
 * - the index holds only ids: one for each delayed event, pruned when it fires or is cancelled.
 */
import type { ActorSystem, AnyActorRef } from 'xstate';

// biome-ignore lint/suspicious/noExplicitAny: XState's own alias for a system of any actors
export function indexSchedulerBySource(system: ActorSystem<any>): void {
  const { scheduler } = system;
  const schedule = scheduler.schedule.bind(scheduler);
  const cancel = scheduler.cancel.bind(scheduler);
  const bySource = new Map<AnyActorRef, Set<string>>();
  const pending = () => system.getSnapshot()._scheduledEvents;
  const key = (source: AnyActorRef, id: string) => `${source.sessionId}.${id}`;

  const forget = (source: AnyActorRef, id: string): void => {
    const ids = bySource.get(source);
    ids?.delete(id);
    if (ids?.size === 0) bySource.delete(source);
  };

  scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
    let ids = bySource.get(source);
    if (ids === undefined) {
      ids = new Set();
      bySource.set(source, ids);
    } else if (ids.size >= 8) {
      // drop ids whose event has already fired (XState removes those from its own table)
      const table = pending();
      for (const known of ids) if (!(key(source, known) in table)) ids.delete(known);
    }
    ids.add(id);
    schedule(source, target, event, delay, id);
  };
  scheduler.cancel = (source, id) => {
    forget(source, id);
    cancel(source, id);
  };
  scheduler.cancelAll = (source) => {
    const ids = bySource.get(source);
    if (ids === undefined) return;
    bySource.delete(source);
    for (const id of ids) cancel(source, id);
  };
}
