import { formatValue, type RunEvent } from '@sandtable/core';
import { MultiBar, Presets } from 'cli-progress';
import colors from 'picocolors';

/** Something that shows a run's progress as events arrive. */
export interface LiveDisplay {
  onEvent(event: RunEvent): void;
  close(): void;
}

function metricChange(name: string, previous: number | undefined, value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  if (previous === undefined) return `${name} ${formatValue(value)}`;
  if (previous === value) return undefined;
  const change = value - previous;
  return `${name} ${formatValue(value)} (${change > 0 ? '+' : ''}${formatValue(change)})`;
}

/**
 * One line per step: the metrics that moved, events that fired, failures. On a TTY, a progress
 * bar stays at the bottom and lines scroll above it; otherwise plain lines only.
 */
export function createLiveDisplay(options: { tty: boolean; write: (line: string) => void }): LiveDisplay {
  const useColor = options.tty;
  const paint = (format: (text: string) => string, text: string) => (useColor ? format(text) : text);
  let previous: Record<string, number> = {};
  let stepEvents: string[] = [];
  let stepFailures: string[] = [];
  let total = 0;
  let multibar: MultiBar | undefined;
  let bar: ReturnType<MultiBar['create']> | undefined;
  const print = (line: string) => {
    if (multibar) {
      // Lines wider than the terminal wrap under the bar and leave debris: cut them to fit.
      const width = (process.stderr.columns || process.stdout.columns || 120) - 1;
      multibar.log(`${line.length > width ? `${line.slice(0, width - 1)}…` : line}\n`);
    } else {
      options.write(line);
    }
  };
  return {
    onEvent(event) {
      switch (event.type) {
        case 'run-started':
          total = event.steps;
          print(
            `${paint(colors.bold, event.scenario)}: ${event.agents} agents, up to ${event.steps} steps, seed ${event.seed}`,
          );
          if (options.tty) {
            multibar = new MultiBar(
              {
                format: ' {bar} {value}/{total} steps',
                hideCursor: true,
                clearOnComplete: true,
                stream: process.stderr,
              },
              Presets.shades_classic,
            );
            bar = multibar.create(total, 0);
          }
          break;
        case 'run-notice':
          print(paint(colors.yellow, `notice: ${event.message}`));
          break;
        case 'event-fired':
          stepEvents.push(event.eventType);
          break;
        case 'agent-failed':
          stepFailures.push(`${event.agentId} ${event.reason}`);
          break;
        case 'step-completed': {
          const parts = Object.entries(event.metrics)
            .map(([name, value]) => metricChange(name, previous[name], value))
            .filter((part): part is string => part !== undefined);
          previous = event.metrics;
          const acted = Object.values(event.actions).reduce((sum, count) => sum + count, 0);
          let line = `step ${String(event.step).padStart(String(total).length)}/${total}  ${acted} actions, ${event.messages} messages`;
          if (parts.length > 0) line += `  ${parts.join(', ')}`;
          if (stepEvents.length > 0) line += `  ${paint(colors.cyan, `events: ${stepEvents.join(', ')}`)}`;
          if (stepFailures.length > 0) {
            const shown = stepFailures.slice(0, 3).join(', ');
            line += `  ${paint(colors.red, `failed: ${shown}${stepFailures.length > 3 ? ` +${stepFailures.length - 3} more` : ''}`)}`;
          }
          print(line);
          stepEvents = [];
          stepFailures = [];
          bar?.update(event.step);
          break;
        }
        case 'run-paused':
          print(paint(colors.yellow, `paused after step ${event.step}`));
          break;
        case 'run-completed':
          bar?.update(total);
          print(paint(colors.green, `completed: ${event.outcome} at step ${event.step} — ${event.reason}`));
          break;
        case 'run-stopped':
          print(paint(colors.yellow, `stopped after step ${event.step}: ${event.reason}`));
          break;
        case 'run-failed':
          print(paint(colors.red, `failed at step ${event.step}: ${event.error.message}`));
          break;
        default:
          break;
      }
    },
    close() {
      multibar?.stop();
      multibar = undefined;
    },
  };
}
