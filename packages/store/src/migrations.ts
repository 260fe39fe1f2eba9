import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SandtableError } from '@sandtable/core';
import { sql } from 'drizzle-orm';
import { rowsOf, type StoreDatabase } from './database';

/** The folder of numbered `.sql` files, applied in name order. */
export const migrationsDirectory = join(import.meta.dirname, '..', 'migrations');

/** One migration file. */
export interface Migration {
  id: string;
  sql: string;
}

/** The checked-in migrations, in order. */
export async function readMigrations(directory = migrationsDirectory): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => /^\d{4}_[a-z0-9_-]+\.sql$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => ({
      id: file.replace(/\.sql$/, ''),
      sql: await readFile(join(directory, file), 'utf8'),
    })),
  );
}

/**
 * Applies the migrations not yet recorded in `sandtable_migrations`, each in its own
 * transaction together with its record, under an advisory lock so two processes opening the same
 * PostgreSQL database at once do not both apply one. Returns the ids applied now.
 * @throws {SandtableError} STORE_MIGRATION_FAILED naming the migration
 */
export async function migrate(database: StoreDatabase, migrations: Migration[]): Promise<string[]> {
  await database.execute(
    sql.raw(
      'CREATE TABLE IF NOT EXISTS sandtable_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    ),
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    try {
      await database.transaction(async (transaction) => {
        // Any fixed key works; it only has to be the same for every Sandtable process.
        await transaction.execute(sql.raw('SELECT pg_advisory_xact_lock(5361726)'));
        const done = await rowsOf(
          transaction,
          sql`SELECT 1 FROM sandtable_migrations WHERE id = ${migration.id}`,
        );
        if (done.length > 0) return;
        for (const statement of splitStatements(migration.sql)) await transaction.execute(sql.raw(statement));
        await transaction.execute(sql`INSERT INTO sandtable_migrations (id) VALUES (${migration.id})`);
        applied.push(migration.id);
      });
    } catch (error) {
      throw new SandtableError(
        'STORE_MIGRATION_FAILED',
        `migration ${migration.id} failed: ${(error as Error).message}`,
        { category: 'system', cause: error },
      );
    }
  }
  return applied;
}

/** Splits a migration into statements on `;` at line ends (the files keep one statement per `;`). */
function splitStatements(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
