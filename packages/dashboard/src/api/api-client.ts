import { ApiError, apiErrorFromResponse } from './api-error';
import type {
  BeliefPositionsAtStep,
  BeliefSeries,
  MetricPoint,
  ModelCallRecord,
  RunAgent,
  RunBrief,
  RunSummary,
  Scenario,
  ScenarioSummary,
  ScenarioVersion,
  SweepSummary,
  ValidationResult,
  WorldSnapshot,
} from './api-types';
import type { RunEvent } from './run-event-types';

/** Where the API lives and how to authenticate. */
export interface ApiClientOptions {
  /** Origin plus prefix, e.g. `http://127.0.0.1:4400/api`; `/api` (same origin) by default. */
  baseUrl?: string;
  /** Reads the current bearer token; called on every request so a new token applies at once. */
  token?: () => string | undefined;
  /** The fetch to use (tests pass their own). */
  fetch?: typeof fetch;
}

/** A run control at a step boundary. */
export type RunControl = 'pause' | 'resume' | 'step' | 'stop';

/** A control applied to one agent of a run. */
export type AgentControl = 'mute' | 'unmute' | 'pause' | 'resume' | 'terminate';

/** What to start a run with. */
export interface StartRunRequest {
  scenarioId: string;
  version?: number;
  seed?: number;
  steps?: number;
  parameters?: Record<string, number | boolean | string>;
  /** Start paused at step 0 (the console's start button then resumes it). */
  paused?: boolean;
}

/**
 * The dashboard's only door to the server: a `fetch` wrapper that adds the bearer token, turns
 * error bodies into {@link ApiError}s and types every route's answer. Paths follow docs/API.md.
 */
export class ApiClient {
  readonly baseUrl: string;
  private readonly readToken: () => string | undefined;
  private readonly fetchImplementation: typeof fetch;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '/api').replace(/\/$/, '');
    this.readToken = options.token ?? (() => undefined);
    this.fetchImplementation = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The headers every request carries (the bearer token when one is set). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.readToken();
    return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
  }

  /** The absolute URL of an API path (for links such as the brief's PDF). */
  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /**
   * Sends one request and parses the JSON answer.
   * @throws {ApiError} on a network failure or a non-2xx answer.
   */
  async request<Result>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Result> {
    let response: Response;
    try {
      response = await this.fetchImplementation(this.url(path), {
        method,
        headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(`Cannot reach the server: ${(error as Error).message}`, 'NETWORK_ERROR', 0);
    }
    if (!response.ok) throw await apiErrorFromResponse(response);
    if (response.status === 204) return undefined as Result;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as Result;
  }

  /** Like {@link request} but answers `undefined` for a 404 (an optional route or a missing item). */
  async optional<Result>(path: string, signal?: AbortSignal): Promise<Result | undefined> {
    try {
      return await this.request<Result>('GET', path, undefined, signal);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 501)) return undefined;
      throw error;
    }
  }

  listScenarios(): Promise<ScenarioSummary[]> {
    return this.request<{ scenarios: ScenarioSummary[] }>('GET', '/scenarios').then(listOf('scenarios'));
  }

  getScenario(scenarioId: string): Promise<Scenario> {
    return this.request('GET', `/scenarios/${encodeURIComponent(scenarioId)}`);
  }

  getScenarioVersion(scenarioId: string, version: number): Promise<ScenarioVersion> {
    return this.request('GET', `/scenarios/${encodeURIComponent(scenarioId)}/versions/${version}`);
  }

  /**
   * Stores new scenario text as version 1 of a new scenario.
   * @throws {ApiError} `SCENARIO_INVALID` (422) with the issues when the text does not validate.
   */
  createScenario(source: string): Promise<Scenario> {
    return this.request('POST', '/scenarios', { source });
  }

  /** Saves the text as a new immutable version of the scenario. */
  saveScenarioVersion(scenarioId: string, source: string): Promise<Scenario> {
    return this.request('POST', `/scenarios/${encodeURIComponent(scenarioId)}/versions`, { source });
  }

  /** Copies a version (the latest by default) into a new scenario. */
  cloneScenario(scenarioId: string, options: { name?: string; version?: number } = {}): Promise<Scenario> {
    return this.request('POST', `/scenarios/${encodeURIComponent(scenarioId)}/clone`, options);
  }

  /** Validates scenario text with the CLI's loader; problems come back as data, not as an error. */
  async validateScenario(source: string, signal?: AbortSignal): Promise<ValidationResult> {
    try {
      return await this.request<ValidationResult>('POST', '/scenarios/validate', { source }, signal);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 400 || error.status === 422)) {
        return { ok: false, issues: error.issues.length > 0 ? error.issues : [{ message: error.message }] };
      }
      throw error;
    }
  }

  /** The scenario JSON Schema, for the editor's completion and checks. */
  scenarioSchema(): Promise<Record<string, unknown> | undefined> {
    return this.optional('/scenario-schema');
  }

  listRuns(): Promise<RunSummary[]> {
    return this.request<{ runs: RunSummary[] }>('GET', '/runs').then(listOf('runs'));
  }

  getRun(runId: string, signal?: AbortSignal): Promise<RunSummary> {
    return this.request('GET', `/runs/${encodeURIComponent(runId)}`, undefined, signal);
  }

  startRun(request: StartRunRequest): Promise<RunSummary> {
    return this.request('POST', '/runs', request);
  }

  /** Pauses, resumes, single-steps or stops a run at its next step boundary. */
  controlRun(runId: string, control: RunControl): Promise<{ accepted: boolean; run: RunSummary }> {
    return this.request('POST', `/runs/${encodeURIComponent(runId)}/${control}`, {});
  }

  /** Starts a child run sharing this run's steps 1..step. */
  forkRun(runId: string, step: number): Promise<RunSummary> {
    return this.request('POST', `/runs/${encodeURIComponent(runId)}/fork`, { step });
  }

  listAgents(runId: string): Promise<RunAgent[]> {
    return this.request<{ agents: RunAgent[] }>('GET', `/runs/${encodeURIComponent(runId)}/agents`).then(
      listOf('agents'),
    );
  }

  controlAgent(runId: string, agentId: string, control: AgentControl): Promise<unknown> {
    return this.request(
      'POST',
      `/runs/${encodeURIComponent(runId)}/agents/${encodeURIComponent(agentId)}/${control}`,
      {},
    );
  }

  /** Sends an operator message to one agent; it reaches the agent at the next step boundary. */
  sendMessage(runId: string, to: string | undefined, text: string): Promise<unknown> {
    return this.request('POST', `/runs/${encodeURIComponent(runId)}/messages`, { to, text });
  }

  /** One page of a run's committed events after a sequence number, optionally of one type. */
  listEvents(
    runId: string,
    options: { after?: number; type?: string; limit?: number; signal?: AbortSignal } = {},
  ): Promise<RunEvent[]> {
    const query = new URLSearchParams({
      after: String(options.after ?? 0),
      limit: String(options.limit ?? 5000),
    });
    if (options.type) query.set('type', options.type);
    return this.request<{ events: RunEvent[] }>(
      'GET',
      `/runs/${encodeURIComponent(runId)}/history/events?${query}`,
      undefined,
      options.signal,
    ).then(listOf('events'));
  }

  /** All of a run's committed events (of one type), page by page. */
  async allEvents(runId: string, type?: string): Promise<RunEvent[]> {
    const events: RunEvent[] = [];
    for (;;) {
      const page = await this.listEvents(runId, {
        after: events.at(-1)?.sequence ?? 0,
        ...(type ? { type } : {}),
      });
      events.push(...page);
      if (page.length < 5000) return events;
    }
  }

  /** A run's recorded model requests (at most 5000, the newest last). */
  modelCalls(runId: string, signal?: AbortSignal): Promise<ModelCallRecord[]> {
    return this.request<{ calls: ModelCallRecord[] }>(
      'GET',
      `/runs/${encodeURIComponent(runId)}/history/model-calls?limit=5000`,
      undefined,
      signal,
    ).then(listOf('calls'));
  }

  /** A run's metric series, one point per committed step. */
  metrics(runId: string): Promise<MetricPoint[]> {
    return this.request<{ series: MetricPoint[] }>('GET', `/runs/${encodeURIComponent(runId)}/metrics`).then(
      listOf('series'),
    );
  }

  /** The world after a step (the latest when left out). */
  worldState(runId: string, step?: number): Promise<WorldSnapshot> {
    return this.request(
      'GET',
      `/runs/${encodeURIComponent(runId)}/state${step === undefined ? '' : `?step=${step}`}`,
    );
  }

  /**
   * Every agent's belief positions after a committed step (one topic when `topic` is given);
   * `undefined` when the step is not committed (404) or the server has no such route.
   */
  beliefs(
    runId: string,
    step: number,
    options: { topic?: string; signal?: AbortSignal } = {},
  ): Promise<BeliefPositionsAtStep | undefined> {
    const query = new URLSearchParams({ step: String(step) });
    if (options.topic !== undefined) query.set('topic', options.topic);
    return this.optional(`/runs/${encodeURIComponent(runId)}/beliefs?${query}`, options.signal);
  }

  /**
   * One agent's belief positions over the run (a point per step where one changed), up to
   * `toStep` (the whole run when left out), one topic when `topic` is given.
   * @throws {ApiError} `AGENT_NOT_FOUND` or `TOPIC_NOT_FOUND` (404) when the run has no such agent or topic.
   */
  beliefSeries(
    runId: string,
    agentId: string,
    options: { topic?: string; toStep?: number; signal?: AbortSignal } = {},
  ): Promise<BeliefSeries> {
    const query = new URLSearchParams({ agent: agentId });
    if (options.topic !== undefined) query.set('topic', options.topic);
    if (options.toStep !== undefined) query.set('toStep', String(options.toStep));
    return this.request(
      'GET',
      `/runs/${encodeURIComponent(runId)}/beliefs/series?${query}`,
      undefined,
      options.signal,
    );
  }

  brief(runId: string): Promise<RunBrief | undefined> {
    return this.optional(`/runs/${encodeURIComponent(runId)}/brief`);
  }

  briefPdfUrl(runId: string): string {
    return this.url(`/runs/${encodeURIComponent(runId)}/brief.pdf`);
  }

  listSweeps(): Promise<SweepSummary[] | undefined> {
    return this.optional<{ sweeps: SweepSummary[] }>('/sweeps').then((answer) => answer?.sweeps);
  }
}

/** Accepts both `{ key: [...] }` and a bare array, so list routes can evolve without breaking the page. */
function listOf<Key extends string>(key: Key) {
  return <Item>(answer: Record<Key, Item[]> | Item[]): Item[] =>
    Array.isArray(answer) ? answer : (answer?.[key] ?? []);
}
