/**
 * @sandtable/store — Sandtable's persistence: one schema and one query layer (drizzle) for the
 * embedded PGlite store (a folder, the default) and PostgreSQL (`DATABASE_URL`); migrations on
 * open; step-by-step run recording and exact resume.
 *
 * @example
 * import { openStore } from '@sandtable/store';
 * const store = await openStore();
 * const workspace = await store.defaultWorkspace();
 * const runs = await store.listRuns({ workspaceId: workspace.id });
 */

export {
  type BeliefPositionsAtStep,
  type BeliefSeries,
  beliefChangesOf,
  beliefPositionsAt,
  beliefSeriesOf,
} from './belief-history';
export { type Migration, migrate, migrationsDirectory, readMigrations } from './migrations';
export { type OpenStoreOptions, openStore } from './open-store';
export { PersistentRouter } from './persistent-router';
export { openRunLeases, type RunLease, type RunLeaseOptions, type RunLeases, runLeaseKey } from './run-lease';
export {
  type CommittedBatch,
  type CommittedListener,
  RunPersistence,
  type RunPersistenceOptions,
} from './run-persistence';
export { schema } from './schema';
export { defaultStoreDirectory, redactUrl } from './store-location';
export type * from './store-types';
export {
  createStoredRun,
  type ForkInput,
  forkRun,
  loadStoredScenario,
  type PersistedRun,
  type PersistOptions,
  persistRun,
  type RunFactory,
  type RunFactoryInput,
  restoreRunTo,
  resumeRun,
  type StoredRunInput,
  writeStoredRunPersonas,
} from './stored-run';
