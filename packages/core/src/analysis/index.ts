/** Analysis: metrics, story signals, evaluation, the executive brief, comparison and sweeps. */
export * from './analysis-schema';
export * from './brief-pdf';
export * from './executive-brief';
export * from './model-analysis';
export * from './run-analysis';
export * from './run-capture';
export * from './run-comparison';
export * from './run-digest';
export * from './run-evaluation';
export * from './run-folder';
export * from './run-metrics';
export * from './run-records';
export * from './statistics';
export * from './story-signals';
export * from './sweep-definition';
export * from './sweep-report';
export * from './sweep-runner';
