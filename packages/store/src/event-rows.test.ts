import { openStore } from './open-store';
import { describeEventRowsContract } from './testing/event-rows-contract';

describeEventRowsContract('PGlite (in memory)', () => openStore({ url: 'memory:' }));
