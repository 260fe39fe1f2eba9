import { type FormEvent, useState } from 'react';
import type { AgentControl } from '../api/api-client';
import { useApiClient } from '../api/api-context';
import type { AgentState, ConversationEntry, RunConsoleState } from '../state/run-console-state';
import { formatNumber } from './format';
import { ErrorMessage } from './status-states';
import { VirtualList } from './virtual-list';

/** The agent list: status, tier, last action, failures, and mute / pause / terminate per agent. */
export function AgentPanel({
  runId,
  state,
  selected,
  onSelect,
  live,
}: {
  runId: string;
  state: RunConsoleState;
  selected: string | undefined;
  onSelect: (agentId: string) => void;
  live: boolean;
}) {
  const client = useApiClient();
  const [error, setError] = useState<Error>();
  const [query, setQuery] = useState('');
  const ids = query
    ? state.agentOrder.filter((id) => {
        const agent = state.agents.get(id);
        const text = `${id} ${agent?.name ?? ''} ${agent?.role ?? ''}`.toLowerCase();
        return text.includes(query.toLowerCase());
      })
    : state.agentOrder;

  const control = (agentId: string, action: AgentControl) => {
    setError(undefined);
    client.controlAgent(runId, agentId, action).catch((failure: unknown) => setError(failure as Error));
  };

  return (
    <section className="panel agent-panel">
      <div className="panel-header">
        <h3>Agents ({state.agentOrder.length})</h3>
        <input
          type="search"
          placeholder="Filter agents"
          aria-label="Filter agents"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>
      {error ? <ErrorMessage error={error} /> : null}
      <div className="agent-row agent-row-header">
        <span>Agent</span>
        <span>Tier</span>
        <span>Status</span>
        <span>Last action</span>
        <span>Fail</span>
        <span />
      </div>
      <VirtualList
        items={ids}
        count={ids.length}
        rowHeight={28}
        height={300}
        label="Agents"
        testId="agent-list"
        renderRow={(agentId) => {
          const agent = state.agents.get(agentId) as AgentState;
          return (
            <div
              className={`agent-row${selected === agentId ? ' selected' : ''}`}
              data-agent={agentId}
              data-standing={agent.standing}
            >
              <button type="button" className="link" onClick={() => onSelect(agentId)} title={agent.role}>
                {agent.name === agent.id ? agent.id : `${agent.name} (${agent.id})`}
              </button>
              <span>{agent.tier || '—'}</span>
              <span className={`standing standing-${agent.standing}`}>{agent.standing}</span>
              <span className="ellipsis" title={agent.lastFailure ?? agent.lastAction}>
                {agent.lastAction ?? '—'}
              </span>
              <span className={agent.failures > 0 ? 'failures' : undefined}>{agent.failures}</span>
              <span className="agent-actions">
                {agent.standing === 'muted' ? (
                  <button type="button" disabled={!live} onClick={() => control(agentId, 'unmute')}>
                    Unmute
                  </button>
                ) : (
                  <button
                    type="button"
                    disabled={!live || agent.standing === 'terminated'}
                    onClick={() => control(agentId, 'mute')}
                  >
                    Mute
                  </button>
                )}
                {agent.standing === 'paused' ? (
                  <button type="button" disabled={!live} onClick={() => control(agentId, 'resume')}>
                    Resume
                  </button>
                ) : (
                  <button
                    type="button"
                    disabled={!live || agent.standing === 'terminated'}
                    onClick={() => control(agentId, 'pause')}
                  >
                    Pause
                  </button>
                )}
                <button
                  type="button"
                  disabled={!live || agent.standing === 'terminated'}
                  onClick={() => {
                    if (window.confirm(`Terminate ${agentId}? It will not act again in this run.`))
                      control(agentId, 'terminate');
                  }}
                >
                  End
                </button>
              </span>
            </div>
          );
        }}
      />
    </section>
  );
}

/** One conversation line: a message or an action, muted messages marked. */
export function ConversationRow({ entry, perspective }: { entry: ConversationEntry; perspective?: string }) {
  const direction = entry.kind !== 'message' ? '' : entry.from === perspective ? '→ ' : '← ';
  const target = entry.to
    ? ` → ${entry.to}`
    : entry.room
      ? ` in #${entry.room}`
      : entry.broadcast
        ? ' to everyone'
        : '';
  return (
    <div
      className={`conversation-row kind-${entry.kind}${entry.muted ? ' muted-message' : ''}${entry.from === 'operator' ? ' from-operator' : ''}`}
    >
      <span className="timeline-step">{entry.step}</span>
      <span className="conversation-from">
        {direction}
        {entry.kind === 'message' ? `${entry.from}${target}` : entry.kind}
      </span>
      <span className="timeline-text" title={entry.text}>
        {entry.muted ? '(withheld: sender muted) ' : ''}
        {entry.text}
      </span>
    </div>
  );
}

/** The selected agent: its variables, its conversation and actions, and an operator message box. */
export function AgentDetail({ runId, agent, live }: { runId: string; agent: AgentState; live: boolean }) {
  const client = useApiClient();
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error>();
  const [sent, setSent] = useState<string>();

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    setSending(true);
    setError(undefined);
    try {
      await client.sendMessage(runId, agent.id, text.trim());
      setSent(text.trim());
      setText('');
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setSending(false);
    }
  };

  return (
    <section className="panel agent-detail" data-testid="agent-detail" data-agent={agent.id}>
      <div className="panel-header">
        <h3>
          {agent.name}{' '}
          <span className="muted">
            ({agent.id}, {agent.role || 'agent'})
          </span>
        </h3>
        <span className={`standing standing-${agent.standing}`}>{agent.standing}</span>
      </div>
      <div className="agent-variables small">
        {Object.entries(agent.variables).map(([name, value]) => (
          <span key={name} className="chip">
            {name}: {formatNumber(value)}
          </span>
        ))}
        {agent.lastFailure ? <span className="chip failures">last failure: {agent.lastFailure}</span> : null}
      </div>
      <VirtualList
        items={agent.conversation}
        count={agent.conversation.length}
        rowHeight={22}
        height={220}
        followTail
        label={`Conversation of ${agent.id}`}
        testId="agent-conversation"
        renderRow={(entry) => <ConversationRow entry={entry} perspective={agent.id} />}
      />
      <form className="override-form" onSubmit={send}>
        <input
          aria-label={`Message to ${agent.id}`}
          placeholder={
            live ? `Message ${agent.id} as the operator (delivered next step)` : 'The run has ended'
          }
          value={text}
          disabled={!live}
          onChange={(event) => setText(event.target.value)}
        />
        <button type="submit" disabled={!live || sending || !text.trim()}>
          {sending ? 'Sending…' : 'Send'}
        </button>
      </form>
      {sent ? (
        <div className="muted small">Sent “{sent}”; it appears above when the run delivers it.</div>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
    </section>
  );
}
