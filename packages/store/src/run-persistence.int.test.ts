import { openStore } from './open-store';
import type { Store } from './store-types';
import { describePersistenceContract } from './testing/persistence-contract';
import { createTestDatabase } from './testing/postgres-database';

let drop: (() => Promise<void>) | undefined;

describePersistenceContract(
  'PostgreSQL',
  async () => {
    const database = await createTestDatabase('sandtable_persistence');
    drop = database.drop;
    return openStore({ url: database.url });
  },
  async (store: Store) => {
    await store.close();
    await drop?.();
  },
);
