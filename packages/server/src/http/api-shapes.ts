import type { RunRecord, ScenarioRecord, ScenarioVersion } from '@sandtable/store';

/**
 * Store records as the API returns them: ISO times, no workspace ids, nothing secret. docs/API.md
 * documents these shapes.
 */

function iso(date: Date | null | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** `ScenarioSummary` */
export function scenarioSummary(scenario: ScenarioRecord) {
  return {
    id: scenario.id,
    name: scenario.name,
    description: scenario.description,
    latestVersion: scenario.latestVersion,
    ...(scenario.clonedFromId
      ? { clonedFrom: { scenarioId: scenario.clonedFromId, version: scenario.clonedFromVersion } }
      : {}),
    createdAt: iso(scenario.createdAt),
    updatedAt: iso(scenario.updatedAt),
  };
}

/** `Scenario`: the summary, the latest version's text and the list of versions. */
export function scenarioDetail(scenario: ScenarioRecord, versions: readonly ScenarioVersion[]) {
  const latest = versions.find((version) => version.version === scenario.latestVersion);
  return {
    ...scenarioSummary(scenario),
    source: latest?.source ?? '',
    versions: versions.map((version) => ({ version: version.version, createdAt: iso(version.createdAt) })),
  };
}

/** `ScenarioVersion` */
export function scenarioVersion(version: ScenarioVersion) {
  return {
    scenarioId: version.scenarioId,
    version: version.version,
    format: version.format,
    source: version.source,
    createdAt: iso(version.createdAt),
  };
}

/** What the run manager knows of a run beyond its record. */
export interface LiveRunInfo {
  live: boolean;
  queuePosition?: number;
}

/** `Run` */
export function runSummary(run: RunRecord, info: LiveRunInfo = { live: false }) {
  return {
    id: run.id,
    name: run.name,
    scenarioId: run.scenarioId,
    scenarioVersion: run.scenarioVersion,
    status: run.status,
    seed: run.seed,
    parameters: run.parameters,
    steps: run.totalSteps,
    step: run.lastStep,
    lastSequence: run.lastSequence,
    ...(run.outcome ? { outcome: run.outcome } : {}),
    ...(run.reason ? { reason: run.reason } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(run.parentRunId ? { parentRunId: run.parentRunId, forkStep: run.forkStep } : {}),
    totals: run.totals,
    createdAt: iso(run.createdAt),
    ...(run.startedAt ? { startedAt: iso(run.startedAt) } : {}),
    updatedAt: iso(run.updatedAt),
    ...(run.finishedAt ? { finishedAt: iso(run.finishedAt) } : {}),
    live: info.live,
    ...(info.queuePosition !== undefined ? { queuePosition: info.queuePosition } : {}),
  };
}
