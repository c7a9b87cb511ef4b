-- Writes whose cache invalidation is not confirmed yet. A catalog write inserts a row in its own
-- transaction and deletes it once the cache confirmed the invalidation; rows left behind (Redis
-- unreachable, or the instance died between commit and invalidation) make any instance flush the
-- catalog cache as soon as it can (docs/cache.md, "Faults").
CREATE TABLE cache_outbox (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now()
);
