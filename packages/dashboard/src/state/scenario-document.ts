import { isMap, isSeq, parseDocument } from 'yaml';

/**
 * The designer's form and its YAML editor edit one text. The form reads its fields out of the
 * parsed YAML and writes each edit back through the `yaml` library's document model, which keeps
 * the user's comments, key order and formatting everywhere the edit did not touch.
 */

/** A path into the scenario document, e.g. `['agents', 0, 'role']`. */
export type DocumentPath = Array<string | number>;

/** The common fields the form shows, read from the YAML. */
export interface ScenarioFormModel {
  name: string;
  description: string;
  seed: number | undefined;
  steps: number | undefined;
  mode: string;
  agents: Array<{ id: string; role: string; count: number | undefined; brain: string; name: string }>;
  variables: Array<{
    name: string;
    type: string;
    default: unknown;
    min: number | undefined;
    max: number | undefined;
  }>;
  events: Array<{ step: number | undefined; when: string; type: string; description: string }>;
  environments: Array<{ type: string; name: string; description: string }>;
  gameMaster:
    | { brain: string; systemPrompt: string; simulationPlan: string; contextWindow: number | undefined }
    | undefined;
}

/** The YAML text could not be parsed; the form is read-only until it can. */
export interface ScenarioParseFailure {
  message: string;
  line?: number;
  column?: number;
}

type Plain = Record<string, unknown>;

const asText = (value: unknown): string =>
  typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
const asNumber = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const asRecord = (value: unknown): Plain =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Plain) : {};
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Reads the form's fields out of scenario text, or says why the text does not parse. */
export function readScenarioForm(
  text: string,
): { model: ScenarioFormModel } | { failure: ScenarioParseFailure } {
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) {
    const position = error.linePos?.[0];
    return {
      failure: {
        message: error.message.split('\n')[0] ?? error.message,
        ...(position ? { line: position.line, column: position.col } : {}),
      },
    };
  }
  const root = asRecord(document.toJS());
  const clock = asRecord(root.clock);
  const gameMaster = root.game_master === undefined ? undefined : asRecord(root.game_master);
  return {
    model: {
      name: asText(root.name),
      description: asText(root.description),
      seed: asNumber(root.seed),
      steps: asNumber(clock.steps),
      mode: asText(clock.mode) || 'rounds',
      agents: asList(root.agents).map((entry) => {
        const agent = asRecord(entry);
        return {
          id: asText(agent.id),
          role: asText(agent.role),
          count: asNumber(agent.count),
          brain: asText(agent.brain) || 'rules',
          name: asText(agent.name),
        };
      }),
      variables: Object.entries(asRecord(root.variables)).map(([name, entry]) => {
        const variable = asRecord(entry);
        return {
          name,
          type: asText(variable.type) || 'float',
          default: variable.default,
          min: asNumber(variable.min),
          max: asNumber(variable.max),
        };
      }),
      events: asList(root.events).map((entry) => {
        const event = asRecord(entry);
        return {
          step: asNumber(event.step),
          when: asText(event.when),
          type: asText(event.type),
          description: asText(event.description),
        };
      }),
      environments: asList(root.environments).map((entry) => {
        const environment = asRecord(entry);
        return {
          type: asText(environment.type),
          name: asText(environment.name),
          description: asText(environment.description),
        };
      }),
      gameMaster: gameMaster
        ? {
            brain: asText(gameMaster.brain) || 'smart',
            systemPrompt: asText(gameMaster.system_prompt),
            simulationPlan: asText(gameMaster.simulation_plan),
            contextWindow: asNumber(gameMaster.context_window),
          }
        : undefined,
    },
  };
}

/** One edit of the form, applied to the YAML. */
export type ScenarioEdit =
  | { kind: 'set'; path: DocumentPath; value: unknown }
  | { kind: 'delete'; path: DocumentPath }
  | { kind: 'append'; path: DocumentPath; value: unknown }
  | { kind: 'rename-key'; path: DocumentPath; from: string; to: string };

/**
 * Applies one form edit to scenario text and returns the new text. `set` with `undefined` or ''
 * removes the key (an empty optional field means "use the default").
 * @throws {Error} when the text does not parse (the form is disabled then).
 */
export function editScenarioText(text: string, edit: ScenarioEdit): string {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new Error('the YAML has errors; fix them in the editor first');
  switch (edit.kind) {
    case 'set':
      if (edit.value === undefined || edit.value === '') {
        if (document.hasIn(edit.path)) document.deleteIn(edit.path);
      } else {
        document.setIn(edit.path, edit.value);
      }
      break;
    case 'delete':
      if (document.hasIn(edit.path)) document.deleteIn(edit.path);
      break;
    case 'append': {
      const existing = document.getIn(edit.path, true);
      if (isSeq(existing)) existing.add(document.createNode(edit.value));
      else document.setIn(edit.path, document.createNode([edit.value]));
      break;
    }
    case 'rename-key': {
      const parent = document.getIn(edit.path, true);
      if (!isMap(parent) || !edit.to || edit.from === edit.to || parent.has(edit.to)) break;
      const pair = parent.items.find(
        (item) => (item.key as { value?: unknown })?.value === edit.from || item.key === edit.from,
      );
      if (pair) pair.key = document.createNode(edit.to);
      break;
    }
    default: {
      const unknown: never = edit;
      throw new Error(`unknown edit ${JSON.stringify(unknown)}`);
    }
  }
  return document.toString({ lineWidth: 0 });
}

/** A small valid scenario the designer starts from. */
export const starterScenario = `# yaml-language-server: $schema=../docs/scenario.schema.json
name: New scenario
description: Describe the world and the shock.
seed: 1
clock: { steps: 10, unit: day }

variables:
  tension: { type: float, default: 0.2, min: 0, max: 1 }

dynamics:
  - set: tension
    to: "tension + 0.04"

actions:
  - name: calm_down
    description: Try to calm things down.
    effects: { tension: "tension - 0.02" }
  - name: escalate
    description: Push harder.
    effects: { tension: "tension + 0.03" }

rooms:
  - name: square
    members: ["*"]

agents:
  - id: citizen
    count: 5
    role: citizen
    goals:
      - minimize: tension
    traits: { cooperation: 0.6, sociability: 0.8 }

events:
  - step: 3
    type: shock
    description: A rumour spreads.
    effects: { tension: "tension + 0.3" }

metrics:
  tension: tension
`;
