import { openStore } from './open-store';
import { describePersistenceContract } from './testing/persistence-contract';

describePersistenceContract('PGlite (in memory)', () => openStore({ url: 'memory:' }));
