// A host driver for a hub with an HTTP API: POST /locks/<id>/lock.
// It follows docs/driver-guide.md: resolve once the hub accepted the command, throw an Error
// when it did not, and pass relock's signal on so an aborted command is not left hanging.
import type { LockDriver } from '../src/index.js';

export function httpLockDriver(baseUrl: string): LockDriver {
  return {
    async lock(lock, { signal }) {
      signal.throwIfAborted();
      const response = await fetch(`${baseUrl}/locks/${encodeURIComponent(lock.id)}/lock`, { method: 'POST', signal });
      if (!response.ok) throw new Error(`hub refused to lock ${lock.name}: HTTP ${response.status}`);
    },
  };
}
