import { useState } from 'react';
import type { RunControl } from '../api/api-client';
import { useApiClient } from '../api/api-context';
import type { RunSummary } from '../api/api-types';
import { navigate } from '../state/hash-route';
import type { ConsoleRunStatus } from '../state/run-console-state';
import { ErrorMessage } from './status-states';

/**
 * Pause, single-step, resume and stop, fork from the current step, and start the scenario again.
 * Controls act at the next step boundary; the buttons follow the run's status as the events
 * report it.
 */
export function RunControls({
  runId,
  status,
  run,
  step,
}: {
  runId: string;
  status: ConsoleRunStatus;
  /** The server's view of the run (scenario, seed, whether this server executes it). */
  run: RunSummary | undefined;
  step: number;
}) {
  const client = useApiClient();
  const [pending, setPending] = useState<string>();
  const [error, setError] = useState<Error>();
  const ended = status === 'completed' || status === 'stopped' || status === 'failed';
  const controllable = !ended && run?.live !== false;

  const act = async (label: string, action: () => Promise<unknown>) => {
    setPending(label);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setPending(undefined);
    }
  };
  const control = (name: RunControl) => act(name, () => client.controlRun(runId, name));
  const fork = () =>
    act('fork', async () => {
      const child = await client.forkRun(runId, step);
      navigate(`/runs/${child.id}`);
    });
  const startAgain = () =>
    act('start', async () => {
      if (!run?.scenarioId) throw new Error('this run has no stored scenario to start again');
      const next = await client.startRun({
        scenarioId: run.scenarioId,
        ...(run.scenarioVersion ? { version: run.scenarioVersion } : {}),
        ...(run.parameters ? { parameters: run.parameters } : {}),
      });
      navigate(`/runs/${next.id}`);
    });

  const button = (name: string, label: string, enabled: boolean, onClick: () => void) => (
    <button type="button" data-control={name} disabled={!enabled || pending !== undefined} onClick={onClick}>
      {pending === name ? `${label}…` : label}
    </button>
  );

  return (
    <div className="run-controls">
      {button('pause', 'Pause', controllable && status === 'running', () => control('pause'))}
      {button('step', 'Step', controllable && status === 'paused', () => control('step'))}
      {button('resume', 'Resume', controllable && status === 'paused', () => control('resume'))}
      {button('stop', 'Stop', controllable, () => control('stop'))}
      {button('fork', `Fork at step ${step}`, step > 0, fork)}
      {button('start', 'Start again', Boolean(run?.scenarioId), startAgain)}
      {error ? <ErrorMessage error={error} /> : null}
    </div>
  );
}
