DO $vitrina$
DECLARE
  run bigint;
  total bigint;
  rejected bigint;
BEGIN
  INSERT INTO etl_runs (dataset, target_table, source) VALUES ('diamonds', 'diamonds', 'adf://datasets/diamonds.csv') RETURNING id INTO run;
  CREATE TEMP TABLE adf_checked ON COMMIT DROP AS
    SELECT s.*, COALESCE(
      CASE WHEN coalesce(btrim(s."carat", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''carat'': is required' WHEN btrim(s."carat", E' \t\r\n\x0B\f') !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN 'column ''carat'': must be a number' WHEN abs((btrim(s."carat", E' \t\r\n\x0B\f'))::numeric) > 1.7976931348623157e308 THEN 'column ''carat'': must be a number' WHEN (btrim(s."carat", E' \t\r\n\x0B\f'))::numeric <= 0 THEN 'column ''carat'': must be greater than 0' END,
      CASE WHEN coalesce(btrim(s."cut", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''cut'': is required' WHEN octet_length(btrim(s."cut", E' \t\r\n\x0B\f')) > 32 THEN 'column ''cut'': must be at most 32 bytes' END,
      CASE WHEN coalesce(btrim(s."color", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''color'': is required' WHEN octet_length(btrim(s."color", E' \t\r\n\x0B\f')) > 8 THEN 'column ''color'': must be at most 8 bytes' END,
      CASE WHEN coalesce(btrim(s."clarity", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''clarity'': is required' WHEN octet_length(btrim(s."clarity", E' \t\r\n\x0B\f')) > 8 THEN 'column ''clarity'': must be at most 8 bytes' END,
      CASE WHEN coalesce(btrim(s."depth", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''depth'': is required' WHEN btrim(s."depth", E' \t\r\n\x0B\f') !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN 'column ''depth'': must be a number' WHEN abs((btrim(s."depth", E' \t\r\n\x0B\f'))::numeric) > 1.7976931348623157e308 THEN 'column ''depth'': must be a number' WHEN (btrim(s."depth", E' \t\r\n\x0B\f'))::numeric <= 0 THEN 'column ''depth'': must be greater than 0' WHEN (btrim(s."depth", E' \t\r\n\x0B\f'))::numeric > 100 THEN 'column ''depth'': must be at most 100' END,
      CASE WHEN coalesce(btrim(s."table", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''table'': is required' WHEN btrim(s."table", E' \t\r\n\x0B\f') !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN 'column ''table'': must be a number' WHEN abs((btrim(s."table", E' \t\r\n\x0B\f'))::numeric) > 1.7976931348623157e308 THEN 'column ''table'': must be a number' WHEN (btrim(s."table", E' \t\r\n\x0B\f'))::numeric <= 0 THEN 'column ''table'': must be greater than 0' WHEN (btrim(s."table", E' \t\r\n\x0B\f'))::numeric > 100 THEN 'column ''table'': must be at most 100' END,
      CASE WHEN coalesce(btrim(s."price", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''price'': is required' WHEN btrim(s."price", E' \t\r\n\x0B\f') !~ '^[+-]?[0-9]+$' THEN 'column ''price'': must be an integer' WHEN (btrim(s."price", E' \t\r\n\x0B\f'))::numeric NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN 'column ''price'': is out of range' WHEN (btrim(s."price", E' \t\r\n\x0B\f'))::numeric < 0 THEN 'column ''price'': must be at least 0' END,
      CASE WHEN coalesce(btrim(s."x", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''x'': is required' WHEN btrim(s."x", E' \t\r\n\x0B\f') !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN 'column ''x'': must be a number' WHEN abs((btrim(s."x", E' \t\r\n\x0B\f'))::numeric) > 1.7976931348623157e308 THEN 'column ''x'': must be a number' WHEN (btrim(s."x", E' \t\r\n\x0B\f'))::numeric <= 0 THEN 'column ''x'': must be greater than 0' END,
      CASE WHEN coalesce(btrim(s."y", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''y'': is required' WHEN btrim(s."y", E' \t\r\n\x0B\f') !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN 'column ''y'': must be a number' WHEN abs((btrim(s."y", E' \t\r\n\x0B\f'))::numeric) > 1.7976931348623157e308 THEN 'column ''y'': must be a number' WHEN (btrim(s."y", E' \t\r\n\x0B\f'))::numeric <= 0 THEN 'column ''y'': must be greater than 0' END,
      CASE WHEN coalesce(btrim(s."z", E' \t\r\n\x0B\f'), '') = '' THEN 'column ''z'': is required' WHEN btrim(s."z", E' \t\r\n\x0B\f') !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$' THEN 'column ''z'': must be a number' WHEN abs((btrim(s."z", E' \t\r\n\x0B\f'))::numeric) > 1.7976931348623157e308 THEN 'column ''z'': must be a number' WHEN (btrim(s."z", E' \t\r\n\x0B\f'))::numeric <= 0 THEN 'column ''z'': must be greater than 0' END) AS reject_reason
    FROM "diamonds_adf_staging" s;
  SELECT count(*), count(reject_reason) INTO total, rejected FROM adf_checked;
  IF total = 0 THEN
    RAISE EXCEPTION 'the source has no data rows';
  END IF;
  IF rejected > total * 0.01 THEN
    RAISE EXCEPTION 'rejected % of % rows, above the maximum reject ratio 0.01', rejected, total;
  END IF;
  -- Data Factory keeps no line numbers: the record number + 1 (the header) stands in.
  INSERT INTO etl_rejects (run_id, line_number, raw_record, reason)
    SELECT run, s.adf_record + 1, concat_ws(',', s."carat", s."cut", s."color", s."clarity", s."depth", s."table", s."price", s."x", s."y", s."z"), s.reject_reason
    FROM adf_checked s WHERE s.reject_reason IS NOT NULL;
  -- Readers wait on the lock and then see the new catalog, never a mix.
  LOCK TABLE "diamonds" IN ACCESS EXCLUSIVE MODE;
  TRUNCATE "diamonds" RESTART IDENTITY;
  INSERT INTO "diamonds" ("carat", "cut", "color", "clarity", "depth", "table", "price", "x", "y", "z")
    SELECT (NULLIF(btrim(c."carat", E' \t\r\n\x0B\f'), ''))::double precision,
         NULLIF(btrim(c."cut", E' \t\r\n\x0B\f'), ''),
         NULLIF(btrim(c."color", E' \t\r\n\x0B\f'), ''),
         NULLIF(btrim(c."clarity", E' \t\r\n\x0B\f'), ''),
         (NULLIF(btrim(c."depth", E' \t\r\n\x0B\f'), ''))::double precision,
         (NULLIF(btrim(c."table", E' \t\r\n\x0B\f'), ''))::double precision,
         (NULLIF(btrim(c."price", E' \t\r\n\x0B\f'), ''))::bigint,
         (NULLIF(btrim(c."x", E' \t\r\n\x0B\f'), ''))::double precision,
         (NULLIF(btrim(c."y", E' \t\r\n\x0B\f'), ''))::double precision,
         (NULLIF(btrim(c."z", E' \t\r\n\x0B\f'), ''))::double precision
    FROM adf_checked c WHERE c.reject_reason IS NULL ORDER BY c.adf_record;
  UPDATE etl_runs SET finished_at = now(), rows_read = total,
         rows_loaded = total - rejected, rows_rejected = rejected, status = 'succeeded'
    WHERE id = run;
  -- The payload names the table (catalog::core::ReloadPayload): other datasets' servers
  -- keep their cached answers.
  PERFORM pg_notify('vitrina_catalog_reloaded', 'diamonds:' || run::text);
END
$vitrina$;
