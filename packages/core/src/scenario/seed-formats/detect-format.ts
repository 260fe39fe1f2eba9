import { isRecord } from './seed-conversion';

/** The scenario formats Sandtable reads: its own, seed 004's YAML, seed 003's SimulationConfig. */
export type ScenarioFormat = 'native' | 'seed-004' | 'seed-003';

/** Every format, in the order {@link detectFormat} tries them. */
export const scenarioFormats: readonly ScenarioFormat[] = ['native', 'seed-003', 'seed-004'];

/**
 * Says which format parsed scenario data is in, from its top-level keys: `clock` means native;
 * `entities`, `seed_text`, `rounds` or `scheduled_events` mean seed 003's SimulationConfig;
 * `max_steps`, `engine`, `global_vars` or `agent_vars` mean seed 004. Anything else is taken as
 * native, so the native schema reports what is wrong with it.
 */
export function detectFormat(data: unknown): ScenarioFormat {
  if (!isRecord(data) || 'clock' in data) return 'native';
  if (['entities', 'seed_text', 'rounds', 'scheduled_events'].some((key) => key in data)) return 'seed-003';
  if (['max_steps', 'engine', 'global_vars', 'agent_vars'].some((key) => key in data)) return 'seed-004';
  return 'native';
}
