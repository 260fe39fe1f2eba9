/** A JSON Schema for a tool's arguments, always an object. */
export interface ToolParametersSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required: string[];
  additionalProperties: false;
}

/**
 * An action an agent can take, described the way LLM tool calling expects it. Every brain —
 * rule-based or model-backed — chooses among the same tools.
 */
export interface ToolDefinition {
  name: string;
  description: string;
  parameters: ToolParametersSchema;
  /** Name of the environment that executes it. */
  environment: string;
}

/** One call of a tool, as a brain decided it. */
export interface ToolCallRequest {
  tool: string;
  arguments: Record<string, unknown>;
}

/** The OpenAI tool schema of a tool definition. */
export function toOpenAiTool(tool: ToolDefinition): {
  type: 'function';
  function: { name: string; description: string; parameters: ToolParametersSchema };
} {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/**
 * Checks arguments against a tool's parameter schema (types, enums, ranges, required, no extras)
 * and returns one message per problem; empty when valid. `agentIds` validates agent references.
 */
export function validateToolArguments(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  isAgent: (id: string) => boolean,
): string[] {
  const problems: string[] = [];
  const { properties, required } = tool.parameters;
  for (const name of required) {
    if (args[name] === undefined) problems.push(`${tool.name}: missing argument "${name}"`);
  }
  for (const [name, value] of Object.entries(args)) {
    const property = properties[name];
    if (!property) {
      problems.push(`${tool.name}: unknown argument "${name}"`);
      continue;
    }
    const type = property.type as string;
    if (type === 'number' || type === 'integer') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        problems.push(`${tool.name}.${name}: expected a number, got ${JSON.stringify(value)}`);
        continue;
      }
      if (type === 'integer' && !Number.isInteger(value))
        problems.push(`${tool.name}.${name}: expected an integer`);
      if (typeof property.minimum === 'number' && value < property.minimum) {
        problems.push(`${tool.name}.${name}: ${value} is below the minimum ${property.minimum}`);
      }
      if (typeof property.maximum === 'number' && value > property.maximum) {
        problems.push(`${tool.name}.${name}: ${value} is above the maximum ${property.maximum}`);
      }
    } else if (type === 'boolean') {
      if (typeof value !== 'boolean') problems.push(`${tool.name}.${name}: expected true or false`);
    } else if (type === 'string') {
      if (typeof value !== 'string') {
        problems.push(`${tool.name}.${name}: expected a string, got ${JSON.stringify(value)}`);
        continue;
      }
      const allowed = property.enum as string[] | undefined;
      if (allowed && !allowed.includes(value)) {
        problems.push(`${tool.name}.${name}: "${value}" is not one of ${allowed.join(', ')}`);
      }
      if (property['x-sandtable-agent'] === true && !isAgent(value)) {
        problems.push(`${tool.name}.${name}: no agent with id "${value}"`);
      }
    }
  }
  return problems;
}
