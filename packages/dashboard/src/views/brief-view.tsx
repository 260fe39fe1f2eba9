import { useState } from 'react';
import { useApiClient } from '../api/api-context';
import type { ExecutiveBrief } from '../api/api-types';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { useApi } from '../state/use-api';

/**
 * A run's executive brief, when the server offers one, with its PDF. Text is shown as text, never
 * as HTML: a brief may be model output.
 */
export function BriefView({ runId }: { runId: string }) {
  const client = useApiClient();
  const brief = useApi(() => client.brief(runId), [runId]);
  const [downloadError, setDownloadError] = useState<Error>();
  const [writing, setWriting] = useState(false);
  const [writeError, setWriteError] = useState<Error>();
  // The server's models write the brief and the evaluation; the server stores them and serves
  // them from then on (409 MODEL_NOT_CONFIGURED when it has no model: shown as the error).
  const writeWithModel = async () => {
    setWriteError(undefined);
    setWriting(true);
    try {
      await client.request('POST', `/runs/${encodeURIComponent(runId)}/brief`, { mode: 'model' });
      brief.reload();
    } catch (error) {
      setWriteError(error as Error);
    } finally {
      setWriting(false);
    }
  };
  const download = async () => {
    setDownloadError(undefined);
    try {
      // A plain link could not send the bearer token, so fetch the PDF and hand it over as a blob.
      const response = await fetch(client.briefPdfUrl(runId), { headers: client.headers() });
      if (!response.ok) throw new Error(`the PDF is not available (HTTP ${response.status})`);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `brief-${runId}.pdf`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setDownloadError(error as Error);
    }
  };
  return (
    <section className="panel brief-view">
      <div className="panel-header">
        <h2>
          Brief <a href={`#/runs/${runId}`}>{runId}</a>
        </h2>
        {brief.data?.brief && brief.data.brief.source !== 'model' ? (
          <button type="button" onClick={writeWithModel} disabled={writing}>
            {writing ? 'Writing…' : 'Write with model'}
          </button>
        ) : null}
        {brief.data ? (
          <button type="button" onClick={download}>
            Download PDF
          </button>
        ) : null}
      </div>
      {writeError ? <ErrorMessage error={writeError} /> : null}
      {downloadError ? <ErrorMessage error={downloadError} /> : null}
      {brief.loading && !brief.data ? <Loading what="brief" /> : null}
      {brief.error ? <ErrorMessage error={brief.error} retry={brief.reload} /> : null}
      {!brief.loading && !brief.error && !brief.data ? (
        <EmptyState title="No brief for this run yet">
          The server offers a brief once the run has ended (if this server has the brief routes); the CLI
          writes one with <code>sandtable brief RUN_DIR --pdf</code>.
        </EmptyState>
      ) : null}
      {brief.data?.brief ? <BriefParts brief={brief.data.brief} runId={runId} /> : null}
      {brief.data && !brief.data.brief && brief.data.markdown ? (
        <article className="brief" data-testid="brief">
          <pre className="brief-text">{brief.data.markdown}</pre>
        </article>
      ) : null}
    </section>
  );
}

function BriefParts({ brief, runId }: { brief: ExecutiveBrief; runId: string }) {
  const list = (title: string, items: string[] | undefined) =>
    items && items.length > 0 ? (
      <>
        <h4>{title}</h4>
        <ul>
          {items.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      </>
    ) : null;
  return (
    <article className="brief" data-testid="brief">
      {brief.title ? <h3>{brief.title}</h3> : null}
      {brief.runLine ? <div className="muted small">{brief.runLine}</div> : null}
      <p className="brief-headline">{brief.headline}</p>
      {list('What happened', brief.whatHappened)}
      {brief.turningPoints && brief.turningPoints.length > 0 ? (
        <>
          <h4>Turning points</h4>
          <ul>
            {brief.turningPoints.map((point) => (
              <li key={`${point.step}-${point.text}`}>
                <a href={`#/runs/${runId}`}>Step {point.step}</a>: {point.text}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {list(
        'Impacts',
        brief.impacts?.map((impact) => `${impact.metric}: ${impact.text}`),
      )}
      {list(
        'Positions',
        brief.positions?.map((position) => `${position.stakeholder}: ${position.text}`),
      )}
      {list('Recommendations', brief.recommendations)}
      {brief.confidence ? (
        <p>
          <strong>Confidence: {brief.confidence.level}.</strong> {brief.confidence.text}
        </p>
      ) : null}
      {list('Caveats', brief.caveats)}
      {brief.source ? (
        <div className="muted small">
          Written by {brief.source === 'model' ? (brief.model ?? 'a model') : 'the rule-based composer'}.
        </div>
      ) : null}
    </article>
  );
}
