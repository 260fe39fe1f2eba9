import { parseScenario } from '../scenario/scenario-loader';

/** A small valid scenario in YAML, used by engine tests; `brain` applies to every agent. */
export function tinyWorldYaml(
  options: { agents?: number; steps?: number; brain?: string; timeoutMs?: number } = {},
): string {
  const { agents = 4, steps = 5, brain = 'rules', timeoutMs = 30_000 } = options;
  return `
name: Tiny world
seed: 7
clock: { steps: ${steps} }
execution: { concurrency: 8, decision_timeout_ms: ${timeoutMs} }
variables:
  pool: { type: float, default: 100, min: 0, max: 200 }
agent_variables:
  wealth: { type: float, default: 10, min: 0, max: 50 }
actions:
  - name: harvest
    description: Take from the common pool.
    effects:
      pool: pool - 5.0
      self.wealth: self.wealth + 5.0
  - name: gift
    description: Give wealth to another agent.
    parameters:
      to_agent: { type: agent }
    effects:
      self.wealth: self.wealth - 2.0
      to_agent.wealth: to_agent.wealth + 2.0
agents:
  - id: agent
    count: ${agents}
    role: villager
    brain: ${brain}
    goals: [{ maximize: self.wealth }]
    traits: { activity: 1.0, sociability: 0.5 }
rooms:
  - { name: square, members: ["*"] }
metrics:
  pool: pool
  total_wealth: sum(agents.map(a, a.wealth))
`;
}

/** The tiny world, parsed. */
export function tinyWorld(options: Parameters<typeof tinyWorldYaml>[0] = {}) {
  return parseScenario(tinyWorldYaml(options), { file: 'tiny-world.yaml' });
}
