export {
  chooseTemplateWithModel,
  type ModelTemplateChoice,
  type ModelTemplateOptions,
} from './model-template-choice';
export {
  type ScenarioFromSentence,
  type ScenarioFromSentenceOptions,
  scenarioFromSentence,
} from './scenario-from-sentence';
export {
  checkValue,
  parseTemplate,
  type RecognisedKind,
  recognisedKinds,
  type ScenarioTemplate,
  TemplateError,
  type TemplateParameter,
} from './scenario-template';
export { findEntities, type SentenceEntities } from './sentence-entities';
export { guessParameters, matchSentence, type ParameterGuess, type SentenceMatch } from './sentence-matcher';
export {
  defaultTemplateDirectory,
  loadTemplateCatalogue,
  scenarioSchemaFile,
  TemplateCatalogue,
} from './template-catalogue';
export {
  type FilledTemplate,
  type FillTemplateOptions,
  fillTemplate,
  type TemplateValue,
} from './template-filling';
