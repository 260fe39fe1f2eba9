import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { useEffect, useMemo, useRef, useState } from 'react';
import Sigma from 'sigma';
import { useApiClient } from '../api/api-context';
import type { RunEventOf } from '../api/run-event-types';
import { MetricChart, seriesColor } from '../components/metric-chart';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { beliefColor, buildInteractionGraph } from '../state/interaction-graph';
import { useApi } from '../state/use-api';

/**
 * The interaction graph (sigma.js over graphology, laid out once with ForceAtlas2 so nodes keep
 * their places while the step slider moves) and the belief positions over time (the belief
 * aggregates the run records per step).
 */
export function GraphView({ runId }: { runId: string }) {
  const client = useApiClient();
  const data = useApi(async () => {
    const [agents, messages, actions, steps] = await Promise.all([
      client.listAgents(runId),
      client.allEvents(runId, 'message-sent'),
      client.allEvents(runId, 'agent-acted'),
      client.allEvents(runId, 'step-completed'),
    ]);
    return { agents, events: [...messages, ...actions], steps: steps as Array<RunEventOf<'step-completed'>> };
  }, [runId]);
  const lastStep = data.data?.steps.at(-1)?.step ?? 0;
  const [step, setStep] = useState<number>();
  const shownStep = step ?? lastStep;
  const beliefs = useApi((signal) => client.beliefs(runId, shownStep, signal), [runId, shownStep]);
  const [topic, setTopic] = useState<string>();
  const shownTopic = topic ?? beliefs.data?.topics[0];

  if (data.loading && !data.data) return <Loading what="interaction graph" />;
  if (data.error) return <ErrorMessage error={data.error} retry={data.reload} />;
  if (!data.data) return null;
  const beliefMetrics = [...new Set(data.data.steps.flatMap((record) => Object.keys(record.metrics)))].filter(
    (name) => name.toLowerCase().includes('belief'),
  );
  return (
    <div className="graph-view">
      <section className="panel">
        <div className="panel-header">
          <h2>
            Interaction graph <a href={`#/runs/${runId}`}>{runId}</a>
          </h2>
          <label className="small">
            up to step <strong data-testid="graph-step">{shownStep}</strong>
            <input
              type="range"
              aria-label="Step"
              min={0}
              max={lastStep}
              value={shownStep}
              onChange={(event) => setStep(Number(event.target.value))}
            />
          </label>
        </div>
        {data.data.agents.length === 0 ? (
          <EmptyState title="This run has no agents yet" />
        ) : (
          <>
            {beliefs.data && beliefs.data.topics.length > 0 ? (
              <label className="small">
                Colour by belief on{' '}
                <select
                  aria-label="Belief topic"
                  value={shownTopic}
                  onChange={(event) => setTopic(event.target.value)}
                >
                  {beliefs.data.topics.map((name) => (
                    <option key={name}>{name}</option>
                  ))}
                </select>{' '}
                <span className="muted">(red −1 · grey 0 · blue +1)</span>
              </label>
            ) : null}
            <InteractionGraphCanvas
              agents={data.data.agents.map((agent) => ({ id: agent.id, role: agent.role ?? '' }))}
              events={data.data.events}
              step={shownStep}
              positions={
                beliefs.data && shownTopic
                  ? Object.fromEntries(
                      Object.entries(beliefs.data.agents).flatMap(([agentId, topics]) =>
                        topics[shownTopic] ? [[agentId, topics[shownTopic].position]] : [],
                      ),
                    )
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
            steps={data.data.steps.map((record) => record.step)}
            series={beliefMetrics.map((name) => ({
              label: name,
              values: data.data?.steps.map((record) => record.metrics[name] ?? null) ?? [],
            }))}
            height={220}
            markStep={shownStep}
          />
        )}
      </section>
    </div>
  );
}

function InteractionGraphCanvas({
  agents,
  events,
  step,
  positions,
}: {
  agents: Array<{ id: string; role: string }>;
  events: Parameters<typeof buildInteractionGraph>[0];
  step: number;
  /** Agent → belief position on the chosen topic; nodes are coloured by role without it. */
  positions: Record<string, number> | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const renderer = useRef<Sigma | undefined>(undefined);
  const graph = useMemo(() => new Graph({ type: 'directed', multi: false }), []);
  const roles = useMemo(() => [...new Set(agents.map((agent) => agent.role))], [agents]);
  const agentIds = useMemo(() => new Set(agents.map((agent) => agent.id)), [agents]);
  const [edgeCount, setEdgeCount] = useState(0);

  // Lay the whole run's graph out once, so the slider only adds and removes edges.
  useEffect(() => {
    if (!container.current) return;
    graph.clear();
    const full = buildInteractionGraph(events, agentIds, Number.POSITIVE_INFINITY);
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
  }, [agents, agentIds, events, graph, roles]);

  useEffect(() => {
    const upTo = buildInteractionGraph(events, agentIds, step);
    graph.clearEdges();
    let heaviest = 1;
    for (const edge of upTo.edges.values()) heaviest = Math.max(heaviest, edge.weight);
    for (const edge of upTo.edges.values()) {
      graph.addEdge(edge.source, edge.target, {
        size: 0.5 + (2.5 * edge.weight) / heaviest,
        color: edge.kinds.has('message') ? '#94a3b8' : '#cbd5e1',
      });
    }
    for (const node of upTo.nodes.values()) {
      if (graph.hasNode(node.id)) graph.setNodeAttribute(node.id, 'size', 6 + Math.sqrt(node.interactions));
    }
    agents.forEach((agent) => {
      if (!graph.hasNode(agent.id)) return;
      const position = positions?.[agent.id];
      graph.setNodeAttribute(
        agent.id,
        'color',
        position === undefined ? seriesColor(roles.indexOf(agent.role)) : beliefColor(position),
      );
    });
    setEdgeCount(upTo.edges.size);
    renderer.current?.refresh();
  }, [agentIds, agents, events, graph, positions, roles, step]);

  return (
    <>
      <div className="legend small">
        {roles.map((role, index) => (
          <span key={role} className="chip">
            <span className="swatch" style={{ background: seriesColor(index) }} /> {role || 'agent'}
          </span>
        ))}
        <span className="muted" data-testid="graph-edges">
          {agents.length} agents · {edgeCount} links
        </span>
      </div>
      <div className="sigma-container" ref={container} data-testid="graph-canvas" />
    </>
  );
}
