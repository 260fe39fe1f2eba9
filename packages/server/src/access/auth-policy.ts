import { isIP } from 'node:net';

/**
 * True when `host` reaches this machine only: `localhost`, 127.0.0.0/8, `::1` (and the IPv4-mapped
 * `::ffff:127.x.x.x`). `0.0.0.0` and `::` bind every interface, so they are not loopback.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  const version = isIP(bare);
  if (version === 4) return bare.startsWith('127.');
  if (version === 6) {
    const lower = bare.toLowerCase();
    return lower === '::1' || (lower.startsWith('::ffff:') && lower.slice(7).startsWith('127.'));
  }
  return false;
}

/**
 * Whether every API route (all but `/healthz` and `/readyz`) requires `Authorization: Bearer
 * <token>`: yes when the server is bound to anything but loopback, or when asked to always.
 */
export function tokenRequired(boundHost: string, requireToken = false): boolean {
  return requireToken || !isLoopbackHost(boundHost);
}
