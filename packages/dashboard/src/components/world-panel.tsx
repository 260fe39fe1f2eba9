import { useState } from 'react';
import type { RunConsoleState, VariableState } from '../state/run-console-state';
import { formatNumber } from './format';
import { Sparkline } from './sparkline';
import { EmptyState } from './status-states';
import { VirtualList } from './virtual-list';

function numericHistory(variable: VariableState) {
  return variable.history.flatMap((point) =>
    typeof point.value === 'number'
      ? [{ step: point.step, value: point.value }]
      : typeof point.value === 'boolean'
        ? [{ step: point.step, value: point.value ? 1 : 0 }]
        : [],
  );
}

/** The world variables: current value, a sparkline of the history, and the history on demand. */
export function VariablesPanel({ state }: { state: RunConsoleState }) {
  const [open, setOpen] = useState<string>();
  const variables = [...state.variables.values()];
  return (
    <section className="panel variables-panel">
      <div className="panel-header">
        <h3>World variables</h3>
      </div>
      {variables.length === 0 ? <EmptyState title="No variable has changed yet" /> : null}
      <table className="table compact" data-testid="variables">
        <tbody>
          {variables.map((variable) => (
            <tr key={variable.name} data-variable={variable.name}>
              <td>
                <button
                  type="button"
                  className="link"
                  onClick={() => setOpen(open === variable.name ? undefined : variable.name)}
                >
                  {variable.name}
                </button>
              </td>
              <td className="number">{formatNumber(variable.value)}</td>
              <td>
                <Sparkline points={numericHistory(variable)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {open && state.variables.get(open) ? (
        <div className="variable-history small">
          <strong>{open}</strong> history:{' '}
          {(state.variables.get(open) as VariableState).history
            .slice(-40)
            .map((point) => `${point.step}: ${formatNumber(point.value)}`)
            .join(' · ')}
        </div>
      ) : null}
    </section>
  );
}

/** Every write that went past a variable's bounds, newest last. */
export function ConstraintPanel({ state }: { state: RunConsoleState }) {
  return (
    <section className="panel">
      <div className="panel-header">
        <h3>Constraint hits ({state.constraintHits.length})</h3>
      </div>
      {state.constraintHits.length === 0 ? (
        <EmptyState title="No constraint hits">Writes past a variable's min or max show here.</EmptyState>
      ) : (
        <VirtualList
          items={state.constraintHits}
          count={state.constraintHits.length}
          rowHeight={22}
          height={160}
          followTail
          label="Constraint hits"
          renderRow={(hit) => (
            <div className="timeline-row">
              <span className="timeline-step">{hit.step}</span>
              <span className="timeline-text">{hit.text}</span>
            </div>
          )}
        />
      )}
    </section>
  );
}
