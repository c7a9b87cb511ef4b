-- The catalog table a leftover cache_outbox row belongs to, so that the servers of another dataset
-- sharing the database neither flush their cache for it nor delete it unflushed (docs/cache.md,
-- "Sharing a Redis"). Rows without one (written before this column, or by a caller that does not
-- know its table) concern every dataset.
ALTER TABLE cache_outbox ADD COLUMN catalog_table text;
