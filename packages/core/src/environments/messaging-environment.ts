import type { AgentRuntime } from '../agents/agent-runtime';
import { type ActionOutcome, type Environment, type EnvironmentContext, emptyOutcome } from './environment';
import type { ToolCallRequest, ToolDefinition } from './tool';

/** Longest message text kept; longer texts are cut. */
export const maxMessageLength = 1_000;

const textProperty = { type: 'string', description: 'What you say', maxLength: maxMessageLength };

/**
 * Direct, room and broadcast messaging as tools: `send_message`, `post_to_room`, `broadcast`.
 * Messages are delivered at the start of the next step.
 */
export class MessagingEnvironment implements Environment {
  readonly name = 'messaging';

  tools(agent: AgentRuntime, context: EnvironmentContext): ToolDefinition[] {
    const agentIds =
      context.agents.size <= 50 ? [...context.agents.keys()].filter((id) => id !== agent.spec.id) : undefined;
    const rooms = context.messages.roomsOf(agent.spec.id);
    const tools: ToolDefinition[] = [
      {
        name: 'send_message',
        description: 'Send a private message to one other agent.',
        environment: this.name,
        parameters: {
          type: 'object',
          properties: {
            to: {
              type: 'string',
              description: 'Id of the agent to write to',
              'x-sandtable-agent': true,
              ...(agentIds ? { enum: agentIds } : {}),
            },
            text: textProperty,
          },
          required: ['to', 'text'],
          additionalProperties: false,
        },
      },
      {
        name: 'broadcast',
        description: 'Say something every agent will hear next step.',
        environment: this.name,
        parameters: {
          type: 'object',
          properties: { text: textProperty },
          required: ['text'],
          additionalProperties: false,
        },
      },
    ];
    if (rooms.length > 0) {
      tools.push({
        name: 'post_to_room',
        description: 'Post a message to a room you belong to.',
        environment: this.name,
        parameters: {
          type: 'object',
          properties: {
            room: { type: 'string', enum: [...rooms], description: 'Room name' },
            text: textProperty,
          },
          required: ['room', 'text'],
          additionalProperties: false,
        },
      });
    }
    const allowed = agent.spec.actions;
    return allowed ? tools.filter((tool) => allowed.includes(tool.name)) : tools;
  }

  execute(agent: AgentRuntime, call: ToolCallRequest, context: EnvironmentContext): ActionOutcome {
    const text = String(call.arguments.text ?? '').slice(0, maxMessageLength);
    const from = agent.spec.id;
    switch (call.tool) {
      case 'send_message': {
        const to = String(call.arguments.to);
        const recipient = context.agents.get(to);
        if (!recipient || recipient.status === 'terminated')
          return emptyOutcome(false, `no active agent "${to}"`);
        return { ...emptyOutcome(true, `sent to ${to}`), messages: [{ from, to, text }] };
      }
      case 'post_to_room': {
        const room = String(call.arguments.room);
        if (!context.messages.roomsOf(from).includes(room))
          return emptyOutcome(false, `not a member of room "${room}"`);
        return { ...emptyOutcome(true, `posted to ${room}`), messages: [{ from, room, text }] };
      }
      case 'broadcast':
        return { ...emptyOutcome(true, 'broadcast'), messages: [{ from, broadcast: true, text }] };
      default:
        return emptyOutcome(false, `messaging has no tool "${call.tool}"`);
    }
  }
}
