/**
 * Seed formats: seed 004's scenario YAML and seed 003's SimulationConfig JSON, detected and
 * converted to the native scenario file object so the normal loader validates them.
 *
 * `convertScenarioText` (text in, validated native YAML out, for `sandtable convert`) lives in
 * `./scenario-conversion` and is not re-exported here: it imports the loader, and the loader
 * imports this module.
 */
export { detectFormat, type ScenarioFormat, scenarioFormats } from './detect-format';
export {
  convertToNative,
  type NormalisedScenarioData,
  normaliseScenarioData,
} from './normalise-scenario-data';
export { convertSeed003 } from './seed-003-format';
export { convertSeed004 } from './seed-004-format';
export {
  actAction,
  type ConversionOptions,
  type NativeScenarioInput,
  type SeedConversion,
} from './seed-conversion';
