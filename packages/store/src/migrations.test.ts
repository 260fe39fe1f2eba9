import { PGlite } from '@electric-sql/pglite';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoreDatabase } from './database';
import { migrate, readMigrations } from './migrations';
import { schema } from './schema';

const client = new PGlite();
afterAll(() => client.close());

describe('migrations', () => {
  it('create every table and column the drizzle schema declares, once, in order', async () => {
    const database = drizzle({ client, schema }) as unknown as StoreDatabase;
    const migrations = await readMigrations();
    expect(migrations.map((migration) => migration.id)).toEqual([
      '0001_initial',
      '0002_json_as_text',
      '0003_model_call_attempts',
      '0004_sweeps',
      '0005_beliefs',
    ]);
    expect(await migrate(database, migrations)).toEqual([
      '0001_initial',
      '0002_json_as_text',
      '0003_model_call_attempts',
      '0004_sweeps',
      '0005_beliefs',
    ]);
    expect(await migrate(database, migrations)).toEqual([]);
    const { rows } = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`,
    );
    const actual = new Map(rows.map((row) => [`${row.table_name}.${row.column_name}`, row.data_type]));
    for (const table of Object.values(schema)) {
      const config = getTableConfig(table);
      for (const column of config.columns) {
        const type = actual.get(`${config.name}.${column.name}`);
        expect(type, `${config.name}.${column.name}`).toBeDefined();
        const declared = column.getSQLType();
        expect(
          type?.startsWith(declared.split(' ')[0]!) ||
            (declared === 'timestamp with time zone' && type === declared),
        ).toBe(true);
      }
    }
  });
});
