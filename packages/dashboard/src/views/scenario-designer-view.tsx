import { useEffect, useMemo, useState } from 'react';
import { useApiClient } from '../api/api-context';
import { ApiError } from '../api/api-error';
import type { ValidationIssue, ValidationResult } from '../api/api-types';
import { ScenarioForm } from '../components/scenario-form';
import { ErrorMessage, Loading } from '../components/status-states';
import { YamlEditor } from '../components/yaml-editor';
import { navigate } from '../state/hash-route';
import {
  editScenarioText,
  readScenarioForm,
  type ScenarioEdit,
  starterScenario,
} from '../state/scenario-document';
import { useApi } from '../state/use-api';

/** The CLI's one-line form of an issue: `line:column: path: message`. */
export function issueText(issue: ValidationIssue): string {
  if (issue.text) return issue.text;
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const field = issue.path ? `${issue.path}: ` : '';
  return where ? `${where}: ${field}${issue.message}` : `${field}${issue.message}`;
}

/**
 * The scenario designer: a form for the common fields and the YAML editor, kept in sync (both edit
 * the same text); validation through the API as the text changes, with the CLI's messages; save as
 * a new scenario or a new version; clone; start a run.
 */
export function ScenarioDesignerView({ scenarioId, version }: { scenarioId?: string; version?: number }) {
  const client = useApiClient();
  const schema = useApi(() => client.scenarioSchema(), []);
  const loaded = useApi(async () => {
    if (!scenarioId) return undefined;
    const scenario = await client.getScenario(scenarioId);
    if (version === undefined || version === scenario.latestVersion)
      return { scenario, source: scenario.source, version: scenario.latestVersion };
    const older = await client.getScenarioVersion(scenarioId, version);
    return { scenario, source: older.source, version: older.version };
  }, [scenarioId, version]);
  const [text, setText] = useState<string | undefined>(scenarioId ? undefined : starterScenario);
  const [validation, setValidation] = useState<ValidationResult>();
  const [validating, setValidating] = useState(false);
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<Error>();
  const [saved, setSaved] = useState<string>();

  useEffect(() => {
    if (loaded.data && text === undefined) setText(loaded.data.source);
  }, [loaded.data, text]);

  // Validate through the server (the CLI's loader) shortly after typing stops.
  useEffect(() => {
    if (text === undefined) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setValidating(true);
      client.validateScenario(text, controller.signal).then(
        (result) => {
          setValidation(result);
          setValidating(false);
        },
        (error: unknown) => {
          if ((error as Error).name === 'AbortError') return;
          setValidation({
            ok: false,
            issues: [{ message: `validation failed: ${(error as Error).message}` }],
          });
          setValidating(false);
        },
      );
    }, 400);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, text]);

  const form = useMemo(() => (text === undefined ? undefined : readScenarioForm(text)), [text]);
  const issues = validation?.issues ?? [];

  const edit = (change: ScenarioEdit) => {
    if (text === undefined) return;
    try {
      setText(editScenarioText(text, change));
    } catch (error) {
      setActionError(error as Error);
    }
  };

  const act = async (label: string, action: () => Promise<void>) => {
    setBusy(label);
    setActionError(undefined);
    setSaved(undefined);
    try {
      await action();
    } catch (error) {
      if (error instanceof ApiError && error.issues.length > 0)
        setValidation({ ok: false, issues: error.issues });
      setActionError(error as Error);
    } finally {
      setBusy(undefined);
    }
  };

  const save = () =>
    act('save', async () => {
      if (text === undefined) return;
      if (scenarioId) {
        const scenario = await client.saveScenarioVersion(scenarioId, text);
        setSaved(`Saved as version ${scenario.latestVersion}`);
        navigate(`/scenarios/${encodeURIComponent(scenario.id)}?version=${scenario.latestVersion}`);
      } else {
        const scenario = await client.createScenario(text);
        navigate(`/scenarios/${encodeURIComponent(scenario.id)}`);
      }
    });
  const clone = () =>
    act('clone', async () => {
      if (!scenarioId) return;
      const copy = await client.cloneScenario(
        scenarioId,
        loaded.data ? { version: loaded.data.version } : {},
      );
      navigate(`/scenarios/${encodeURIComponent(copy.id)}`);
    });
  const start = () =>
    act('start', async () => {
      if (!scenarioId) return;
      const run = await client.startRun({
        scenarioId,
        ...(loaded.data ? { version: loaded.data.version } : {}),
      });
      navigate(`/runs/${encodeURIComponent(run.id)}`);
    });

  if (scenarioId && loaded.loading && !loaded.data) return <Loading what="scenario" />;
  if (loaded.error) return <ErrorMessage error={loaded.error} retry={loaded.reload} />;
  if (text === undefined || !form) return <Loading what="scenario" />;
  const unchanged = loaded.data !== undefined && text === loaded.data.source;
  const latest = loaded.data ? loaded.data.version === loaded.data.scenario.latestVersion : true;

  return (
    <div className="designer">
      <header className="panel designer-header">
        <h2>
          {scenarioId ? (loaded.data?.scenario.name ?? scenarioId) : 'New scenario'}
          {loaded.data ? (
            <span className="muted">
              {' '}
              v{loaded.data.version} of {loaded.data.scenario.latestVersion}
            </span>
          ) : null}
        </h2>
        <div className="designer-actions">
          <span
            className={`validation-badge ${validation?.ok ? 'valid' : 'invalid'}`}
            data-testid="validation-status"
          >
            {validating
              ? 'validating…'
              : validation
                ? validation.ok
                  ? 'valid'
                  : `${issues.length} problem${issues.length === 1 ? '' : 's'}`
                : ''}
          </span>
          <button type="button" onClick={save} disabled={busy !== undefined || !validation?.ok || unchanged}>
            {scenarioId ? 'Save as new version' : 'Save scenario'}
          </button>
          {scenarioId ? (
            <>
              <button type="button" onClick={clone} disabled={busy !== undefined}>
                Clone
              </button>
              <button type="button" onClick={start} disabled={busy !== undefined || !unchanged}>
                Start run{latest ? '' : ` of v${loaded.data?.version}`}
              </button>
            </>
          ) : null}
        </div>
      </header>
      {saved ? <div className="state state-ok">{saved}</div> : null}
      {actionError ? <ErrorMessage error={actionError} /> : null}
      {!unchanged && scenarioId ? (
        <div className="muted small">Unsaved changes: save a new version to run them.</div>
      ) : null}
      <div className="designer-grid">
        <div className="designer-form">
          {'failure' in form ? (
            <div className="state state-error">
              The YAML does not parse
              {form.failure.line ? ` at line ${form.failure.line}:${form.failure.column}` : ''}:{' '}
              {form.failure.message}. The form is read-only until it does.
            </div>
          ) : null}
          {'model' in form ? <ScenarioForm model={form.model} onEdit={edit} disabled={false} /> : null}
        </div>
        <div className="designer-editor">
          <YamlEditor value={text} onChange={setText} schema={schema.data} issues={issues} />
          <div className="issues" data-testid="validation-issues">
            {issues.map((issue, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: issues have no identity beyond their place.
              <div key={index} className="issue">
                {issueText(issue)}
              </div>
            ))}
            {validation?.notes?.map((note) => (
              <div key={note} className="muted small">
                {note}
              </div>
            ))}
          </div>
        </div>
      </div>
    </div>
  );
}
