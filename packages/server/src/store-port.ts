import type { RunEvent } from '@sandtable/core';

/**
 * What the server needs of persistence, in the API's own terms. `store-adapter.ts` implements it
 * over `@sandtable/store` (PGlite or PostgreSQL); routes and the run manager see only this, so
 * the HTTP layer does not depend on table layouts.
 */

/** A stored scenario (its versions are immutable). */
export interface ScenarioRecord {
  id: string;
  workspace: string;
  name: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** One immutable version of a scenario. */
export interface ScenarioVersionRecord {
  scenarioId: string;
  version: number;
  source: string;
  createdAt: string;
}

/** A run's status: `queued` waits for a free slot; the rest are the engine's. */
export type RunRecordStatus =
  | 'queued'
  | 'created'
  | 'running'
  | 'paused'
  | 'completed'
  | 'stopped'
  | 'failed';

/** A stored run. */
export interface RunRecord {
  id: string;
  workspace: string;
  scenarioId?: string;
  scenarioVersion?: number;
  scenarioName: string;
  seed: number;
  parameters: Record<string, string | number | boolean>;
  /** Steps the run is set to take. */
  steps: number;
  status: RunRecordStatus;
  /** The last committed step. */
  step: number;
  outcome?: string;
  reason?: string;
  parentRunId?: string;
  forkStep?: number;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  totals?: { modelCalls: number; promptTokens: number; completionTokens: number; costUsd: number };
}

/** Filters of event history queries. */
export interface EventQuery {
  after?: number;
  type?: string;
  fromStep?: number;
  toStep?: number;
  limit: number;
}

export type { RunEvent };
