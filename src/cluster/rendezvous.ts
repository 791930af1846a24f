/**
 * Which live member should own a lock: rendezvous (highest random weight) hashing. Every member
 * that sees the same live members picks the same owner for a lock, and when a member joins or
 * leaves only the locks it gains or held move.
 *
 * Invariants: pure; the weight of a (member, lock) pair is FNV-1a (32 bit) of `member \n lock`;
 * ties go to the member whose id sorts first; no member → undefined.
 */

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // a final mix, so ids that differ in their last characters spread well
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  return hash >>> 0;
}

export function rendezvousOwner(lockId: string, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const member of members) {
    const weight = fnv1a(`${member}\n${lockId}`);
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && member < best)) {
      best = member;
      bestWeight = weight;
    }
  }
  return best;
}
