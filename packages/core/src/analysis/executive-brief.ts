import { formatValue } from '../environments/world-actions-environment';
import type { MetricSummary, RunDigest } from './run-digest';
import type { RunEvaluation } from './run-evaluation';
import { topSignals } from './story-signals';

/** A metric's final values over several runs (seeds or parameter settings) of the same question. */
export interface MetricRange {
  runs: number;
  low: number;
  high: number;
  mean: number;
}

/** The executive brief: what a decision-maker reads. The same shape whether rules or a model wrote it. */
export interface ExecutiveBrief {
  title: string;
  question?: string;
  /** Who wrote it: the deterministic composer, or a model (then `model` names it). */
  source: 'rules' | 'model';
  model?: string;
  /** One line on the run itself: seed, steps, agents, outcome. */
  runLine: string;
  headline: string;
  whatHappened: string[];
  turningPoints: Array<{ step: number; text: string; evidence: number[] }>;
  impacts: Array<{ metric: string; text: string }>;
  positions: Array<{ stakeholder: string; text: string }>;
  recommendations: string[];
  confidence: { level: 'low' | 'medium' | 'high'; text: string };
  caveats: string[];
  /** Main metrics' series, for the PDF's charts. */
  charts: Array<{ metric: string; steps: number[]; values: number[] }>;
}

/** Options of {@link composeBrief}. */
export interface ComposeBriefOptions {
  /** Final values of the main metrics over several runs, for ranges. */
  ranges?: Record<string, MetricRange>;
  /** The run's evaluation, for recommendations on criteria not met. */
  evaluation?: RunEvaluation;
  /** Main metrics' full series, for charts. */
  charts?: ExecutiveBrief['charts'];
}

/** Turning points the deterministic brief lists, at most. */
const maxTurningPoints = 14;

/** The shared way the brief writes a number: {@link formatValue} (3 decimals under 10, else 1; no trailing zeros). */
export const formatNumber = (value: number): string => formatValue(value);

function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${formatNumber(value)}`;
}

function describeNetChange(summary: MetricSummary): string {
  if (summary.change === 0) return `${summary.name} held at ${formatNumber(summary.last)}`;
  const verb = summary.change > 0 ? 'rose' : 'fell';
  const percent = summary.changePercent !== undefined ? `, ${signed(summary.changePercent)}%` : '';
  return `${summary.name} ${verb} from ${formatNumber(summary.first)} to ${formatNumber(summary.last)} (${signed(summary.change)}${percent})`;
}

/** The point furthest from the start, when the metric came back at least half way from it. */
function excursion(summary: MetricSummary): { value: number; step: number } | undefined {
  const low = summary.first - summary.min.value;
  const high = summary.max.value - summary.first;
  const extreme = high >= low ? summary.max : summary.min;
  const away = Math.abs(extreme.value - summary.first);
  if (away === 0 || extreme.step === summary.lastStep) return undefined;
  return Math.abs(extreme.value - summary.last) > 0.5 * away ? extreme : undefined;
}

/** How far a metric moved from its start at most, relative to its scale (for choosing the headline). */
function movement(summary: MetricSummary): number {
  const away = Math.max(summary.first - summary.min.value, summary.max.value - summary.first);
  const scale = Math.max(Math.abs(summary.first), summary.max.value - summary.min.value);
  return scale === 0 ? 0 : away / scale;
}

function describeChange(summary: MetricSummary): string {
  const peak = excursion(summary);
  if (!peak) return describeNetChange(summary);
  const up = peak.value > summary.first;
  return `${summary.name} ${up ? 'rose' : 'fell'} from ${formatNumber(summary.first)} to ${formatNumber(peak.value)} at step ${peak.step}, then ${up ? 'eased' : 'recovered'} to ${formatNumber(summary.last)}`;
}

/** The run line: `Seed 42 · 10 of 90 days · 39 agents · ended max-steps at step 10`. */
export function runLine(digest: RunDigest): string {
  const ending =
    digest.status === 'completed'
      ? `ended ${digest.outcome ?? 'completed'} at step ${digest.stepsRun}`
      : `${digest.status} after step ${digest.stepsRun}`;
  return `Seed ${digest.seed} · ${digest.stepsRun} of ${digest.stepsPlanned} ${digest.unit}s · ${digest.agents} agents · ${ending}`;
}

/**
 * Writes the brief from the digest alone, with no model: the headline is the question followed by
 * the main metrics' changes; turning points are the story signals; impacts quantify each main
 * metric (start, end, change, extremes with their steps, and the range over runs when given);
 * positions say what each stakeholder group did; recommendations follow from limits reached,
 * criteria not met and failures; confidence and caveats say what the numbers rest on.
 *
 * Every number in it is a metric value at a step, a change between two steps of one metric (or
 * that change as a whole percentage of the first value), a run total of a count, a step number, a
 * count of agents, the seed, a parameter, a declared threshold or target, or a range over runs —
 * so a reader can check each against `metrics.csv` and `final-state.json`. Agents' own words are
 * quoted in “…” and are theirs, not the run's numbers.
 */
export function composeBrief(digest: RunDigest, options: ComposeBriefOptions = {}): ExecutiveBrief {
  const main = digest.mainMetrics
    .map((name) => digest.metrics.find((summary) => summary.name === name))
    .filter((summary): summary is MetricSummary => summary !== undefined);
  // The main metrics come in the author's order of importance: the first three that moved lead.
  const lead = main.filter((summary) => movement(summary) > 0).slice(0, 3);
  const after = `After ${digest.stepsRun} ${digest.unit}${digest.stepsRun === 1 ? '' : 's'}`;
  const headline =
    lead.length > 0
      ? `${after}, ${lead.map(describeChange).join('; ')}.`
      : `${after}, the main metrics did not move${main[0] ? ` (${main[0].name} stayed at ${formatNumber(main[0].last)})` : ''}.`;

  const whatHappened: string[] = [];
  const fired = digest.signals.filter((signal) => signal.kind === 'event-fired');
  if (fired.length > 0)
    whatHappened.push(
      `Events: ${fired.map((signal) => `step ${signal.step} ${signal.text.split(':')[0]}`).join(', ')}.`,
    );
  for (const summary of main.filter((candidate) => !lead.includes(candidate)))
    whatHappened.push(`${describeChange(summary)}.`);
  const actions = digest.actionTotals.filter(([tool]) => tool !== 'wait').slice(0, 4);
  whatHappened.push(
    `Agents took ${formatNumber(digest.totals.actions ?? 0)} actions${actions.length > 0 ? ` (most often ${actions.map(([tool, count]) => `${tool} ${formatNumber(count)}`).join(', ')})` : ''} and sent ${formatNumber(digest.totals.messages ?? 0)} messages; ${digest.totals.failures ? `${formatNumber(digest.totals.failures)} agent steps failed` : 'no agent step failed'}.`,
  );
  if (digest.totals.constraint_hits)
    whatHappened.push(`${formatNumber(digest.totals.constraint_hits)} writes hit a variable's limit.`);

  // A reader wants the story of the main metrics: side metrics' moves only when there is room.
  const story = digest.signals.filter((signal) => signal.kind !== 'run-ended');
  const focused = story.filter(
    (signal) =>
      signal.metric === undefined ||
      digest.mainMetrics.includes(signal.metric) ||
      signal.kind === 'constraint-hit' ||
      signal.kind === 'burst',
  );
  const turningPoints = topSignals(story.length > maxTurningPoints ? focused : story, maxTurningPoints).map(
    (signal) => ({ step: signal.step, text: signal.text, evidence: signal.evidence }),
  );

  const impacts = main.map((summary) => {
    const range = options.ranges?.[summary.name];
    const extremes =
      summary.min.value !== summary.max.value
        ? `; low ${formatNumber(summary.min.value)} at step ${summary.min.step}, high ${formatNumber(summary.max.value)} at step ${summary.max.step}`
        : '';
    const spread = range
      ? `; over ${range.runs} runs it ended between ${formatNumber(range.low)} and ${formatNumber(range.high)} (mean ${formatNumber(range.mean)})`
      : '';
    const meaning = summary.description ? ` — ${summary.description}` : '';
    return {
      metric: summary.name,
      text: `${formatNumber(summary.first)} → ${formatNumber(summary.last)} (${signed(summary.change)}${summary.changePercent !== undefined ? `, ${signed(summary.changePercent)}%` : ''})${extremes}${spread}${meaning}`,
    };
  });

  const positions = digest.stakeholders.map((group) => {
    const who = group.agents === 1 ? (group.examples[0] as string) : `${group.role} (${group.agents} agents)`;
    const did = group.mainActions.length > 0 ? `mostly ${group.mainActions.join(', ')}` : 'mostly waited';
    const leaning = Object.entries(group.leanings)
      .map(([topic, side]) => (side === 'split' ? `split on ${topic}` : `${side} ${topic}`))
      .join(', ');
    const statuses = Object.entries(group.statuses)
      .filter(([status]) => status !== 'active')
      .map(([status, count]) => `${count} ${status}`);
    return {
      stakeholder: who,
      text: `${did}${leaning ? `; ${leaning}` : ''}${statuses.length > 0 ? `; ${statuses.join(', ')}` : ''}${group.lastMessage ? `; last said (step ${group.lastMessage.step}): “${group.lastMessage.text.replace(/[“”]/g, '"')}”` : '.'}`,
    };
  });

  const recommendations: string[] = [];
  for (const signal of digest.signals.filter((candidate) => candidate.kind === 'constraint-hit'))
    recommendations.push(
      `Plan for the limit of ${signal.metric?.startsWith('agent ') ? `agents' ${signal.metric.slice('agent '.length)}` : signal.metric}: first reached at step ${signal.step}; the simulation clamped values there, so the real outcome may be worse.`,
    );
  for (const score of options.evaluation?.scores ?? []) {
    if (score.attained === false && score.metric)
      recommendations.push(
        `Act on ${score.criterion}: ${score.metric} ended short of its target${score.target !== undefined ? ` of ${formatNumber(score.target)}` : ''}.`,
      );
  }
  const worst = digest.signals.find((signal) => signal.kind === 'burst' && signal.metric === 'failures');
  if (worst)
    recommendations.push(
      `Investigate the failures that peaked at step ${worst.step} before trusting the run.`,
    );
  for (const fired of digest.signals.filter((signal) => signal.kind === 'event-fired')) {
    const moved = digest.signals
      .filter(
        (signal) =>
          signal.kind === 'largest-move' &&
          signal.step === fired.step &&
          digest.mainMetrics.includes(signal.metric ?? ''),
      )
      .map((signal) => signal.metric);
    if (moved.length === 0) continue;
    recommendations.push(
      `Prepare for step ${fired.step} (${fired.text.split(':')[0]}): the largest moves of ${moved.join(', ')} came then.`,
    );
  }
  const parameters = Object.keys(digest.parameters);
  if (parameters.length > 0)
    recommendations.push(
      `Test how sensitive this is: sweep ${parameters.slice(0, 2).join(' and ')} over several seeds (\`sandtable sweep\`).`,
    );

  if (recommendations.length === 0) {
    const watched =
      main[0] &&
      digest.signals.find((signal) => signal.kind === 'largest-move' && signal.metric === main[0]?.name);
    if (watched)
      recommendations.push(
        `Watch ${watched.metric}: its sharpest move came at step ${watched.step}; that is where to act first.`,
      );
    else
      recommendations.push(
        'Repeat the run over several seeds before acting on it: nothing in this run stood out.',
      );
  }
  const caveats: string[] = [];
  if (!options.ranges)
    caveats.push('One run with one seed: the numbers are one possible path, not a forecast with error bars.');
  if (!digest.usedModels)
    caveats.push(
      'Every decision came from rule-based agents; people and model-backed agents may choose differently.',
    );
  if (digest.status !== 'completed')
    caveats.push(`The run did not complete (${digest.status}); the brief covers the steps that did.`);
  if (digest.stepsRun < digest.stepsPlanned && digest.status === 'completed')
    caveats.push(
      `It ended at step ${digest.stepsRun} of ${digest.stepsPlanned} (${digest.reason ?? digest.outcome ?? 'early end'}).`,
    );
  if (digest.totals.failures)
    caveats.push(`${formatNumber(digest.totals.failures)} agent steps failed and were skipped.`);
  const runs = Object.values(options.ranges ?? {})[0]?.runs ?? 1;
  const level: ExecutiveBrief['confidence']['level'] = runs >= 20 ? 'high' : runs >= 5 ? 'medium' : 'low';
  return {
    title: `${digest.scenario} — executive brief`,
    ...(digest.question ? { question: digest.question } : {}),
    source: 'rules',
    runLine: runLine(digest),
    headline,
    whatHappened,
    turningPoints,
    impacts,
    positions,
    recommendations,
    confidence: {
      level,
      text:
        runs > 1
          ? `Based on ${runs} runs; the ranges show how much the outcome depends on chance.`
          : 'Based on a single deterministic run; repeat over seeds for ranges.',
    },
    caveats,
    charts: options.charts ?? [],
  };
}

/** Renders a brief as Markdown: headline first, then the sections in the order a reader needs them. */
export function renderBriefMarkdown(brief: ExecutiveBrief): string {
  const lines: string[] = [`# ${brief.title}`, ''];
  if (brief.question) lines.push(`**Question:** ${brief.question}`, '');
  lines.push(
    `_${brief.runLine}. Written by ${brief.source === 'model' ? `the model ${brief.model ?? ''}`.trim() : 'rules from the run’s signals and metrics'}._`,
    '',
  );
  lines.push('## Headline', '', brief.headline, '');
  const list = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push(`## ${title}`, '', ...items.map((item) => `- ${item}`), '');
  };
  list('What happened', brief.whatHappened);
  list(
    'Turning points',
    brief.turningPoints.map(
      (point) =>
        `Step ${point.step}: ${point.text}${point.evidence.length > 0 ? ` (events ${point.evidence.map((sequence) => `#${sequence}`).join(', ')})` : ''}`,
    ),
  );
  list(
    'Quantified impacts',
    brief.impacts.map((impact) => `**${impact.metric}**: ${impact.text}`),
  );
  list(
    'Stakeholder positions',
    brief.positions.map((position) => `**${position.stakeholder}**: ${position.text}`),
  );
  list('Recommended actions', brief.recommendations);
  lines.push('## Confidence', '', `**${brief.confidence.level}** — ${brief.confidence.text}`, '');
  list('Caveats', brief.caveats);
  return lines.join('\n');
}
