import { openStore } from './open-store';
import { describeStoreContract } from './testing/store-contract';

describeStoreContract('PGlite (in memory)', () => openStore({ url: 'memory:' }));
