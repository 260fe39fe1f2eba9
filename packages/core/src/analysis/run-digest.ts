import { type MetricSeries, type RunMetrics, seriesEnds } from './run-metrics';
import { completedSteps, type RunRecords } from './run-records';
import { type StorySignal, topSignals } from './story-signals';

/** One metric, summarised: ends, extremes, change, and a few evenly spaced samples. */
export interface MetricSummary {
  name: string;
  origin: MetricSeries['origin'];
  description?: string;
  unit?: string;
  first: number;
  firstStep: number;
  last: number;
  lastStep: number;
  min: { value: number; step: number };
  max: { value: number; step: number };
  change: number;
  /** Change as a percentage of the first value (rounded to a whole percent); absent when the first value is 0. */
  changePercent?: number;
  /** Run total, for counts. */
  total?: number;
  /** `[step, value]` pairs, at most {@link DigestLimits.samples}, first and last included. */
  samples: Array<[number, number]>;
}

/** A message worth reading, cut to a bounded length. */
export interface DigestMessage {
  step: number;
  sequence: number;
  from: string;
  to: string;
  text: string;
}

/** One group of agents (by role): how many, their status, what they did most. */
export interface StakeholderDigest {
  role: string;
  agents: number;
  /** Agent ids, at most three, as examples. */
  examples: string[];
  /** Status → number of agents, when not all are active. */
  statuses: Record<string, number>;
  /** Most used tools other than waiting, most used first (at most three). */
  mainActions: string[];
  /** The group's last distinct message, when it sent any. */
  lastMessage?: DigestMessage;
  /** Topic → the group's leaning from its members' last stated stance (posts with a `stance`), when any stated one. */
  leanings: Record<string, 'for' | 'against' | 'split'>;
}

/** Bounds of a digest; every list in it is cut to these. */
export interface DigestLimits {
  metrics: number;
  samples: number;
  signals: number;
  messages: number;
  messageLength: number;
  stakeholders: number;
}

/** @defaultValue the limits a 200-agent × 90-step run's brief prompt fits in about 6,000 tokens with */
export const defaultDigestLimits: DigestLimits = {
  metrics: 16,
  samples: 10,
  signals: 24,
  messages: 12,
  messageLength: 160,
  stakeholders: 10,
};

/**
 * What a brief or an evaluation is written from: a bounded summary of a run, never its raw log.
 * Its size depends on the limits, not on the number of agents, steps or events, so a 200-agent ×
 * 90-step run fits a model's context as well as a 5-agent one.
 */
export interface RunDigest {
  runId: string;
  scenario: string;
  question?: string;
  description: string;
  seed: number;
  parameters: Record<string, number | boolean | string>;
  stepsRun: number;
  stepsPlanned: number;
  unit: string;
  agents: number;
  outcome?: string;
  reason?: string;
  status: string;
  /** The main metrics (brief settings, else scenario metrics), first. */
  mainMetrics: string[];
  metrics: MetricSummary[];
  /** Built-in totals: actions, messages, failures, constraint hits, model calls, tokens, cost. */
  totals: Record<string, number>;
  /** Most used tools over the run, most used first (at most eight). */
  actionTotals: Array<[string, number]>;
  signals: StorySignal[];
  messages: DigestMessage[];
  stakeholders: StakeholderDigest[];
  /** True when any agent took a decision from a model. */
  usedModels: boolean;
}

function summarise(
  metrics: RunMetrics,
  series: MetricSeries,
  sampleLimit: number,
): MetricSummary | undefined {
  const { first, last } = seriesEnds(metrics, series);
  if (!first || !last) return undefined;
  let min = first;
  let max = first;
  const points: Array<[number, number]> = [];
  series.values.forEach((value, position) => {
    if (!Number.isFinite(value)) return;
    const step = metrics.steps[position] as number;
    if (value < min.value) min = { step, value };
    if (value > max.value) max = { step, value };
    points.push([step, value]);
  });
  const samples: Array<[number, number]> = [];
  const count = Math.min(sampleLimit, points.length);
  for (let index = 0; index < count; index += 1) {
    const position = count === 1 ? 0 : Math.round((index * (points.length - 1)) / (count - 1));
    const point = points[position] as [number, number];
    if (samples.at(-1)?.[0] !== point[0]) samples.push(point);
  }
  const change = last.value - first.value;
  return {
    name: series.name,
    origin: series.origin,
    ...(series.description ? { description: series.description } : {}),
    ...(series.unit ? { unit: series.unit } : {}),
    first: first.value,
    firstStep: first.step,
    last: last.value,
    lastStep: last.step,
    min,
    max,
    change,
    ...(first.value !== 0 ? { changePercent: Math.round((100 * change) / Math.abs(first.value)) } : {}),
    ...(series.total !== undefined ? { total: series.total } : {}),
    samples,
  };
}

/**
 * The signals a digest keeps: the most salient, where signals on the main metrics count more and
 * moves of side metrics less; returned unchanged, in step order.
 */
function selectSignals(signals: readonly StorySignal[], mainMetrics: string[], limit: number): StorySignal[] {
  const weighted = signals.map((signal) =>
    signal.metric === undefined || signal.kind === 'constraint-hit' || signal.kind === 'burst'
      ? signal
      : {
          ...signal,
          salience: mainMetrics.includes(signal.metric)
            ? Math.min(1, signal.salience + 0.2)
            : signal.salience * 0.6,
        },
  );
  const kept = new Set(topSignals(weighted, limit));
  return signals.filter((_, index) => kept.has(weighted[index] as StorySignal));
}

/** The main metrics: the brief's list, else the scenario's metrics, else the non-built-ins that moved. */
export function mainMetricNames(records: RunRecords, metrics: RunMetrics, limit = 6): string[] {
  const available = new Set(metrics.series.map((series) => series.name));
  const declared = records.scenario.brief?.metrics?.filter((name) => available.has(name));
  if (declared && declared.length > 0) return declared;
  const moved = (series: MetricSeries) => {
    const finite = series.values.filter(Number.isFinite);
    return finite.length > 0 && Math.max(...finite) > Math.min(...finite);
  };
  const scenarioMetrics = metrics.series.filter((series) => series.origin === 'scenario');
  const pick = [
    ...scenarioMetrics.filter(moved),
    ...metrics.series.filter(
      (series) => series.origin !== 'scenario' && series.origin !== 'built-in' && moved(series),
    ),
    ...scenarioMetrics.filter((series) => !moved(series)),
  ];
  const names = pick.slice(0, limit).map((series) => series.name);
  return names.length > 0 ? names : ['actions', 'messages'].filter((name) => available.has(name));
}

function recipient(event: { to?: string; room?: string; broadcast?: boolean }): string {
  return event.to ?? (event.room ? `#${event.room}` : 'everyone');
}

/**
 * Builds the bounded digest of a run: metric summaries (main metrics first), built-in totals,
 * the most salient story signals, a handful of distinct messages spread over the run, and one
 * line per stakeholder group. Deterministic.
 */
export function buildRunDigest(
  records: RunRecords,
  metrics: RunMetrics,
  signals: readonly StorySignal[],
  limits: DigestLimits = defaultDigestLimits,
): RunDigest {
  const { scenario } = records;
  const mainMetrics = mainMetricNames(records, metrics);
  const ordered = [
    ...mainMetrics.map((name) => metrics.series.find((series) => series.name === name)),
    ...metrics.series.filter((series) => !mainMetrics.includes(series.name) && series.origin !== 'built-in'),
  ].filter((series): series is MetricSeries => series !== undefined);
  const summaries = ordered
    .slice(0, limits.metrics)
    .map((series) => summarise(metrics, series, limits.samples))
    .filter((summary): summary is MetricSummary => summary !== undefined);
  const totals: Record<string, number> = {};
  for (const name of [
    'actions',
    'messages',
    'failures',
    'constraint_hits',
    'model_calls',
    'tokens',
    'cost_usd',
  ]) {
    const series = metrics.series.find((candidate) => candidate.name === name);
    if (series?.total !== undefined) totals[name] = series.total;
  }
  const actionTotals = metrics.series
    .filter((series) => series.name.startsWith('actions.'))
    .map((series): [string, number] => [series.name.slice('actions.'.length), series.total ?? 0])
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 8);

  // The end state lists the agents that actually ran (grounded worlds generate theirs); the scenario otherwise.
  const roster: Array<{ id: string; role: string }> = records.finalState?.agents ?? scenario.agents;
  const roleOf = new Map(roster.map((agent) => [agent.id, agent.role]));
  const distinct = new Map<string, DigestMessage>();
  const toolsByRole = new Map<string, Map<string, number>>();
  const lastByRole = new Map<string, DigestMessage>();
  const lastStance = new Map<string, number>();
  let usedModels = false;
  for (const event of records.events) {
    if (event.type === 'message-sent' && !event.muted) {
      const text =
        event.text.length > limits.messageLength
          ? `${event.text.slice(0, limits.messageLength - 1)}…`
          : event.text;
      const message = {
        step: event.step,
        sequence: event.sequence,
        from: event.from,
        to: recipient(event),
        text,
      };
      if (!distinct.has(text)) distinct.set(text, message);
      const role = roleOf.get(event.from);
      if (role) lastByRole.set(role, message);
    } else if (event.type === 'agent-acted') {
      if (event.source === 'model') usedModels = true;
      if (event.tool === 'wait') continue;
      const { topic, stance } = event.arguments;
      if (typeof topic === 'string' && typeof stance === 'number')
        lastStance.set(`${event.agentId}\u0000${topic}`, stance);
      const role = roleOf.get(event.agentId) ?? 'unknown';
      const tools = toolsByRole.get(role) ?? new Map<string, number>();
      tools.set(event.tool, (tools.get(event.tool) ?? 0) + 1);
      toolsByRole.set(role, tools);
    }
  }
  // Distinct texts spread evenly over the run: the first of each wording, then every k-th.
  const candidates = [...distinct.values()];
  const messages: DigestMessage[] = [];
  const take = Math.min(limits.messages, candidates.length);
  for (let index = 0; index < take; index += 1) {
    const position = take === 1 ? 0 : Math.round((index * (candidates.length - 1)) / (take - 1));
    const message = candidates[position] as DigestMessage;
    if (messages.at(-1) !== message) messages.push(message);
  }

  const groups = new Map<string, { ids: string[]; statuses: Record<string, number> }>();
  const finalAgents = new Map((records.finalState?.agents ?? []).map((agent) => [agent.id, agent]));
  for (const agent of roster) {
    const group = groups.get(agent.role) ?? { ids: [], statuses: {} };
    group.ids.push(agent.id);
    const status = finalAgents.get(agent.id)?.status ?? 'active';
    group.statuses[status] = (group.statuses[status] ?? 0) + 1;
    groups.set(agent.role, group);
  }
  const stakeholders = [...groups.entries()]
    .sort((a, b) => a[1].ids.length - b[1].ids.length || a[0].localeCompare(b[0]))
    .slice(0, limits.stakeholders)
    .map(([role, group]): StakeholderDigest => {
      const tools = [...(toolsByRole.get(role) ?? new Map<string, number>()).entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, 3)
        .map(([tool]) => tool);
      const lastMessage = lastByRole.get(role);
      const members = new Set(group.ids);
      const votes = new Map<string, { for: number; against: number }>();
      for (const [key, stance] of lastStance) {
        const [agentId, topic] = key.split('\u0000') as [string, string];
        if (!members.has(agentId) || stance === 0) continue;
        const tally = votes.get(topic) ?? { for: 0, against: 0 };
        if (stance > 0) tally.for += 1;
        else tally.against += 1;
        votes.set(topic, tally);
      }
      const leanings: StakeholderDigest['leanings'] = {};
      // A clear majority (two to one) is a leaning; anything closer is a split.
      for (const [topic, tally] of [...votes.entries()].sort((a, b) => a[0].localeCompare(b[0])))
        leanings[topic] =
          tally.for >= 2 * tally.against ? 'for' : tally.against >= 2 * tally.for ? 'against' : 'split';
      return {
        leanings,
        role,
        agents: group.ids.length,
        examples: group.ids.slice(0, 3),
        statuses: Object.keys(group.statuses).length === 1 && group.statuses.active ? {} : group.statuses,
        mainActions: tools,
        ...(lastMessage ? { lastMessage } : {}),
      };
    });
  const ending = records.finalState;
  return {
    runId: records.runId,
    scenario: scenario.name,
    ...(scenario.goal ? { question: scenario.goal } : {}),
    description: scenario.description.trim(),
    seed: scenario.seed,
    parameters: scenario.parameters,
    stepsRun: completedSteps(records),
    stepsPlanned: scenario.clock.steps,
    unit: scenario.clock.unit,
    agents: roster.length,
    ...(ending?.outcome ? { outcome: ending.outcome } : {}),
    ...(ending?.reason ? { reason: ending.reason } : {}),
    status: ending?.status ?? 'unknown',
    mainMetrics,
    metrics: summaries,
    totals,
    actionTotals,
    signals: selectSignals(signals, mainMetrics, limits.signals),
    messages,
    stakeholders,
    usedModels,
  };
}
