import { useState } from 'react';
import { useApiClient } from '../api/api-context';
import { AgentDetail, AgentPanel } from '../components/agent-panel';
import { formatCost, isLiveStatus } from '../components/format';
import { GameMasterPanel, ModelStatsPanel, RoomPanel } from '../components/insight-panels';
import { MetricChart } from '../components/metric-chart';
import { RunControls } from '../components/run-controls';
import { EmptyState, ErrorMessage } from '../components/status-states';
import { TimelinePanel } from '../components/timeline-panel';
import { ConstraintPanel, VariablesPanel } from '../components/world-panel';
import { effectiveRunStatus } from '../state/effective-run-status';
import { parseHash } from '../state/hash-route';
import { summarizeModelCalls } from '../state/model-call-stats';
import type { RunConsoleState } from '../state/run-console-state';
import { useApi } from '../state/use-api';
import { useRunConsole, useStoreVersion } from '../state/use-run-console';

type SideTab = 'agent' | 'rooms' | 'game-master' | 'model-calls' | 'constraints';

/**
 * The run console: controls, the live timeline, metric charts per step, world variables, the
 * agents with their controls and conversations, rooms, the game master's reasoning, model-call
 * statistics and constraint hits — all fed by one event stream applied once per frame.
 */
export function RunConsoleView({ runId }: { runId: string }) {
  const client = useApiClient();
  const store = useRunConsole(client, runId);
  const version = useStoreVersion(store);
  const state = store.state;
  const status = effectiveRunStatus(state.status, store.serverStatus);
  const run = useApi(
    (signal) => client.getRun(runId, signal),
    [runId],
    isLiveStatus(status) ? 3000 : undefined,
  );
  // Controls work while the server executes the run; the events say whether it has ended.
  const live = isLiveStatus(status) && run.data?.live !== false;
  const modelCallCount = run.data?.totals?.modelCalls ?? 0;
  const stats = useApi(
    async (signal) =>
      modelCallCount > 0 ? summarizeModelCalls(await client.modelCalls(runId, signal)) : undefined,
    [runId, modelCallCount],
  );
  // `#/runs/ID?agent=X` (the graph's agent panel links so) opens with that agent's conversation.
  const [selected, setSelected] = useState(
    () => parseHash(window.location.hash).query.get('agent') ?? undefined,
  );
  const [tab, setTab] = useState<SideTab>('agent');
  const selectedAgent = selected ? state.agents.get(selected) : undefined;
  const selectAgent = (agentId: string) => {
    setSelected(agentId);
    setTab('agent');
  };
  const totalSteps = state.steps || run.data?.steps || 0;

  return (
    <div
      className="run-console"
      data-status={status}
      data-step={state.step}
      data-last-sequence={state.lastSequence}
      data-event-count={state.eventCount}
      data-duplicates={state.duplicates}
      data-version={version}
    >
      <header className="panel console-header">
        <div>
          <h2>
            {state.scenario || run.data?.scenarioName || run.data?.name || 'Run'}{' '}
            <span className="muted">{runId}</span>
          </h2>
          <div className="small">
            <span className={`status status-${status}`} data-testid="run-status">
              {status === 'waiting' ? (run.data?.status ?? 'waiting') : status}
            </span>{' '}
            step <strong data-testid="run-step">{state.step}</strong> of {totalSteps}
            {state.seed !== undefined ? ` · seed ${state.seed}` : ''} · cost{' '}
            {formatCost(run.data?.totals?.costUsd ?? stats.data?.cost)}
            {state.outcome ? ` · ${state.outcome}` : ''}
            {run.data?.parentRunId ? (
              <>
                {' '}
                · fork of <a href={`#/runs/${run.data.parentRunId}`}>{run.data.parentRunId}</a> at step{' '}
                {run.data.forkStep}
              </>
            ) : null}
          </div>
          {state.error ? <div className="state state-error">{state.error}</div> : null}
          {run.error ? <ErrorMessage error={run.error} retry={run.reload} /> : null}
          {store.streamStatus === 'closed' && store.streamDetail ? (
            <div className="state state-error" role="alert">
              The live stream stopped: {store.streamDetail}
            </div>
          ) : null}
        </div>
        <RunControls runId={runId} status={status} run={run.data} step={state.step} />
        <div className="console-links small">
          <span
            className={`stream stream-${store.streamStatus}`}
            data-testid="stream-status"
            title={store.streamDetail}
          >
            {store.streamStatus === 'reconnecting' ? 'reconnecting…' : `stream ${store.streamStatus}`}
          </span>
          <a href={`#/runs/${runId}/graph`}>Graph</a>
          <a href={`#/runs/${runId}/brief`}>Brief</a>
          {run.data?.parentRunId ? (
            <a href={`#/compare?runs=${run.data.parentRunId},${runId}`}>Compare with parent</a>
          ) : null}
        </div>
      </header>
      <div className="console-grid">
        <div className="console-column">
          <MetricsPanel state={state} />
          <VariablesPanel state={state} />
        </div>
        <div className="console-column">
          <TimelinePanel state={state} version={version} />
          <AgentPanel runId={runId} state={state} selected={selected} onSelect={selectAgent} live={live} />
        </div>
        <div className="console-column">
          <div className="tabs" role="tablist">
            {(
              [
                ['agent', 'Agent'],
                ['rooms', 'Rooms'],
                ['game-master', 'Game master'],
                ['model-calls', 'Model calls'],
                ['constraints', `Constraints (${state.constraintHits.length})`],
              ] as Array<[SideTab, string]>
            ).map(([name, label]) => (
              <button
                key={name}
                type="button"
                role="tab"
                aria-selected={tab === name}
                onClick={() => setTab(name)}
              >
                {label}
              </button>
            ))}
          </div>
          {tab === 'agent' ? (
            selectedAgent ? (
              <AgentDetail runId={runId} agent={selectedAgent} live={live} />
            ) : (
              <EmptyState title="No agent selected">
                Pick an agent in the list to see its conversation.
              </EmptyState>
            )
          ) : null}
          {tab === 'rooms' ? <RoomPanel state={state} /> : null}
          {tab === 'game-master' ? <GameMasterPanel state={state} /> : null}
          {tab === 'model-calls' ? <ModelStatsPanel stats={stats.data} /> : null}
          {tab === 'constraints' ? <ConstraintPanel state={state} /> : null}
        </div>
      </div>
    </div>
  );
}

/** One chart per scenario metric plus one for messages and failures, updating every step. */
function MetricsPanel({ state }: { state: RunConsoleState }) {
  const steps = state.stepSummaries.map((summary) => summary.step);
  const metrics = [...state.metricSeries.entries()];
  return (
    <section className="panel metrics-panel" data-testid="metrics" data-steps={steps.length}>
      <div className="panel-header">
        <h3>Metrics</h3>
      </div>
      {steps.length === 0 ? <EmptyState title="Waiting for the first step" /> : null}
      {steps.length > 0
        ? metrics.map(([name, values]) => (
            <MetricChart
              key={name}
              title={name}
              steps={steps}
              series={[{ label: name, values }]}
              height={110}
            />
          ))
        : null}
      {steps.length > 0 ? (
        <MetricChart
          title="Messages and failures per step"
          steps={steps}
          series={[
            { label: 'messages', values: state.stepSummaries.map((summary) => summary.messages) },
            { label: 'failures', values: state.stepSummaries.map((summary) => summary.failures) },
          ]}
          height={110}
        />
      ) : null}
    </section>
  );
}
