/**
 * The Redis side of lock ownership: every check-and-act is one Lua script, so Redis runs it
 * atomically (no other command between the check and the act). Nothing here is consensus of our
 * own: a member's liveness is a key with a PX expiry that Redis itself expires, and a lock's
 * owner is a plain key whose value names the member and its fencing token.
 *
 * Keys (under the cluster prefix `<p>`):
 * - `<p>member:<member>`: present while the member lives (its lease: `SET … PX`, renewed);
 * - `<p>own:<lock>`: `<member>|<token>`, the lock's owner and fencing token;
 * - `<p>fence:<lock>`: the lock's last token; each new owner gets a larger one (at least Redis's
 *   time in ms, so it keeps growing across a Redis restart that lost the data), and a command or
 *   write from an older owner can be told apart.
 *
 * Invariants:
 * - a claim succeeds only when the claimer is alive and the lock has no owner, or an owner whose
 *   member key is gone (its lease passed); it never takes a lock from a live member;
 * - a fenced write or delete of a lock's data happens only while `own:<lock>` holds exactly the
 *   writer's `<member>|<token>` and the writer's member key exists; otherwise it returns 0 and
 *   changes nothing;
 * - a release deletes `own:<lock>` only if it still holds the releaser's value.
 */

/**
 * KEYS: own, member, fence. ARGV: member id, the member-key prefix. Returns `<member>|<token>`,
 * or nil when refused. The token is the larger of the lock's last token + 1 and Redis's own time
 * in ms (`TIME`): it grows with every claim, also after a Redis that lost its data restarts.
 */
export const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then
  local owner = string.match(current, '^(.*)|')
  if owner == ARGV[1] then return current end
  if owner and redis.call('EXISTS', ARGV[2] .. owner) == 1 then return false end
end
if redis.call('EXISTS', KEYS[2]) == 0 then return false end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local token = math.max(tonumber(redis.call('GET', KEYS[3]) or '0') + 1, now)
local text = string.format('%.0f', token)
redis.call('SET', KEYS[3], text)
local value = ARGV[1] .. '|' .. text
redis.call('SET', KEYS[1], value)
return value
`;

/** KEYS: own. ARGV: the owner value. Returns 1 when released, 0 when it was not ours. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

/** KEYS: own, member. ARGV: the owner value. Returns the member's lease left in ms, or -1 when not the owner. */
export const CHECK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local left = redis.call('PTTL', KEYS[2])
if left < 0 then return -1 end
return left
`;

/** KEYS: data, own, member. ARGV: owner value, value. Returns 1 when written, 0 when refused. */
export const FENCED_SET = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: data, own, member. ARGV: owner value. Returns 1 when deleted (or nothing was there), 0 when refused. */
export const FENCED_DELETE = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;
