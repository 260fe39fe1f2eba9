import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { useEffect, useMemo, useRef, useState } from 'react';
import Sigma from 'sigma';
import { useApiClient } from '../api/api-context';
import type { RunAgent } from '../api/api-types';
import type { RunEvent } from '../api/run-event-types';
import { MetricChart, seriesColor } from '../components/metric-chart';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { beliefScaleGradient, type NodeBelief, nodeBeliefs, noPositionColor } from '../state/belief-scale';
import { GraphHistory, pickStep, shownStep as stepShown } from '../state/graph-history';
import { buildInteractionGraph } from '../state/interaction-graph';
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
 * completed step until the user picks an earlier one.
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

/** The belief colouring the canvas shows: the answer's step and topic, and each agent's colour. */
interface BeliefColouring {
  step: number;
  topic: string;
  /** In agent order. */
  nodes: NodeBelief[];
}

function InteractionGraphCanvas({
  agents,
  history,
  version,
  step,
  beliefs,
}: {
  agents: Array<{ id: string; role: string }>;
  history: GraphHistory;
  /** The history's version: the edges are rebuilt when it changes. */
  version: number;
  step: number;
  /** Colour by belief (else by role). */
  beliefs: BeliefColouring | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const renderer = useRef<Sigma | undefined>(undefined);
  const graph = useMemo(() => new Graph({ type: 'directed', multi: false }), []);
  const roles = useMemo(() => [...new Set(agents.map((agent) => agent.role))], [agents]);
  const agentIds = useMemo(() => new Set(agents.map((agent) => agent.id)), [agents]);
  const [edgeCount, setEdgeCount] = useState(0);
  const [tableOpen, setTableOpen] = useState(false);
  const historyRef = useRef(history);
  historyRef.current = history;

  // Lay the graph known so far out once, so the slider and new steps only add and remove edges.
  useEffect(() => {
    if (!container.current) return;
    graph.clear();
    const full = buildInteractionGraph(historyRef.current.interactions, agentIds, Number.POSITIVE_INFINITY);
    agents.forEach((agent, index) => {
      const angle = (2 * Math.PI * index) / Math.max(1, agents.length);
      graph.addNode(agent.id, {
        label: agent.id,
        x: Math.cos(angle),
        y: Math.sin(angle),
        size: 7,
        color: seriesColor(roles.indexOf(agent.role)),
      });
    });
    for (const edge of full.edges.values()) graph.addEdge(edge.source, edge.target, { weight: edge.weight });
    if (graph.order > 1)
      forceAtlas2.assign(graph, {
        iterations: 150,
        settings: { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 300 },
      });
    graph.clearEdges();
    // Sizes in screen pixels (sigma 4 defaults to graph units, which makes a small graph's nodes huge).
    const sigma = new Sigma(graph, container.current, { settings: { itemSizesReference: 'screen' } });
    renderer.current = sigma;
    return () => {
      sigma.kill();
      renderer.current = undefined;
    };
  }, [agents, agentIds, graph, roles]);

  const coloured = beliefs?.nodes;
  const colouredKey = coloured?.map((node) => node.color).join('|');

  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` and `colouredKey` stand for the history and the colours.
  useEffect(() => {
    const upTo = buildInteractionGraph(history.interactions, agentIds, step);
    graph.clearEdges();
    let heaviest = 1;
    for (const edge of upTo.edges.values()) heaviest = Math.max(heaviest, edge.weight);
    for (const edge of upTo.edges.values()) {
      if (!graph.hasNode(edge.source) || !graph.hasNode(edge.target)) continue;
      graph.addEdge(edge.source, edge.target, {
        size: 0.5 + (2.5 * edge.weight) / heaviest,
        color: edge.kinds.has('message') ? '#94a3b8' : '#cbd5e1',
      });
    }
    for (const node of upTo.nodes.values()) {
      if (graph.hasNode(node.id)) graph.setNodeAttribute(node.id, 'size', 6 + Math.sqrt(node.interactions));
    }
    const colours = new Map(coloured?.map((node) => [node.id, node.color]));
    agents.forEach((agent) => {
      if (!graph.hasNode(agent.id)) return;
      graph.setNodeAttribute(
        agent.id,
        'color',
        coloured ? (colours.get(agent.id) ?? noPositionColor) : seriesColor(roles.indexOf(agent.role)),
      );
    });
    setEdgeCount(upTo.edges.size);
    renderer.current?.refresh();
  }, [agentIds, agents, graph, roles, step, version, colouredKey]);

  const withPosition = coloured?.filter((node) => node.position !== undefined) ?? [];
  return (
    <>
      <div className="legend small">
        {beliefs && coloured ? (
          <>
            <span className="chip" data-testid="graph-belief-legend">
              −1
              <span
                aria-hidden="true"
                style={{
                  display: 'inline-block',
                  width: 120,
                  height: 10,
                  borderRadius: 2,
                  background: beliefScaleGradient(),
                }}
              />
              +1
            </span>
            <span className="chip">
              <span className="swatch" style={{ background: noPositionColor }} /> no position
            </span>
            <span className="muted" data-testid="graph-belief-count">
              {withPosition.length} of {agents.length} agents coloured by {beliefs.topic} at step{' '}
              {beliefs.step}
            </span>
          </>
        ) : (
          roles.map((role, index) => (
            <span key={role} className="chip">
              <span className="swatch" style={{ background: seriesColor(index) }} /> {role || 'agent'}
            </span>
          ))
        )}
        <span className="muted" data-testid="graph-edges">
          {agents.length} agents · {edgeCount} links
        </span>
      </div>
      <div className="sigma-container" ref={container} data-testid="graph-canvas" />
      {beliefs && coloured ? (
        <details
          className="small"
          data-testid="graph-positions"
          onToggle={(event) => setTableOpen((event.target as HTMLDetailsElement).open)}
        >
          <summary>
            Positions on {beliefs.topic} after step {beliefs.step}
          </summary>
          {tableOpen ? (
            <table>
              <thead>
                <tr>
                  <th>agent</th>
                  <th className="number">position</th>
                  <th>colour</th>
                </tr>
              </thead>
              <tbody>
                {coloured.map((node) => (
                  <tr
                    key={node.id}
                    data-agent={node.id}
                    data-position={node.position ?? ''}
                    data-color={node.color}
                  >
                    <td>{node.id}</td>
                    <td className="number">{node.position === undefined ? '—' : node.position.toFixed(4)}</td>
                    <td>
                      <span className="swatch" style={{ background: node.color }} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </details>
      ) : null}
    </>
  );
}
