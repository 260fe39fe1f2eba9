import { useState } from 'react';
import type { ModelCallStats } from '../api/api-types';
import type { RunConsoleState } from '../state/run-console-state';
import { ConversationRow } from './agent-panel';
import { formatCost, formatNumber } from './format';
import { EmptyState } from './status-states';
import { VirtualList } from './virtual-list';

/** The game master's reasoning, one entry per step, newest first. */
export function GameMasterPanel({ state }: { state: RunConsoleState }) {
  const entries = state.gameMasterReasoning;
  return (
    <section className="panel">
      <div className="panel-header">
        <h3>Game master</h3>
      </div>
      {entries.length === 0 ? (
        <EmptyState title="No game master reasoning">
          Scenarios with a game_master block show its ruling per step.
        </EmptyState>
      ) : (
        <div className="reasoning-list">
          {entries
            .slice(-30)
            .reverse()
            .map((entry) => (
              <div key={`${entry.step}-${entry.gameMaster}`} className="reasoning">
                <strong>Step {entry.step}</strong> <span className="muted">{entry.gameMaster}</span>
                <p>{entry.reasoning}</p>
              </div>
            ))}
        </div>
      )}
    </section>
  );
}

/** Model calls, tokens, cost and latency percentiles of the run. */
export function ModelStatsPanel({ stats }: { stats: ModelCallStats | undefined }) {
  return (
    <section className="panel">
      <div className="panel-header">
        <h3>Model calls</h3>
      </div>
      {!stats || stats.calls === 0 ? (
        <EmptyState title="No model calls">Rule agents (tier 0) decide without a model.</EmptyState>
      ) : (
        <table className="table compact" data-testid="model-stats">
          <tbody>
            <tr>
              <td>Calls</td>
              <td className="number">{stats.calls}</td>
            </tr>
            <tr>
              <td>Failures</td>
              <td className="number">{stats.failures ?? 0}</td>
            </tr>
            <tr>
              <td>Prompt / completion tokens</td>
              <td className="number">
                {formatNumber(stats.promptTokens ?? 0)} / {formatNumber(stats.completionTokens ?? 0)}
              </td>
            </tr>
            <tr>
              <td>Cached prompt tokens</td>
              <td className="number">{formatNumber(stats.cachedTokens ?? 0)}</td>
            </tr>
            <tr>
              <td>Cost</td>
              <td className="number">{formatCost(stats.cost)}</td>
            </tr>
            <tr>
              <td>Latency p50 / p95 / p99</td>
              <td className="number">
                {[stats.latency?.p50, stats.latency?.p95, stats.latency?.p99]
                  .map((value) => (value === undefined ? '—' : `${Math.round(value)} ms`))
                  .join(' / ')}
              </td>
            </tr>
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A room's (or the broadcast channel's) messages. */
export function RoomPanel({ state }: { state: RunConsoleState }) {
  const rooms = [...state.rooms.keys()];
  const [room, setRoom] = useState<string>();
  const current = room ?? rooms[0];
  const entries = current ? (state.rooms.get(current) ?? []) : [];
  return (
    <section className="panel">
      <div className="panel-header">
        <h3>Rooms</h3>
        {rooms.length > 0 ? (
          <select aria-label="Room" value={current} onChange={(event) => setRoom(event.target.value)}>
            {rooms.map((name) => (
              <option key={name} value={name}>
                {name === 'broadcast' ? 'broadcast (everyone)' : `#${name}`} (
                {state.rooms.get(name)?.length ?? 0})
              </option>
            ))}
          </select>
        ) : null}
      </div>
      {rooms.length === 0 ? (
        <EmptyState title="No room messages yet" />
      ) : (
        <VirtualList
          items={entries}
          count={entries.length}
          rowHeight={22}
          height={200}
          followTail
          label="Room messages"
          testId="room-messages"
          renderRow={(entry) => <ConversationRow entry={entry} />}
        />
      )}
    </section>
  );
}
