import { describe, expect, it } from 'vitest';
import { isLoopbackHost, tokenRequired } from './auth-policy';

describe('tokenRequired', () => {
  it('lets loopback binds go without a token, unless asked to require one', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host)).toBe(true);
      expect(tokenRequired(host)).toBe(false);
      expect(tokenRequired(host, true)).toBe(true);
    }
  });

  it('requires a token on every other bind, including all-interfaces', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.20',
      '10.0.0.1',
      'example.com',
      '::ffff:10.0.0.1',
      '128.0.0.1',
    ]) {
      expect(isLoopbackHost(host)).toBe(false);
      expect(tokenRequired(host)).toBe(true);
    }
  });
});
