/**
 * A small valid scenario for server tests: rule agents harvesting a shared pool that regrows,
 * a room, a parameter and metrics — cheap to run, and a changed variable changes what follows.
 */
export function villageScenario(options: { agents?: number; steps?: number; name?: string } = {}): string {
  const { agents = 4, steps = 6, name = 'Village' } = options;
  return `name: ${name}
description: Villagers share a pool that regrows.
seed: 11
clock: { steps: ${steps}, unit: day }
parameters:
  regrowth: { type: float, default: 1.05, min: 1, max: 2 }
variables:
  pool: { type: float, default: 100, min: 0, max: 500 }
agent_variables:
  wealth: { type: float, default: 10, min: 0, max: 1000 }
actions:
  - name: harvest
    description: Take from the common pool.
    effects: { pool: pool - 3.0, self.wealth: self.wealth + 3.0 }
  - name: rest
    description: Stay home.
    effects: {}
dynamics:
  - set: pool
    to: pool * regrowth
agents:
  - id: villager
    count: ${agents}
    role: villager
    goals: [{ maximize: self.wealth }]
    traits: { activity: 0.9, sociability: 0.6 }
rooms:
  - { name: square, members: ["*"] }
metrics:
  pool: pool
  wealth: sum(agents.map(a, a.wealth))
`;
}
