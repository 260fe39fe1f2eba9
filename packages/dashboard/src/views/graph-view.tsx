import { useEffect, useMemo, useState } from 'react';
import { useApiClient } from '../api/api-context';
import type { RunAgent } from '../api/api-types';
import type { RunEvent } from '../api/run-event-types';
import { AgentBeliefPanel } from '../components/agent-belief-panel';
import { InteractionGraphCanvas } from '../components/interaction-graph-canvas';
import { MetricChart } from '../components/metric-chart';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { nodeBeliefs } from '../state/belief-scale';
import { GraphHistory, pickStep, shownStep as stepShown } from '../state/graph-history';
import { agentNeighbours, buildInteractionGraph } from '../state/interaction-graph';
import { useApi } from '../state/use-api';

/** How often the view asks for new events while the run goes on. */
const pollMilliseconds = 1000;
/** The history API's largest page. */
const pageSize = 5000;

/**
 * Reads a run's events page by page into a {@link GraphHistory}, then polls for new ones until a
 * final event arrives, so the graph follows a live run. The agents are read once the first pages
 * are in (and again while the run has none yet), so the layout sees the whole history known then.
 */
function useGraphHistory(runId: string) {
  const client = useApiClient();
  const [history, setHistory] = useState(() => new GraphHistory());
  const [agents, setAgents] = useState<RunAgent[]>();
  const [error, setError] = useState<Error>();
  const [, setVersion] = useState(0);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` restarts the reading on retry.
  useEffect(() => {
    const controller = new AbortController();
    const fresh = new GraphHistory();
    let found: RunAgent[] | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setHistory(fresh);
    setAgents(undefined);
    setError(undefined);
    const readNew = async () => {
      try {
        for (;;) {
          const page: RunEvent[] = await client.listEvents(runId, {
            after: fresh.lastSequence,
            limit: pageSize,
            signal: controller.signal,
          });
          fresh.apply(page);
          if (page.length < pageSize) break;
        }
        if (!found || found.length === 0) {
          found = await client.listAgents(runId);
          if (!controller.signal.aborted) setAgents(found);
        }
        if (controller.signal.aborted) return;
        setVersion(fresh.version);
        if (!fresh.ended) timer = setTimeout(readNew, pollMilliseconds);
      } catch (failure) {
        if (controller.signal.aborted) return;
        if (!found) setError(failure as Error);
        else timer = setTimeout(readNew, pollMilliseconds * 3);
      }
    };
    void readNew();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [client, runId, attempt]);

  return { history, agents, error, retry: () => setAttempt((value) => value + 1) };
}

/**
 * The interaction graph (sigma.js over graphology, laid out once with ForceAtlas2 so nodes keep
 * their places while the step slider moves), each node coloured by its belief position on a chosen
 * topic at the step shown, and the belief aggregates over time. The slider follows the run's last
 * completed step until the user picks an earlier one. Clicking a node, or picking the agent in the
 * list, highlights its links and opens its panel: its positions over the run and who it talked with.
 */
export function GraphView({ runId }: { runId: string }) {
  const client = useApiClient();
  const { history, agents, error, retry } = useGraphHistory(runId);
  const lastStep = history.lastStep;
  const [picked, setPicked] = useState<number>();
  const step = stepShown(picked, lastStep);
  const beliefs = useApi(
    (signal) => (step >= 1 ? client.beliefs(runId, step, { signal }) : Promise.resolve(undefined)),
    [runId, step],
  );
  const topics = beliefs.data?.topics ?? [];
  const [topic, setTopic] = useState<string>();
  const shownTopic = topic !== undefined && topics.includes(topic) ? topic : topics[0];
  const [selected, setSelected] = useState<string>();
  const selectedAgent = selected === undefined ? undefined : agents?.find((agent) => agent.id === selected);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `history.version` stands for the interactions.
  const neighbours = useMemo(
    () =>
      selectedAgent && agents
        ? agentNeighbours(
            buildInteractionGraph(history.interactions, new Set(agents.map((agent) => agent.id)), step),
            selectedAgent.id,
          )
        : [],
    [agents, history, history.version, selectedAgent, step],
  );

  if (error) return <ErrorMessage error={error} retry={retry} />;
  if (!agents) return <Loading what="interaction graph" />;
  const beliefMetrics = [...new Set(history.steps.flatMap((record) => Object.keys(record.metrics)))].filter(
    (name) => name.toLowerCase().includes('belief'),
  );
  const following = picked === undefined;
  return (
    <div className="graph-view">
      <section className="panel">
        <div className="panel-header">
          <h2>
            Interaction graph <a href={`#/runs/${runId}`}>{runId}</a>
          </h2>
          <label className="small">
            up to step <strong data-testid="graph-step">{step}</strong>
            <input
              type="range"
              aria-label="Step"
              min={0}
              max={lastStep}
              value={step}
              onChange={(event) => setPicked(pickStep(Number(event.target.value), lastStep))}
            />
            {following ? (
              <span className="muted" data-testid="graph-following">
                {history.ended ? ' last step' : ' following the run'}
              </span>
            ) : (
              <button type="button" onClick={() => setPicked(undefined)}>
                Follow the run
              </button>
            )}
          </label>
        </div>
        {agents.length === 0 ? (
          <EmptyState title="This run has no agents yet" />
        ) : (
          <>
            <label className="small">
              Agent{' '}
              <select
                aria-label="Agent"
                value={selectedAgent?.id ?? ''}
                onChange={(event) => setSelected(event.target.value || undefined)}
              >
                <option value="">none selected</option>
                {agents.map((agent) => (
                  <option key={agent.id} value={agent.id}>
                    {agent.role ? `${agent.id} (${agent.role})` : agent.id}
                  </option>
                ))}
              </select>
            </label>{' '}
            {topics.length > 0 ? (
              <label className="small">
                Colour by belief on{' '}
                <select
                  aria-label="Belief topic"
                  value={shownTopic}
                  onChange={(event) => setTopic(event.target.value)}
                >
                  {topics.map((name) => (
                    <option key={name}>{name}</option>
                  ))}
                </select>
              </label>
            ) : null}
            <InteractionGraphCanvas
              agents={agents.map((agent) => ({ id: agent.id, role: agent.role ?? '' }))}
              history={history}
              version={history.version}
              step={step}
              selected={selectedAgent?.id}
              onSelect={setSelected}
              beliefs={
                beliefs.data && shownTopic !== undefined
                  ? {
                      step: beliefs.data.step,
                      topic: shownTopic,
                      nodes: nodeBeliefs(
                        agents.map((agent) => agent.id),
                        beliefs.data,
                        shownTopic,
                      ),
                    }
                  : undefined
              }
            />
          </>
        )}
      </section>
      {selectedAgent ? (
        <AgentBeliefPanel
          runId={runId}
          agentId={selectedAgent.id}
          role={selectedAgent.role}
          step={step}
          lastStep={lastStep}
          runHasBeliefs={topics.length > 0}
          neighbours={neighbours}
          onSelect={setSelected}
        />
      ) : null}
      <section className="panel">
        <h3>Belief positions over time</h3>
        {beliefMetrics.length === 0 ? (
          <EmptyState title="No beliefs in this run">
            Scenarios with a beliefs block record each topic's positions per step.
          </EmptyState>
        ) : (
          <MetricChart
            title="Belief aggregates per step"
            steps={history.steps.map((record) => record.step)}
            series={beliefMetrics.map((name) => ({
              label: name,
              values: history.steps.map((record) => record.metrics[name] ?? null),
            }))}
            height={220}
            markStep={step}
          />
        )}
      </section>
    </div>
  );
}
