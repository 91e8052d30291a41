import { describe, expect, it } from 'vitest';
import { maskUrl, probeRedis, redisOptions } from '../../src/sweep/redis.js';

describe('redis addresses', () => {
  it('redis://HOST:PORT[/DB], with an optional user and password', () => {
    expect(redisOptions('redis://127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380, db: 0, maxRetriesPerRequest: null });
    expect(redisOptions('redis://:s%40cret@queue.lab/2')).toMatchObject({ host: 'queue.lab', port: 6379, db: 2, password: 's@cret' });
  });
  it('rejects other schemes, missing hosts and bad databases, naming the value', () => {
    expect(() => redisOptions('http://x:1')).toThrow("--queue 'http://x:1': the scheme must be redis:// (got http://)");
    expect(() => redisOptions('127.0.0.1:6379')).toThrow(/is not a URL: write redis:\/\/HOST:PORT/);
    expect(() => redisOptions('redis://')).toThrow("--queue 'redis://' names no host");
    expect(() => redisOptions('not a url')).toThrow("--queue 'not a url' is not a URL");
    expect(() => redisOptions('redis://h/x')).toThrow("the database 'x' is not a whole number");
  });
  it('messages leave the password out', () => {
    expect(maskUrl('redis://u:pw@h:1/0')).toBe('redis://h:1/0');
  });
  it('an address where nothing listens is an error at once, not a retry loop', async () => {
    await expect(probeRedis('redis://127.0.0.1:1')).rejects.toThrow('cannot reach Redis at redis://127.0.0.1:1: connect ECONNREFUSED');
  });
});
