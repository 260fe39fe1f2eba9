import type { DocumentPath, ScenarioEdit, ScenarioFormModel } from '../state/scenario-document';

const brains = ['rules', 'fast', 'smart'];
const variableTypes = ['float', 'int', 'bool', 'enum', 'string', 'list'];

function numberOrUndefined(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function parseDefault(type: string, text: string): unknown {
  if (text === '') return undefined;
  if (type === 'float' || type === 'int') return numberOrUndefined(text) ?? text;
  if (type === 'bool') return text === 'true';
  return text;
}

/**
 * The designer's form over the common fields: name, clock, agents and populations with their tier,
 * world variables with min/max, scheduled events, environments and the game master. Every change
 * is one {@link ScenarioEdit} on the YAML, so the editor and the form never disagree.
 */
export function ScenarioForm({
  model,
  onEdit,
  disabled,
}: {
  model: ScenarioFormModel;
  onEdit: (edit: ScenarioEdit) => void;
  disabled: boolean;
}) {
  const set = (path: DocumentPath, value: unknown) => onEdit({ kind: 'set', path, value });
  return (
    <fieldset className="scenario-form" disabled={disabled}>
      <legend>Scenario</legend>
      <label>
        Name
        <input
          aria-label="Scenario name"
          value={model.name}
          onChange={(event) => set(['name'], event.target.value)}
        />
      </label>
      <label>
        Description
        <textarea
          aria-label="Description"
          rows={2}
          value={model.description}
          onChange={(event) => set(['description'], event.target.value)}
        />
      </label>
      <div className="form-row">
        <label>
          Steps
          <input
            aria-label="Steps"
            type="number"
            min={1}
            value={model.steps ?? ''}
            onChange={(event) => set(['clock', 'steps'], numberOrUndefined(event.target.value))}
          />
        </label>
        <label>
          Clock
          <select
            aria-label="Clock mode"
            value={model.mode}
            onChange={(event) => set(['clock', 'mode'], event.target.value)}
          >
            <option value="rounds">rounds</option>
            <option value="events">events</option>
          </select>
        </label>
        <label>
          Seed
          <input
            aria-label="Seed"
            type="number"
            min={0}
            value={model.seed ?? ''}
            onChange={(event) => set(['seed'], numberOrUndefined(event.target.value))}
          />
        </label>
      </div>

      <h4>Agents and populations</h4>
      <table className="table compact form-table">
        <thead>
          <tr>
            <th>id</th>
            <th>role</th>
            <th>count</th>
            <th>tier</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {model.agents.map((agent, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the YAML list.
            <tr key={index} data-form-agent={index}>
              <td>
                <input
                  aria-label={`Agent ${index + 1} id`}
                  value={agent.id}
                  onChange={(event) => set(['agents', index, 'id'], event.target.value)}
                />
              </td>
              <td>
                <input
                  aria-label={`Agent ${index + 1} role`}
                  value={agent.role}
                  onChange={(event) => set(['agents', index, 'role'], event.target.value)}
                />
              </td>
              <td>
                <input
                  aria-label={`Agent ${index + 1} count`}
                  type="number"
                  min={1}
                  placeholder="1"
                  value={agent.count ?? ''}
                  onChange={(event) => set(['agents', index, 'count'], numberOrUndefined(event.target.value))}
                />
              </td>
              <td>
                <select
                  aria-label={`Agent ${index + 1} tier`}
                  value={agent.brain}
                  onChange={(event) => set(['agents', index, 'brain'], event.target.value)}
                >
                  {[...new Set([...brains, agent.brain])].map((brain) => (
                    <option key={brain}>{brain}</option>
                  ))}
                </select>
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove agent ${index + 1}`}
                  onClick={() => onEdit({ kind: 'delete', path: ['agents', index] })}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() =>
          onEdit({
            kind: 'append',
            path: ['agents'],
            value: { id: `agent_${model.agents.length + 1}`, role: 'person', brain: 'rules' },
          })
        }
      >
        Add agent
      </button>

      <h4>World variables</h4>
      <table className="table compact form-table">
        <thead>
          <tr>
            <th>name</th>
            <th>type</th>
            <th>default</th>
            <th>min</th>
            <th>max</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {model.variables.map((variable) => (
            <tr key={variable.name} data-form-variable={variable.name}>
              <td>
                <input
                  aria-label={`Variable ${variable.name} name`}
                  defaultValue={variable.name}
                  onBlur={(event) =>
                    onEdit({
                      kind: 'rename-key',
                      path: ['variables'],
                      from: variable.name,
                      to: event.target.value.trim(),
                    })
                  }
                />
              </td>
              <td>
                <select
                  aria-label={`Variable ${variable.name} type`}
                  value={variable.type}
                  onChange={(event) => set(['variables', variable.name, 'type'], event.target.value)}
                >
                  {variableTypes.map((type) => (
                    <option key={type}>{type}</option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={`Variable ${variable.name} default`}
                  value={variable.default === undefined ? '' : String(variable.default)}
                  onChange={(event) =>
                    set(
                      ['variables', variable.name, 'default'],
                      parseDefault(variable.type, event.target.value),
                    )
                  }
                />
              </td>
              <td>
                <input
                  aria-label={`Variable ${variable.name} min`}
                  type="number"
                  value={variable.min ?? ''}
                  onChange={(event) =>
                    set(['variables', variable.name, 'min'], numberOrUndefined(event.target.value))
                  }
                />
              </td>
              <td>
                <input
                  aria-label={`Variable ${variable.name} max`}
                  type="number"
                  value={variable.max ?? ''}
                  onChange={(event) =>
                    set(['variables', variable.name, 'max'], numberOrUndefined(event.target.value))
                  }
                />
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove variable ${variable.name}`}
                  onClick={() => onEdit({ kind: 'delete', path: ['variables', variable.name] })}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() => {
          let index = model.variables.length + 1;
          while (model.variables.some((variable) => variable.name === `variable_${index}`)) index++;
          set(['variables', `variable_${index}`], { type: 'float', default: 0, min: 0, max: 1 });
        }}
      >
        Add variable
      </button>

      <h4>Events</h4>
      <table className="table compact form-table">
        <thead>
          <tr>
            <th>step</th>
            <th>type</th>
            <th>description</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {model.events.map((event, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the YAML list.
            <tr key={index}>
              <td>
                <input
                  aria-label={`Event ${index + 1} step`}
                  type="number"
                  min={1}
                  value={event.step ?? ''}
                  placeholder={event.when ? 'when…' : ''}
                  onChange={(change) =>
                    set(['events', index, 'step'], numberOrUndefined(change.target.value))
                  }
                />
              </td>
              <td>
                <input
                  aria-label={`Event ${index + 1} type`}
                  value={event.type}
                  onChange={(change) => set(['events', index, 'type'], change.target.value)}
                />
              </td>
              <td>
                <input
                  aria-label={`Event ${index + 1} description`}
                  value={event.description}
                  onChange={(change) => set(['events', index, 'description'], change.target.value)}
                />
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove event ${index + 1}`}
                  onClick={() => onEdit({ kind: 'delete', path: ['events', index] })}
                >
                  ×
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        onClick={() =>
          onEdit({
            kind: 'append',
            path: ['events'],
            value: { step: 1, type: 'announcement', description: 'Something happens.' },
          })
        }
      >
        Add event
      </button>

      <h4>Environments</h4>
      <ul className="plain-list">
        {model.environments.map((environment, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the YAML list.
          <li key={index}>
            <strong>{environment.type}</strong> {environment.name}
            {environment.description ? <span className="muted"> — {environment.description}</span> : null}{' '}
            <button
              type="button"
              aria-label={`Remove environment ${index + 1}`}
              onClick={() => onEdit({ kind: 'delete', path: ['environments', index] })}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        onClick={() =>
          onEdit({
            kind: 'append',
            path: ['environments'],
            value: { type: 'social', name: 'social', topics: [] },
          })
        }
      >
        Add social feed
      </button>

      <h4>Game master</h4>
      {model.gameMaster ? (
        <div className="game-master-form">
          <label>
            Tier
            <select
              aria-label="Game master tier"
              value={model.gameMaster.brain}
              onChange={(event) => set(['game_master', 'brain'], event.target.value)}
            >
              {[...new Set(['fast', 'smart', model.gameMaster.brain])].map((brain) => (
                <option key={brain}>{brain}</option>
              ))}
            </select>
          </label>
          <label>
            System prompt
            <textarea
              rows={2}
              aria-label="Game master system prompt"
              value={model.gameMaster.systemPrompt}
              onChange={(event) => set(['game_master', 'system_prompt'], event.target.value)}
            />
          </label>
          <label>
            Simulation plan
            <textarea
              rows={2}
              aria-label="Game master simulation plan"
              value={model.gameMaster.simulationPlan}
              onChange={(event) => set(['game_master', 'simulation_plan'], event.target.value)}
            />
          </label>
          <button type="button" onClick={() => onEdit({ kind: 'delete', path: ['game_master'] })}>
            Remove game master
          </button>
        </div>
      ) : (
        <button
          type="button"
          onClick={() =>
            set(['game_master'], {
              brain: 'smart',
              system_prompt: 'You are the game master of this simulation.',
              simulation_plan: 'Respond realistically to what the agents do.',
            })
          }
        >
          Add game master
        </button>
      )}
    </fieldset>
  );
}
