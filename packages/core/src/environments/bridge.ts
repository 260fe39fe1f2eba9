import type { Exposure } from '../beliefs/exposure';
import { EconomicEnvironment } from './economic-environment';
import type { Environment } from './environment';
import {
  type AgentInteraction,
  type BridgeEvent,
  type EnvironmentDefinition,
  resolveAgentSelectors,
  type SelectableAgent,
} from './environment-schemas';
import { MarketEnvironment } from './market-environment';
import { SocialEnvironment } from './social-environment';

export type { AgentInteraction, BridgeEvent, KnownBridgeEventType } from './environment-schemas';

/** Most digest lines one agent gets per step; the newest are kept. */
export const defaultDigestLimit = 10;

/**
 * An environment that takes part in the bridge: it says who its members are and hands over what
 * happened in it. The social, market and economic environments implement all of it.
 */
export interface PublishingEnvironment extends Environment {
  /** Member ids, in agent order. */
  readonly members: readonly string[];
  isMember(agentId: string): boolean;
  /** Bridge events since the last call; each is returned once. */
  publishEvents(): BridgeEvent[];
  /** Agent interactions since the last call, for the interaction graph. */
  publishInteractions(): AgentInteraction[];
  /** Exposures since the last call, for the belief store (social environments). */
  publishExposures?(): Exposure[];
  /** The environment's numbers now (counts, prices…), flat names. */
  metrics(): Record<string, number>;
}

/** The `[Label]` of a source: `social` → `Social`, `port_news` → `Port news`. */
export function sourceLabel(source: string): string {
  const words = source.replace(/[_-]+/g, ' ').trim();
  return words.length === 0 ? source : words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * One digest line: `[Social] Trending: "Port closed" by Ana`, `[Market] Strike ends by May moved up to 63%`.
 */
export function formatBridgeEvent(event: BridgeEvent): string {
  return `[${sourceLabel(event.source)}] ${event.text}`;
}

/**
 * Bridge events for scheduled (or injected) events firing this step: source `scheduled`, the
 * description as text, and the affected agents kept.
 */
export function scheduledBridgeEvents(
  fired: ReadonlyArray<{ type: string; description: string; affects?: readonly string[] }>,
  step: number,
): BridgeEvent[] {
  return fired.map((event) => ({
    source: 'scheduled',
    type: event.type,
    text: event.description,
    step,
    ...(event.affects ? { affects: [...event.affects] } : {}),
  }));
}

function publishes(environment: Environment): environment is PublishingEnvironment {
  return typeof (environment as Partial<PublishingEnvironment>).publishEvents === 'function';
}

/** Calls `publishEvents` on every environment that has it, in environment order. */
export function collectEnvironmentEvents(environments: readonly Environment[]): BridgeEvent[] {
  return environments.flatMap((environment) => (publishes(environment) ? environment.publishEvents() : []));
}

/** Calls `publishInteractions` on every environment that has it, in environment order. */
export function collectInteractions(environments: readonly Environment[]): AgentInteraction[] {
  return environments.flatMap((environment) =>
    publishes(environment) ? environment.publishInteractions() : [],
  );
}

/** Calls `publishExposures` on every environment that has it, in environment order. */
export function collectExposures(environments: readonly Environment[]): Exposure[] {
  return environments.flatMap((environment) =>
    publishes(environment) ? (environment.publishExposures?.() ?? []) : [],
  );
}

/**
 * Names of the environments an agent is a member of. Environments without `isMember` (world
 * actions, messaging) count every agent as a member.
 */
export function membershipsOf(agentId: string, environments: readonly Environment[]): string[] {
  return environments
    .filter((environment) => {
      const isMember = (environment as Partial<PublishingEnvironment>).isMember;
      return typeof isMember !== 'function' || isMember.call(environment, agentId);
    })
    .map((environment) => environment.name);
}

/**
 * The cross-environment event bridge (seed 003). Environments publish events at the end of a step;
 * the next step each agent reads a digest of the events from environments it is NOT a member of
 * (what happens on its own platform it sees directly) plus scheduled events. Pure and
 * deterministic: lines keep the order events were collected in.
 *
 * In a step: build observations with {@link digestFor}; after actions and ticks, {@link clear} the
 * events just shown and {@link collect} the environments' new ones; at the start of the next step
 * collect that step's scheduled events ({@link scheduledBridgeEvents}) before building observations.
 */
export class Bridge {
  private events: BridgeEvent[] = [];

  /** Adds events, in order, for the next digests. */
  collect(events: readonly BridgeEvent[]): void {
    for (const event of events) this.events.push(event);
  }

  /**
   * The digest lines for one agent: events whose source is not among `memberships` (names of the
   * environments the agent belongs to) and whose `affects`, when set, includes the agent; the newest
   * `limit` of them, oldest first.
   */
  digestFor(agentId: string, memberships: Iterable<string>, limit = defaultDigestLimit): string[] {
    const member = new Set(memberships);
    const lines: string[] = [];
    for (const event of this.events) {
      if (member.has(event.source)) continue;
      if (event.affects && !event.affects.includes(agentId)) continue;
      lines.push(formatBridgeEvent(event));
    }
    return lines.length > limit ? lines.slice(lines.length - limit) : lines;
  }

  /** Forgets every collected event, so digests never repeat. */
  clear(): void {
    this.events = [];
  }

  /** The events collected and not cleared, e.g. to persist with the step. */
  pending(): readonly BridgeEvent[] {
    return this.events;
  }
}

/** What {@link createEnvironments} needs of the scenario (a `Scenario` fits). */
export interface EnvironmentScenario {
  agents: readonly SelectableAgent[];
}

/**
 * Builds the environments of a scenario's `environments:` list, in list order, each with its
 * members resolved (`members` selectors; every agent when left out). Randomness (e.g. a random
 * initial follow graph) derives from `seed` and the environment's name.
 * @example
 * const environments = createEnvironments(scenario.environments, scenario, scenario.seed);
 * new RunContext(scenario, { environments });
 */
export function createEnvironments(
  definitions: readonly EnvironmentDefinition[],
  scenario: EnvironmentScenario,
  seed: number,
): PublishingEnvironment[] {
  return definitions.map((definition) => {
    const setup = {
      members: resolveAgentSelectors(definition.members, scenario.agents),
      agents: scenario.agents,
      seed,
    };
    switch (definition.type) {
      case 'social':
        return new SocialEnvironment(definition, setup);
      case 'market':
        return new MarketEnvironment(definition, setup);
      case 'economic':
        return new EconomicEnvironment(definition, setup);
      default: {
        const unreachable: never = definition;
        return unreachable;
      }
    }
  });
}
