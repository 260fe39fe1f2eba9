import { CatalogQueries } from './catalog-queries';
import type { StoreDatabase } from './database';
import { HistoryQueries } from './history-queries';
import type { Store, StoreKind } from './store-types';
import { SweepQueries } from './sweep-queries';

/**
 * The one {@link Store} implementation: drizzle queries that run unchanged on PGlite and on
 * PostgreSQL. A facade over the catalogue (workspaces, tokens, scenarios, runs) and the history
 * (steps, events, messages, model calls, inputs, metrics, analysis records) and the sweeps.
 */
export class SqlStore implements Store {
  readonly kind: StoreKind;
  readonly location: string;
  readonly #close: () => Promise<void>;
  readonly #catalog: CatalogQueries;
  readonly #history: HistoryQueries;
  readonly #sweeps: SweepQueries;
  #closed = false;

  constructor(
    database: StoreDatabase,
    options: { kind: StoreKind; location: string; close: () => Promise<void> },
  ) {
    this.kind = options.kind;
    this.location = options.location;
    this.#close = options.close;
    this.#catalog = new CatalogQueries(database);
    this.#history = new HistoryQueries(database);
    this.#sweeps = new SweepQueries(database);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#close();
  }

  ping: Store['ping'] = () => this.#history.ping();
  createWorkspace: Store['createWorkspace'] = (input) => this.#catalog.createWorkspace(input);
  defaultWorkspace: Store['defaultWorkspace'] = () => this.#catalog.defaultWorkspace();
  getWorkspace: Store['getWorkspace'] = (id) => this.#catalog.getWorkspace(id);
  listWorkspaces: Store['listWorkspaces'] = () => this.#catalog.listWorkspaces();
  createToken: Store['createToken'] = (workspaceId, options) =>
    this.#catalog.createToken(workspaceId, options);
  verifyToken: Store['verifyToken'] = (secret) => this.#catalog.verifyToken(secret);
  listTokens: Store['listTokens'] = (workspaceId) => this.#catalog.listTokens(workspaceId);
  revokeToken: Store['revokeToken'] = (tokenId, scope) => this.#catalog.revokeToken(tokenId, scope);

  createScenario: Store['createScenario'] = (workspaceId, input) =>
    this.#catalog.createScenario(workspaceId, input);
  addScenarioVersion: Store['addScenarioVersion'] = (scenarioId, input, scope) =>
    this.#catalog.addScenarioVersion(scenarioId, input, scope);
  upsertScenarioByName: Store['upsertScenarioByName'] = (workspaceId, input) =>
    this.#catalog.upsertScenarioByName(workspaceId, input);
  getScenario: Store['getScenario'] = (scenarioId, scope) => this.#catalog.getScenario(scenarioId, scope);
  listScenarios: Store['listScenarios'] = (workspaceId) => this.#catalog.listScenarios(workspaceId);
  listScenarioVersions: Store['listScenarioVersions'] = (scenarioId, scope) =>
    this.#catalog.listScenarioVersions(scenarioId, scope);
  getScenarioVersion: Store['getScenarioVersion'] = (scenarioId, version, scope) =>
    this.#catalog.getScenarioVersion(scenarioId, version, scope);
  cloneScenario: Store['cloneScenario'] = (scenarioId, options, scope) =>
    this.#catalog.cloneScenario(scenarioId, options, scope);
  deleteScenario: Store['deleteScenario'] = (scenarioId, scope) =>
    this.#catalog.deleteScenario(scenarioId, scope);

  createRun: Store['createRun'] = (input) => this.#catalog.createRun(input);
  getRun: Store['getRun'] = (runId, scope) => this.#catalog.getRun(runId, scope);
  listRuns: Store['listRuns'] = (query) => this.#catalog.listRuns(query);
  updateRun: Store['updateRun'] = (runId, update) => this.#catalog.updateRun(runId, update);
  putAgents: Store['putAgents'] = (runId, agents) => this.#history.putAgents(runId, agents);
  listAgents: Store['listAgents'] = (runId) => this.#history.listAgents(runId);

  appendStep: Store['appendStep'] = (runId, step, write) => this.#history.appendStep(runId, step, write);
  appendBoundary: Store['appendBoundary'] = (runId, events) => this.#history.appendBoundary(runId, events);
  reopenRun: Store['reopenRun'] = (runId) => this.#history.reopenRun(runId);
  finishRun: Store['finishRun'] = (runId, finish) => this.#history.finishRun(runId, finish);
  eventsAfter: Store['eventsAfter'] = (runId, sequence, limit, filter) =>
    this.#history.eventsAfter(runId, sequence, limit, filter);
  eventsOfSteps: Store['eventsOfSteps'] = (runId, fromStep, toStep) =>
    this.#history.eventsOfSteps(runId, fromStep, toStep);
  listSteps: Store['listSteps'] = (runId, options) => this.#history.listSteps(runId, options);
  messages: Store['messages'] = (runId, query) => this.#history.messages(runId, query);
  stateAt: Store['stateAt'] = (runId, step) => this.#history.stateAt(runId, step);
  recordModelCall: Store['recordModelCall'] = (runId, call) => this.#history.recordModelCall(runId, call);
  modelCalls: Store['modelCalls'] = (runId, options) => this.#history.modelCalls(runId, options);
  controlInputs: Store['controlInputs'] = (runId) => this.#history.controlInputs(runId);
  addControlInputs: Store['addControlInputs'] = (runId, afterStep, inputs) =>
    this.#history.addControlInputs(runId, afterStep, inputs);
  metricSeries: Store['metricSeries'] = (runId) => this.#history.metricSeries(runId);
  copyRunPrefix: Store['copyRunPrefix'] = (parentRunId, childRunId, steps) =>
    this.#history.copyRunPrefix(parentRunId, childRunId, steps);

  addEvaluation: Store['addEvaluation'] = (runId, input) => this.#history.addEvaluation(runId, input);
  listEvaluations: Store['listEvaluations'] = (runId) => this.#history.listEvaluations(runId);
  addBrief: Store['addBrief'] = (runId, input) => this.#history.addBrief(runId, input);
  listBriefs: Store['listBriefs'] = (runId) => this.#history.listBriefs(runId);

  createSweep: Store['createSweep'] = (input) => this.#sweeps.createSweep(input);
  getSweep: Store['getSweep'] = (sweepId, scope) => this.#sweeps.getSweep(sweepId, scope);
  listSweeps: Store['listSweeps'] = (query) => this.#sweeps.listSweeps(query);
  updateSweep: Store['updateSweep'] = (sweepId, update) => this.#sweeps.updateSweep(sweepId, update);
  addSweepMember: Store['addSweepMember'] = (sweepId, member, run) =>
    this.#sweeps.addSweepMember(sweepId, member, run);
  listSweepMembers: Store['listSweepMembers'] = (sweepId, scope) =>
    this.#sweeps.listSweepMembers(sweepId, scope);
  setSweepMemberResult: Store['setSweepMemberResult'] = (sweepId, member, result) =>
    this.#sweeps.setSweepMemberResult(sweepId, member, result);
}
