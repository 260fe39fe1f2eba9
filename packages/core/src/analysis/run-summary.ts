import { formatValue } from '../environments/world-actions-environment';
import type { Scenario } from '../scenario/scenario';
import type { RunRecorder } from './run-recorder';

function table(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Renders a run as Markdown: how it ended, what the metrics did, the events that fired, where the
 * world pushed back (constraint hits), what agents did and what failed. Deterministic: the same
 * run gives the same text.
 */
export function renderRunSummary(scenario: Scenario, recorder: RunRecorder): string {
  const lines: string[] = [];
  const ending = recorder.ending;
  const steps = recorder.series.length;
  lines.push(`# ${scenario.name} — run summary`, '');
  if (scenario.goal) lines.push(`**Question:** ${scenario.goal}`, '');
  const parameters = Object.entries(scenario.parameters)
    .map(([name, value]) => `${name} = ${typeof value === 'number' ? formatValue(value) : String(value)}`)
    .join(', ');
  lines.push(
    `- Seed ${scenario.seed}, ${scenario.agents.length} agents, ${steps} of ${scenario.clock.steps} ${scenario.clock.unit}s run.`,
  );
  if (parameters) lines.push(`- Parameters: ${parameters}.`);
  if (ending?.type === 'run-completed')
    lines.push(`- Ended: **${ending.outcome}** at step ${ending.step} — ${ending.reason}.`);
  else if (ending?.type === 'run-stopped')
    lines.push(
      `- **Stopped** after step ${ending.step}: ${ending.reason}. The output covers the completed steps.`,
    );
  else if (ending?.type === 'run-failed')
    lines.push(`- **Failed** at step ${ending.step}: ${ending.error.message} (${ending.error.code}).`);
  lines.push('');

  lines.push('## What happened', '');
  const story: string[] = [];
  for (const event of recorder.firedEvents)
    story.push(`- Step ${event.step}: ${event.type} — ${event.description}`);
  for (const trajectory of recorder.trajectories()) {
    if (trajectory.largestMove) {
      const { step, change } = trajectory.largestMove;
      story.push(
        `- Step ${step}: largest move in ${trajectory.name} (${change > 0 ? '+' : ''}${formatValue(change)}).`,
      );
    }
  }
  story.sort((a, b) => Number(a.match(/Step (\d+)/)?.[1]) - Number(b.match(/Step (\d+)/)?.[1]));
  lines.push(
    ...(story.length > 0 ? story : ['- Nothing notable fired; the world evolved by its dynamics alone.']),
    '',
  );

  const trajectories = recorder.trajectories();
  if (trajectories.length > 0) {
    lines.push('## Metrics', '');
    const description = new Map(scenario.metrics.map((metric) => [metric.name, metric.description ?? '']));
    lines.push(
      table(
        ['metric', 'start', 'end', 'min (step)', 'max (step)', 'meaning'],
        trajectories.map((trajectory) => [
          trajectory.name,
          formatValue(trajectory.first),
          formatValue(trajectory.last),
          `${formatValue(trajectory.min.value)} (${trajectory.min.step})`,
          `${formatValue(trajectory.max.value)} (${trajectory.max.step})`,
          description.get(trajectory.name) ?? '',
        ]),
      ),
      '',
    );
  }

  lines.push('## Agents', '');
  const actions = Object.entries(recorder.actionCounts).sort((a, b) => b[1] - a[1]);
  lines.push(
    `- ${actions.reduce((total, [, count]) => total + count, 0)} actions: ${actions.map(([tool, count]) => `${tool} ${count}`).join(', ') || 'none'}.`,
    `- ${recorder.messages} messages delivered${recorder.mutedMessages ? `, ${recorder.mutedMessages} withheld from muted agents` : ''}.`,
  );
  const failures = Object.entries(recorder.failureReasons);
  lines.push(
    failures.length > 0
      ? `- ${failures.reduce((total, [, count]) => total + count, 0)} failed agent steps: ${failures.map(([reason, count]) => `${reason} ${count}`).join(', ')}; the run went on.`
      : '- No agent step failed.',
  );
  for (const control of recorder.controls)
    lines.push(`- Step ${control.step}: operator ${control.control} ${control.agentId}.`);
  lines.push('');

  const hits = Object.entries(recorder.constraintHits);
  if (hits.length > 0) {
    lines.push('## Limits reached', '');
    for (const [variable, hit] of hits) {
      lines.push(
        `- ${variable}: ${hit.count} write${hit.count === 1 ? '' : 's'} clamped or rejected (first at step ${hit.firstStep}, ${hit.bound}).`,
      );
    }
    lines.push('');
  }
  if (recorder.notices.length > 0) {
    lines.push('## Notices', '', ...recorder.notices.map((notice) => `- ${notice}`), '');
  }
  return lines.join('\n');
}
