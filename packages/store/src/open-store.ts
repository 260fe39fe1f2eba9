import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { SandtableError } from '@sandtable/core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { StoreDatabase } from './database';
import { lockFolder } from './folder-lock';
import { migrate, readMigrations } from './migrations';
import { schema } from './schema';
import { SqlStore } from './sql-store';
import { defaultStoreDirectory, redactUrl } from './store-location';
import type { Store } from './store-types';

/** Where to open the store. */
export interface OpenStoreOptions {
  /**
   * `postgres://…` / `postgresql://…` for PostgreSQL, or `memory:` for a throwaway in-memory
   * PGlite. @defaultValue `DATABASE_URL` when set (and `directory` is not), else the embedded store
   */
  url?: string;
  /** The embedded store's folder. @defaultValue {@link defaultStoreDirectory} */
  directory?: string;
  /** Environment to read `DATABASE_URL`/`SANDTABLE_HOME` from. @defaultValue process.env */
  environment?: NodeJS.ProcessEnv;
  /** Connections in the PostgreSQL pool. @defaultValue 10 */
  poolSize?: number;
}

/**
 * Opens the store and brings its schema up to date (migrations run on open).
 * Embedded PGlite by default (a folder, locked against a second process); PostgreSQL when a URL
 * is given or `DATABASE_URL` is set.
 * @throws {SandtableError} STORE_UNAVAILABLE (cannot connect or open), STORE_LOCKED (the folder
 * is used by another process), STORE_MIGRATION_FAILED
 * @example
 * const store = await openStore();                          // ~/.local/share/sandtable/store
 * const store = await openStore({ url: process.env.DATABASE_URL });
 * const store = await openStore({ url: 'memory:' });        // tests
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const environment = options.environment ?? process.env;
  const url = options.url ?? (options.directory ? undefined : environment.DATABASE_URL || undefined);
  const migrations = await readMigrations();
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // An idle client's error (server restart) must not crash the process; the next query reports it.
    pool.on('error', () => undefined);
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new SandtableError(
        'STORE_UNAVAILABLE',
        `cannot connect to PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`,
        { category: 'user', cause: error },
      );
    }
    const database = drizzlePostgres({ client: pool, schema }) as unknown as StoreDatabase;
    await migrate(database, migrations).catch(async (error) => {
      await pool.end().catch(() => undefined);
      throw error;
    });
    return new SqlStore(database, { kind: 'postgres', location: redactUrl(url), close: () => pool.end() });
  }
  if (url && url !== 'memory:') {
    throw new SandtableError(
      'STORE_UNAVAILABLE',
      `unsupported store URL "${redactUrl(url)}": use postgres://…, postgresql://… or memory:`,
      { category: 'user' },
    );
  }
  let release: () => void = () => undefined;
  let location = 'memory';
  let client: PGlite;
  try {
    if (url === 'memory:') client = new PGlite();
    else {
      const directory = resolve(options.directory ?? defaultStoreDirectory(environment));
      await mkdir(directory, { recursive: true });
      release = lockFolder(join(directory, 'store.lock'));
      location = directory;
      client = new PGlite(join(directory, 'pgdata'));
    }
    await client.waitReady;
  } catch (error) {
    release();
    if (error instanceof SandtableError) throw error;
    throw new SandtableError(
      'STORE_UNAVAILABLE',
      `cannot open the embedded store at ${location}: ${(error as Error).message}`,
      { category: 'system', cause: error },
    );
  }
  const database = drizzlePglite({ client, schema }) as unknown as StoreDatabase;
  try {
    await migrate(database, migrations);
  } catch (error) {
    await client.close().catch(() => undefined);
    release();
    throw error;
  }
  return new SqlStore(database, {
    kind: 'pglite',
    location,
    close: async () => {
      await client.close();
      release();
    },
  });
}
