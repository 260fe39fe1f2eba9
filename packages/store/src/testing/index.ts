/** @sandtable/store/testing — the storage contract suite and a throwaway PostgreSQL database, for any backend. */

export {
  engineFactory,
  harbourTownFile,
  harbourTownText,
  simulatedRouter,
  startDeterministicModelServer,
} from './model-world';
export { describePersistenceContract } from './persistence-contract';
export { createTestDatabase, testPostgresUrl } from './postgres-database';
export { cutRunLease, runLeaseHeld } from './run-lease-sessions';
export { describeStoreContract, sampleStepEvents } from './store-contract';
