import pg from 'pg';
import { runLeaseKey } from '../run-lease';

/** The advisory lock of a run's lease in `pg_locks` (64-bit key = classid << 32 | objid). */
const leaseLock = `locktype = 'advisory' AND ((classid::bigint << 32) | objid::bigint) = $1::bigint`;

async function withAdmin<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/**
 * Ends the database session that holds a run's execution lease, as an administrator's
 * `pg_terminate_backend` or a proxy's idle timeout would. Returns how many sessions were ended.
 */
export function cutRunLease(url: string, runId: string): Promise<number> {
  return withAdmin(url, async (client) => {
    const result = await client.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE ${leaseLock}`, [
      runLeaseKey(runId),
    ]);
    return result.rowCount ?? 0;
  });
}

/** Whether some session holds the run's execution lease now. */
export function runLeaseHeld(url: string, runId: string): Promise<boolean> {
  return withAdmin(url, async (client) => {
    const result = await client.query(`SELECT 1 FROM pg_locks WHERE ${leaseLock} AND granted`, [
      runLeaseKey(runId),
    ]);
    return (result.rowCount ?? 0) > 0;
  });
}
