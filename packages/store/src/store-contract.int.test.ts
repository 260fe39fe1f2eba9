import { openStore } from './open-store';
import type { Store } from './store-types';
import { createTestDatabase } from './testing/postgres-database';
import { describeStoreContract } from './testing/store-contract';

let drop: (() => Promise<void>) | undefined;

describeStoreContract(
  'PostgreSQL',
  async () => {
    const database = await createTestDatabase('sandtable_contract');
    drop = database.drop;
    return openStore({ url: database.url });
  },
  async (store: Store) => {
    await store.close();
    await drop?.();
  },
);
