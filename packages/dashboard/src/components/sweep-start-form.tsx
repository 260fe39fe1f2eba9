import { type FormEvent, useMemo, useState } from 'react';
import { useApiClient } from '../api/api-context';
import { ApiError } from '../api/api-error';
import { SweepApi, type SweepDetail } from '../api/sweep-api';
import {
  emptySweepForm,
  issuesAt,
  placeServerIssues,
  type SweepFormIssue,
  type SweepFormPlace,
  type SweepFormValues,
  sweepRequestOf,
} from '../state/sweep-request';
import { useApi } from '../state/use-api';
import { EmptyState, ErrorMessage, Loading } from './status-states';

/** The messages that belong at one place of the form, under its field. */
function FieldIssues({ issues, place }: { issues: SweepFormIssue[]; place: SweepFormPlace }) {
  const messages = issuesAt(issues, place);
  if (messages.length === 0) return null;
  return (
    <ul className="field-issues" role="alert">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

/**
 * Starts a sweep of a stored scenario: seeds, an optional parameter grid (a parameter and its
 * comma separated values per row), steps and parallelism. What the page can check it checks first;
 * the server's validation errors (a value outside a parameter's range, a sweep too large) are shown
 * at the field they concern.
 */
export function SweepStartForm({ onStarted }: { onStarted: (sweep: SweepDetail) => void }) {
  const client = useApiClient();
  const sweeps = useMemo(() => new SweepApi(client), [client]);
  const scenarios = useApi(() => client.listScenarios(), [client]);
  const [form, setForm] = useState<SweepFormValues>(emptySweepForm());
  const [issues, setIssues] = useState<SweepFormIssue[]>([]);
  const [failure, setFailure] = useState<Error>();
  const [starting, setStarting] = useState(false);
  // The first scenario is chosen until the user picks another.
  const scenarioId = form.scenarioId || scenarios.data?.[0]?.id || '';
  const update = (change: Partial<SweepFormValues>) => setForm((current) => ({ ...current, ...change }));
  const updateRow = (index: number, change: Partial<SweepFormValues['grid'][number]>) =>
    setForm((current) => ({
      ...current,
      grid: current.grid.map((row, position) => (position === index ? { ...row, ...change } : row)),
    }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(undefined);
    const { request, issues: found } = sweepRequestOf({ ...form, scenarioId });
    setIssues(found);
    if (!request) return;
    setStarting(true);
    try {
      onStarted(await sweeps.create(request));
    } catch (error) {
      const placed =
        error instanceof ApiError && error.issues.length > 0
          ? placeServerIssues(error.issues, form.grid)
          : [];
      setIssues(placed);
      setFailure(error as Error);
    } finally {
      setStarting(false);
    }
  };

  if (scenarios.loading && !scenarios.data) return <Loading what="scenarios" />;
  if (scenarios.error) return <ErrorMessage error={scenarios.error} retry={scenarios.reload} />;
  if (!scenarios.data || scenarios.data.length === 0)
    return (
      <EmptyState title="No scenarios to sweep yet">
        Store one in the <a href="#/scenarios/new">designer</a> first.
      </EmptyState>
    );
  return (
    <form className="sweep-form" onSubmit={submit} data-testid="sweep-form" noValidate>
      <div className="form-row">
        <label>
          Scenario
          <select
            aria-label="Sweep scenario"
            value={scenarioId}
            onChange={(event) => update({ scenarioId: event.target.value })}
          >
            {scenarios.data.map((scenario) => (
              <option key={scenario.id} value={scenario.id}>
                {scenario.name} (v{scenario.latestVersion})
              </option>
            ))}
          </select>
          <FieldIssues issues={issues} place={{ field: 'scenario' }} />
        </label>
        <label>
          Name
          <input
            aria-label="Sweep name"
            placeholder="<scenario> sweep"
            value={form.name}
            onChange={(event) => update({ name: event.target.value })}
          />
          <FieldIssues issues={issues} place={{ field: 'name' }} />
        </label>
      </div>
      <div className="form-row">
        <label>
          Seeds
          <input
            aria-label="Seeds"
            type="number"
            min={1}
            value={form.seedCount}
            onChange={(event) => update({ seedCount: event.target.value })}
          />
        </label>
        <label>
          First seed
          <input
            aria-label="First seed"
            type="number"
            min={0}
            value={form.firstSeed}
            onChange={(event) => update({ firstSeed: event.target.value })}
          />
        </label>
        <label>
          Steps
          <input
            aria-label="Steps per run"
            type="number"
            min={1}
            placeholder="scenario's"
            value={form.steps}
            onChange={(event) => update({ steps: event.target.value })}
          />
          <FieldIssues issues={issues} place={{ field: 'steps' }} />
        </label>
        <label>
          Parallel
          <input
            aria-label="Parallel runs"
            type="number"
            min={1}
            max={16}
            placeholder="2"
            value={form.parallel}
            onChange={(event) => update({ parallel: event.target.value })}
          />
          <FieldIssues issues={issues} place={{ field: 'parallel' }} />
        </label>
      </div>
      <FieldIssues issues={issues} place={{ field: 'seeds' }} />

      <h4>Parameter grid</h4>
      {form.grid.length === 0 ? (
        <p className="muted small">No grid: every seed runs with the scenario's parameters.</p>
      ) : null}
      {form.grid.map((row, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the form's list.
        <div key={index} className="sweep-grid-row" data-grid-row={index}>
          <div className="form-row">
            <input
              aria-label={`Grid parameter ${index + 1}`}
              placeholder="parameter"
              value={row.parameter}
              onChange={(event) => updateRow(index, { parameter: event.target.value })}
            />
            <input
              aria-label={`Grid values ${index + 1}`}
              placeholder="values, comma separated"
              value={row.values}
              onChange={(event) => updateRow(index, { values: event.target.value })}
            />
            <button
              type="button"
              aria-label={`Remove grid parameter ${index + 1}`}
              onClick={() => update({ grid: form.grid.filter((_, position) => position !== index) })}
            >
              ×
            </button>
          </div>
          <FieldIssues issues={issues} place={{ field: 'grid', row: index }} />
        </div>
      ))}
      <FieldIssues issues={issues} place={{ field: 'grid' }} />
      <div className="designer-actions">
        <button type="button" onClick={() => update({ grid: [...form.grid, { parameter: '', values: '' }] })}>
          Add parameter
        </button>
        <button type="submit" disabled={starting}>
          {starting ? 'Starting…' : 'Start sweep'}
        </button>
      </div>
      {failure ? <ErrorMessage error={failure} /> : null}
      <FieldIssues issues={issues} place={{ field: 'form' }} />
    </form>
  );
}
