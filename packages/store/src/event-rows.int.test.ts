import { openStore } from './open-store';
import type { Store } from './store-types';
import { describeEventRowsContract } from './testing/event-rows-contract';
import { createTestDatabase } from './testing/postgres-database';

let drop: (() => Promise<void>) | undefined;

describeEventRowsContract(
  'PostgreSQL',
  async () => {
    const database = await createTestDatabase('sandtable_event_rows');
    drop = database.drop;
    return openStore({ url: database.url });
  },
  async (store: Store) => {
    await store.close();
    await drop?.();
  },
);
