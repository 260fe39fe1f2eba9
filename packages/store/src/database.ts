import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { schema } from './schema';

/** The drizzle database both drivers give (PGlite and node-postgres differ only in their result type). */
export type StoreDatabase = PgDatabase<PgQueryResultHKT, typeof schema>;

/** A transaction or the database itself: anything that runs queries. */
export type Queryable = Pick<StoreDatabase, 'select' | 'insert' | 'update' | 'delete' | 'execute'>;

/** Runs raw SQL and returns its rows (both drivers put them in `rows`). */
export async function rowsOf<Row = Record<string, unknown>>(database: Queryable, query: SQL): Promise<Row[]> {
  const result = (await database.execute(query)) as unknown as { rows: Row[] };
  return result.rows;
}
