import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server the `*.int.test.ts` suites use: `SANDTABLE_TEST_POSTGRES`, else the local one. */
export const testPostgresUrl =
  process.env.SANDTABLE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Creates a uniquely named database on the test server (so suites pass side by side and on a
 * freshly restarted server) and returns its URL and the function that drops it.
 */
export async function createTestDatabase(
  prefix = 'sandtable_test',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testPostgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(testPostgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: testPostgresUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
