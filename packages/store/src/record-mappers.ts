import type { schema } from './schema';
import type {
  ApiToken,
  RunRecord,
  ScenarioFormat,
  ScenarioRecord,
  ScenarioVersion,
  StoredRunStatus,
  Workspace,
} from './store-types';

type Row<Table extends keyof typeof schema> = (typeof schema)[Table]['$inferSelect'];

/** Row → {@link Workspace}. */
export function toWorkspace(row: Row<'workspaces'>): Workspace {
  return { id: row.id, name: row.name, createdAt: row.createdAt };
}

/** Row → {@link ApiToken} (the hash stays inside the store). */
export function toToken(row: Row<'apiTokens'>): ApiToken {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

/** Row → {@link ScenarioRecord}. */
export function toScenario(row: Row<'scenarios'>): ScenarioRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    latestVersion: row.latestVersion,
    clonedFromId: row.clonedFromId,
    clonedFromVersion: row.clonedFromVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Row → {@link ScenarioVersion}. */
export function toScenarioVersion(row: Row<'scenarioVersions'>): ScenarioVersion {
  return {
    scenarioId: row.scenarioId,
    version: row.version,
    format: row.format as ScenarioFormat,
    source: row.source,
    sourceSha256: row.sourceSha256,
    origin: row.origin,
    createdAt: row.createdAt,
  };
}

/** Row → {@link RunRecord}. */
export function toRun(row: Row<'runs'>): RunRecord {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    scenarioId: row.scenarioId,
    scenarioVersion: row.scenarioVersion,
    name: row.name,
    status: row.status as StoredRunStatus,
    seed: row.seed,
    parameters: row.parameters,
    options: row.options,
    parentRunId: row.parentRunId,
    forkStep: row.forkStep,
    lastStep: row.lastStep,
    lastSequence: row.lastSequence,
    totalSteps: row.totalSteps,
    outcome: row.outcome,
    reason: row.reason,
    error: row.error ?? null,
    totals: row.totals,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}
