import Graph from 'graphology';
import forceAtlas2 from 'graphology-layout-forceatlas2';
import { useEffect, useMemo, useRef, useState } from 'react';
import Sigma, { DEFAULT_STYLES } from 'sigma';
import { beliefScaleGradient, type NodeBelief, noPositionColor } from '../state/belief-scale';
import type { GraphHistory } from '../state/graph-history';
import { buildInteractionGraph } from '../state/interaction-graph';
import { seriesColor } from './metric-chart';

/** The colour of the selected agent's links (the step marker's amber). */
const selectedLinkColor = '#d97706';
/** The colour of the other links while an agent is selected. */
const fadedLinkColor = '#e5e7eb';

/** The belief colouring the canvas shows: the answer's step and topic, and each agent's colour. */
export interface BeliefColouring {
  step: number;
  topic: string;
  /** In agent order. */
  nodes: NodeBelief[];
}

/**
 * The interaction graph drawn with sigma.js: laid out once with ForceAtlas2 (so nodes keep their
 * places while the step moves), edges of steps 1..`step`, nodes coloured by belief (else by role),
 * the selected agent's node enlarged with its label shown and its links highlighted; a click on a
 * node calls `onSelect`. Below it, the positions table of the colouring.
 */
export function InteractionGraphCanvas({
  agents,
  history,
  version,
  step,
  selected,
  onSelect,
  beliefs,
}: {
  agents: Array<{ id: string; role: string }>;
  history: GraphHistory;
  /** The history's version: the edges are rebuilt when it changes. */
  version: number;
  step: number;
  /** The agent whose node and links are highlighted. */
  selected: string | undefined;
  /** Called with the agent whose node was clicked. */
  onSelect: (agentId: string) => void;
  /** Colour by belief (else by role). */
  beliefs: BeliefColouring | undefined;
}) {
  const container = useRef<HTMLDivElement>(null);
  const renderer = useRef<Sigma | undefined>(undefined);
  const graph = useMemo(() => new Graph({ type: 'directed', multi: false }), []);
  const roles = useMemo(() => [...new Set(agents.map((agent) => agent.role))], [agents]);
  const agentIds = useMemo(() => new Set(agents.map((agent) => agent.id)), [agents]);
  const [edgeCount, setEdgeCount] = useState(0);
  const [selectedEdgeCount, setSelectedEdgeCount] = useState(0);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const highlightedNode = useRef<string | undefined>(undefined);
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
    const sigma = new Sigma(graph, container.current, {
      settings: { itemSizesReference: 'screen' },
      // The defaults, plus: the selected (highlighted) node keeps its label shown, as on hover.
      styles: {
        nodes: {
          ...DEFAULT_STYLES.nodes,
          depth: (_attributes, state) => (state.isHovered || state.isHighlighted ? 'topNodes' : 'nodes'),
          labelVisibility: (_attributes, state) =>
            state.isHovered || state.isHighlighted ? 'visible' : 'auto',
          backdropVisibility: (_attributes, state) =>
            state.isHovered || state.isHighlighted ? 'visible' : 'hidden',
        },
        edges: DEFAULT_STYLES.edges,
      },
    });
    sigma.on('clickNode', ({ node }) => onSelectRef.current(node));
    const element = container.current;
    sigma.on('enterNode', () => {
      element.style.cursor = 'pointer';
    });
    sigma.on('leaveNode', () => {
      element.style.cursor = '';
    });
    highlightedNode.current = undefined;
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
    const touched: string[] = [];
    for (const edge of upTo.edges.values()) {
      if (!graph.hasNode(edge.source) || !graph.hasNode(edge.target)) continue;
      const ofSelected = selected !== undefined && (edge.source === selected || edge.target === selected);
      const size = 0.5 + (2.5 * edge.weight) / heaviest;
      const key = graph.addEdge(edge.source, edge.target, {
        size: ofSelected ? size + 1.5 : size,
        color: ofSelected
          ? selectedLinkColor
          : selected !== undefined
            ? fadedLinkColor
            : edge.kinds.has('message')
              ? '#94a3b8'
              : '#cbd5e1',
      });
      if (ofSelected) touched.push(key);
    }
    for (const node of upTo.nodes.values()) {
      if (!graph.hasNode(node.id)) continue;
      const size = 6 + Math.sqrt(node.interactions);
      graph.setNodeAttribute(node.id, 'size', node.id === selected ? size + 5 : size);
    }
    const sigma = renderer.current;
    if (sigma) {
      const before = highlightedNode.current;
      if (before !== undefined && before !== selected && graph.hasNode(before))
        sigma.setNodeState(before, { isHighlighted: false });
      if (selected !== undefined && graph.hasNode(selected))
        sigma.setNodeState(selected, { isHighlighted: true });
      highlightedNode.current = selected;
      sigma.setEdgesState(touched, { isHighlighted: true });
    }
    setSelectedEdgeCount(touched.length);
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
  }, [agentIds, agents, graph, roles, step, version, colouredKey, selected]);

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
        {selected !== undefined ? (
          <span className="chip" data-testid="graph-selected">
            <span className="swatch" style={{ background: selectedLinkColor }} /> {selected}:{' '}
            {selectedEdgeCount} links highlighted
          </span>
        ) : null}
      </div>
      <div
        className="sigma-container"
        ref={container}
        data-testid="graph-canvas"
        data-selected={selected ?? ''}
        data-selected-links={selectedEdgeCount}
      />
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
