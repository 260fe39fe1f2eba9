import { createHash } from 'node:crypto';
import { SandtableError } from '@sandtable/core';
import pg from 'pg';
import { redactUrl } from './store-location';

/**
 * Execution leases: while a process holds a run's lease, no other process sharing the database
 * executes that run. On PostgreSQL a lease is a session-level advisory lock
 * (`pg_try_advisory_lock`) on a 64-bit key derived from the run id, held by one dedicated
 * connection per process; it ends when released, or when that connection (or the process) dies —
 * the database then frees it, and another process may take the run over. Embedded stores (PGlite,
 * `memory:`) are single-process (the store folder is locked), so their leases are always granted.
 * See docs/decisions/0015-run-execution-lease.md.
 */

/** A held lease on one run. */
export interface RunLease {
  readonly runId: string;
  /**
   * Aborted when the lease is lost before it was released: the lease connection ended, so the
   * database has freed the lock (or is about to) and another process may take the run.
   */
  readonly lost: AbortSignal;
  /** Gives the lease up; safe to call twice, and after it was lost. */
  release(): Promise<void>;
}

/** Who executes which run, across the processes that share one database. */
export interface RunLeases {
  /** `postgres`: exclusive across processes; `single-process`: always granted (embedded stores). */
  readonly kind: 'postgres' | 'single-process';
  /**
   * Takes the run's lease without waiting. Undefined when another process (or this one, already)
   * holds it.
   * @throws {SandtableError} STORE_UNAVAILABLE when the database cannot be reached
   */
  tryAcquire(runId: string): Promise<RunLease | undefined>;
  /** Releases every lease and closes the lease connection. */
  close(): Promise<void>;
}

/** Options of {@link openRunLeases}. */
export interface RunLeaseOptions {
  /** The store's URL: `postgres://…` gives advisory-lock leases, anything else single-process ones. */
  url?: string;
  /**
   * How often the lease connection is checked while leases are held; a failed check counts as a
   * lost connection. @defaultValue 5000
   */
  heartbeatMs?: number;
}

/**
 * The advisory-lock key of a run: the first 8 bytes of SHA-256 of `sandtable:run:<id>`, as a
 * signed 64-bit integer (the same in every process and PostgreSQL version).
 */
export function runLeaseKey(runId: string): string {
  const digest = createHash('sha256').update(`sandtable:run:${runId}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Opens the leases for a store: advisory locks for a PostgreSQL URL, single-process leases for
 * anything else (PGlite, `memory:`, no URL).
 * @example
 * const leases = openRunLeases({ url: process.env.DATABASE_URL });
 * const lease = await leases.tryAcquire(run.id);
 * if (lease) try { await execute(run, lease.lost); } finally { await lease.release(); }
 */
export function openRunLeases(options: RunLeaseOptions = {}): RunLeases {
  if (options.url && /^postgres(ql)?:\/\//.test(options.url))
    return new PostgresRunLeases(options.url, options.heartbeatMs ?? 5000);
  return new SingleProcessRunLeases();
}

/** Leases of an embedded store: one process per store, so a lease is exclusive within it only. */
class SingleProcessRunLeases implements RunLeases {
  readonly kind = 'single-process';
  readonly #held = new Set<string>();

  async tryAcquire(runId: string): Promise<RunLease | undefined> {
    if (this.#held.has(runId)) return undefined;
    this.#held.add(runId);
    const controller = new AbortController();
    return {
      runId,
      lost: controller.signal,
      release: async () => {
        this.#held.delete(runId);
      },
    };
  }

  async close(): Promise<void> {
    this.#held.clear();
  }
}

interface HeldLease {
  key: string;
  controller: AbortController;
}

/** Advisory-lock leases on one dedicated PostgreSQL connection per process. */
class PostgresRunLeases implements RunLeases {
  readonly kind = 'postgres';
  readonly #url: string;
  readonly #heartbeatMs: number;
  readonly #held = new Map<string, HeldLease>();
  #client: Promise<pg.Client> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(url: string, heartbeatMs: number) {
    this.#url = url;
    this.#heartbeatMs = heartbeatMs;
  }

  /** The lease connection, opened on first need and again after it was lost. */
  #connection(): Promise<pg.Client> {
    this.#client ??= (async () => {
      const client = new pg.Client({
        connectionString: this.#url,
        keepAlive: true,
        application_name: 'sandtable-run-leases',
      });
      // Registered first: an error on this connection must not crash the process.
      client.on('error', () => this.#lose(client));
      client.on('end', () => this.#lose(client));
      try {
        await client.connect();
      } catch (error) {
        this.#client = undefined;
        throw new SandtableError(
          'STORE_UNAVAILABLE',
          `cannot open the run-lease connection to ${redactUrl(this.#url)}: ${(error as Error).message}`,
          { category: 'system', cause: error },
        );
      }
      return client;
    })();
    return this.#client;
  }

  /** The connection ended: every lease on it is gone. */
  #lose(client: pg.Client): void {
    void this.#client?.then(
      (current) => {
        if (current !== client) return;
        this.#client = undefined;
        const held = [...this.#held.entries()];
        this.#held.clear();
        this.#stopHeartbeat();
        for (const [runId, lease] of held) {
          lease.controller.abort(
            new SandtableError('RUN_LEASE_LOST', `run ${runId}: the lease connection to the database ended`, {
              category: 'system',
            }),
          );
        }
        client.end().catch(() => undefined);
      },
      () => undefined,
    );
  }

  async tryAcquire(runId: string): Promise<RunLease | undefined> {
    if (this.#closed)
      throw new SandtableError('STORE_CLOSED', 'the run leases are closed', { category: 'system' });
    if (this.#held.has(runId)) return undefined;
    const key = runLeaseKey(runId);
    const client = await this.#connection();
    const result = await client.query<{ acquired: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS acquired',
      [key],
    );
    if (!result.rows[0]?.acquired) return undefined;
    const controller = new AbortController();
    const lease: HeldLease = { key, controller };
    this.#held.set(runId, lease);
    this.#startHeartbeat();
    return {
      runId,
      lost: controller.signal,
      release: async () => {
        if (this.#held.get(runId) !== lease) return;
        this.#held.delete(runId);
        if (this.#held.size === 0) this.#stopHeartbeat();
        // A lost connection has freed the lock already.
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
      },
    };
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(() => {
      const pending = this.#client;
      void pending
        ?.then((client) =>
          client.query('SELECT 1').catch(() => {
            this.#lose(client);
          }),
        )
        .catch(() => undefined);
    }, this.#heartbeatMs);
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopHeartbeat();
    this.#held.clear();
    const pending = this.#client;
    this.#client = undefined;
    // Ending the session frees every lock it held.
    const client = await pending?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }
}
