import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunLeases, runLeaseKey } from './run-lease';
import { createTestDatabase } from './testing/postgres-database';

/** Run leases on a real PostgreSQL: advisory locks held by one connection per process. */
describe('run leases on PostgreSQL', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase('sandtable_lease');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('grants a run to one process at a time; a release hands it on', async () => {
    const first = openRunLeases({ url: database.url });
    const second = openRunLeases({ url: database.url });
    expect(first.kind).toBe('postgres');
    try {
      const held = await first.tryAcquire('run_a');
      expect(held).toBeDefined();
      expect(await second.tryAcquire('run_a')).toBeUndefined();
      // The same process asking again does not get a second lease either.
      expect(await first.tryAcquire('run_a')).toBeUndefined();
      // Another run is free.
      const other = await second.tryAcquire('run_b');
      expect(other).toBeDefined();
      await held?.release();
      await held?.release();
      const taken = await second.tryAcquire('run_a');
      expect(taken).toBeDefined();
      expect(await first.tryAcquire('run_a')).toBeUndefined();
      expect(held?.lost.aborted).toBe(false);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a process whose lease connection dies loses its leases (signalled), and another takes them', async () => {
    const dying = openRunLeases({ url: database.url, heartbeatMs: 50 });
    const other = openRunLeases({ url: database.url });
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const lease = await dying.tryAcquire('run_c');
      expect(lease).toBeDefined();
      expect(await other.tryAcquire('run_c')).toBeUndefined();
      const lost = new Promise<unknown>((resolve) =>
        lease?.lost.addEventListener('abort', () => resolve(lease.lost.reason)),
      );
      // As when the process dies or the connection is cut: the database ends the session.
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'sandtable-run-leases' AND pid IN (
           SELECT pid FROM pg_locks WHERE locktype = 'advisory'
             AND ((classid::bigint << 32) | objid::bigint) = $1::bigint)`,
        [runLeaseKey('run_c')],
      );
      expect(await lost).toMatchObject({ code: 'RUN_LEASE_LOST' });
      expect(await other.tryAcquire('run_c')).toBeDefined();
      // The dying process connects again on its next request, and finds the run taken.
      expect(await dying.tryAcquire('run_c')).toBeUndefined();
      expect(await dying.tryAcquire('run_d')).toBeDefined();
    } finally {
      await admin.end();
      await dying.close();
      await other.close();
    }
  });

  it('closing frees every lease at once', async () => {
    const closing = openRunLeases({ url: database.url });
    const other = openRunLeases({ url: database.url });
    try {
      await closing.tryAcquire('run_e');
      await closing.tryAcquire('run_f');
      await closing.close();
      expect(await other.tryAcquire('run_e')).toBeDefined();
      expect(await other.tryAcquire('run_f')).toBeDefined();
    } finally {
      await other.close();
    }
  });

  it('embedded stores get single-process leases: exclusive within the process only', async () => {
    const leases = openRunLeases({ url: 'memory:' });
    expect(leases.kind).toBe('single-process');
    const lease = await leases.tryAcquire('run_g');
    expect(lease).toBeDefined();
    expect(await leases.tryAcquire('run_g')).toBeUndefined();
    await lease?.release();
    expect(await leases.tryAcquire('run_g')).toBeDefined();
    await leases.close();
  });
});
