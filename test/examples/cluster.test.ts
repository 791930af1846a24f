/** The README's cluster example (examples/cluster.ts) runs against a real redis-server. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clusterExample } from '../../examples/cluster.js';
import { describeWithRedis, type RedisServer, startRedis } from '../support/redis-server.js';

describeWithRedis('the cluster example', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());

  it('splits the locks between two members, then the one left takes all over and locks each once', async () => {
    const lines: string[] = [];
    await clusterExample(redis.url, (line) => lines.push(line));
    const split = lines[0]?.match(/^A owns (.*); B owns (.*)$/);
    expect(split).not.toBeNull();
    const ofA = (split?.[1] ?? '').split(', ').filter(Boolean);
    const ofB = (split?.[2] ?? '').split(', ').filter(Boolean);
    expect([...ofA, ...ofB].sort()).toEqual(['back', 'front', 'garage', 'shed']);
    // (how 4 locks split depends on the members' random ids: B may get none)
    expect(lines[1]).toBe('after A left, B owns back, front, garage, shed');
    const commands = lines.slice(2);
    expect(commands.map((line) => line.split(' ')[2]).sort()).toEqual(['back', 'front', 'garage', 'shed']);
    expect(commands.every((line) => line.startsWith('B locks '))).toBe(true);
    // every lock had an owner before B: its token is larger than the first claim's
    expect(commands.every((line) => /\(token ([2-9]|\d\d+)\)$/.test(line))).toBe(true);
  });
});
