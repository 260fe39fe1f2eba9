import { useApiClient } from '../api/api-context';
import { EmptyState, ErrorMessage, Loading } from '../components/status-states';
import { useApi } from '../state/use-api';

/**
 * A run's executive brief, when the server offers one, with its PDF. The Markdown is shown as
 * text (pre-wrapped): it is model output, and rendering it as HTML would need a sanitizer.
 */
export function BriefView({ runId }: { runId: string }) {
  const client = useApiClient();
  const brief = useApi(() => client.brief(runId), [runId]);
  const download = async () => {
    const response = await fetch(client.briefPdfUrl(runId), { headers: client.headers() });
    if (!response.ok) throw new Error(`the PDF is not available (${response.status})`);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = `brief-${runId}.pdf`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };
  return (
    <section className="panel brief-view">
      <div className="panel-header">
        <h2>
          Brief <a href={`#/runs/${runId}`}>{runId}</a>
        </h2>
        {brief.data ? (
          <button
            type="button"
            onClick={() => download().catch((error: Error) => window.alert(error.message))}
          >
            Download PDF
          </button>
        ) : null}
      </div>
      {brief.loading && !brief.data ? <Loading what="brief" /> : null}
      {brief.error ? <ErrorMessage error={brief.error} retry={brief.reload} /> : null}
      {!brief.loading && !brief.error && !brief.data ? (
        <EmptyState title="No brief for this run yet">
          This server does not offer briefs yet, or the run has not ended. The CLI writes one with{' '}
          <code>sandtable brief</code> when the analysis package is installed.
        </EmptyState>
      ) : null}
      {brief.data ? (
        <article className="brief" data-testid="brief">
          {brief.data.headline ? <h3>{brief.data.headline}</h3> : null}
          <pre className="brief-text">{brief.data.markdown}</pre>
        </article>
      ) : null}
    </section>
  );
}
