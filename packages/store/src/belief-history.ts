import { type BeliefPositions, foldBeliefPositions, type RunEvent, type RunEventOf } from '@sandtable/core';
import type { Store } from './store-types';

/** Every agent's belief positions after one committed step ({@link beliefPositionsAt}). */
export interface BeliefPositionsAtStep {
  step: number;
  /** Topics, in the order the run first reported them (the scenario's order). */
  topics: string[];
  /** Agents with a position, in agent order; `positions` maps topic → position in [-1, 1]. */
  agents: Array<{ id: string; positions: Record<string, number> }>;
}

/** One agent's belief positions over a run ({@link beliefSeriesOf}). */
export interface BeliefSeries {
  agentId: string;
  topics: string[];
  /** The positions after each step where one of them changed (the first: every topic), in step order. */
  points: Array<{ step: number; positions: Record<string, number> }>;
}

const pageSize = 1000;

/**
 * A run's committed `beliefs-changed` events up to `toStep` (every one when left out), in sequence
 * order, read page by page. Runs without beliefs have none.
 */
export async function beliefChangesOf(
  store: Pick<Store, 'eventsAfter'>,
  runId: string,
  toStep?: number,
): Promise<Array<RunEventOf<'beliefs-changed'>>> {
  const found: Array<RunEventOf<'beliefs-changed'>> = [];
  let after = 0;
  for (;;) {
    const page: RunEvent[] = await store.eventsAfter(runId, after, pageSize, {
      types: ['beliefs-changed'],
      ...(toStep !== undefined ? { toStep } : {}),
    });
    for (const event of page) if (event.type === 'beliefs-changed') found.push(event);
    if (page.length < pageSize) return found;
    after = page.at(-1)!.sequence;
  }
}

function topicsOf(positions: BeliefPositions): string[] {
  const topics = new Set<string>();
  for (const agent of Object.values(positions)) for (const topic of Object.keys(agent)) topics.add(topic);
  return [...topics];
}

/**
 * Every agent's belief positions after committed step `step`, rebuilt from the `beliefs-changed`
 * events of steps 1..`step` (each holds only what moved). `topic` keeps one topic. A run without
 * beliefs, or a step before the first report, gives no topics and no agents.
 */
export async function beliefPositionsAt(
  store: Pick<Store, 'eventsAfter'>,
  runId: string,
  step: number,
  topic?: string,
): Promise<BeliefPositionsAtStep> {
  const positions = foldBeliefPositions(await beliefChangesOf(store, runId, step), step);
  const topics = topicsOf(positions).filter((name) => topic === undefined || name === topic);
  const agents: BeliefPositionsAtStep['agents'] = [];
  for (const [id, held] of Object.entries(positions)) {
    const kept = Object.fromEntries(topics.flatMap((name) => (name in held ? [[name, held[name]!]] : [])));
    if (Object.keys(kept).length > 0) agents.push({ id, positions: kept });
  }
  return { step, topics, agents };
}

/**
 * One agent's positions over the run, up to `toStep` (the whole run when left out): a point for
 * each step where one of its positions changed, carrying all of its positions after that step.
 */
export async function beliefSeriesOf(
  store: Pick<Store, 'eventsAfter'>,
  runId: string,
  agentId: string,
  options: { topic?: string; toStep?: number } = {},
): Promise<BeliefSeries> {
  const changes = await beliefChangesOf(store, runId, options.toStep);
  const current: Record<string, number> = {};
  const points: BeliefSeries['points'] = [];
  const topics = new Set<string>();
  for (const change of changes) {
    const moved = change.positions[agentId];
    if (!moved) continue;
    let changed = false;
    for (const [topic, position] of Object.entries(moved)) {
      if (options.topic !== undefined && topic !== options.topic) continue;
      topics.add(topic);
      current[topic] = position;
      changed = true;
    }
    if (changed) points.push({ step: change.step, positions: { ...current } });
  }
  return { agentId, topics: [...topics], points };
}
