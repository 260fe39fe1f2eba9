import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'bench/**/*.test.ts',
      'tests/**/*.test.ts',
      'scenarios/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CLI runs store themselves in $SANDTABLE_HOME/store: keep tests out of the user's own store.
    env: { SANDTABLE_HOME: join(tmpdir(), 'sandtable-vitest-home') },
  },
});
