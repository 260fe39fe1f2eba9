-- Provenance of each model call as the router reported it: every attempt (retries, hedges,
-- failovers) with endpoint, model, tier, tokens, latency, cost, outcome and the prompt and
-- response SHA-256. Null for calls recorded before this migration.
ALTER TABLE model_calls ADD COLUMN attempts json;
