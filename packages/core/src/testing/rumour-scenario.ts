/** Options of {@link smallRumourScenario}. */
export interface SmallRumourOptions {
  seed: number;
  steps: number;
  /** Residents besides the two gossips. */
  residents: number;
  /** A scripted rumour event at step 3 that pushes the gossips. @defaultValue false */
  rumourEvent?: boolean;
}

/**
 * A small rumour on a social feed, as scenario YAML: two gossips and some residents, rule agents
 * only, who post, like and repost, so beliefs on two topics (`rumour`, `fares`) move every step —
 * for tests of belief positions over a run.
 */
export function smallRumourScenario(options: SmallRumourOptions): string {
  const event = options.rumourEvent
    ? `events:
  - step: 3
    type: rumour
    description: "#rumour +0.80 The water utility was sold in secret."
    affects: ["role:gossip"]
`
    : '';
  return `
name: Small rumour
seed: ${options.seed}
clock: { steps: ${options.steps} }
agents:
  - { id: gossip, count: 2, role: gossip, traits: { activity: 1, sociability: 1 }, jitter: 0 }
  - { id: resident, count: ${options.residents}, role: resident, traits: { activity: 0.9, sociability: 0.6 }, jitter: 0.25 }
environments:
  - type: social
    name: social
    topics: [rumour, fares]
    scope: everyone
    feed_size: 6
    initial_follows: { random: 3 }
beliefs:
  topics:
    - name: rumour
      initial: { mean: 0.15, spread: 0.25 }
      roles: { gossip: { mean: 0.7, spread: 0 } }
    - name: fares
      initial: { mean: 0, spread: 0.2 }
  epsilon: 0.9
  mu: 0.3
  trust: { initial: 0.8 }
${event}`;
}
