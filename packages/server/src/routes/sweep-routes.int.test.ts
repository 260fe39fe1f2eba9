import { openStore } from '@sandtable/store';
import { createTestDatabase } from '@sandtable/store/testing';
import { describe, it } from 'vitest';
import { expectSweepSurvivesRestart } from '../execution/sweep-test-support';

describe('sweeps on PostgreSQL', () => {
  it('survive a restart: the sweep completes with every member once and the same report', async () => {
    const database = await createTestDatabase('sandtable_sweeps');
    try {
      await expectSweepSurvivesRestart(() => openStore({ url: database.url }));
    } finally {
      await database.drop();
    }
  }, 120_000);
});
