-- Every ETL run is recorded, successful or not; nothing is lost silently.
-- rows_read counts the records after the header; each is either loaded or rejected, so
-- rows_read = rows_loaded + rows_rejected always holds. For a failed run rows_loaded is the number
-- of rows accepted into the staging table before the failure (discarded with it: the live catalog
-- is unchanged).
CREATE TABLE etl_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dataset       text NOT NULL,
  target_table  text NOT NULL,                 -- the live catalog table the run replaces
  source        text NOT NULL,                 -- path or URL, credentials and SAS signature removed
  size_bytes    bigint,
  checksum      text,                          -- sha256 of the bytes read (compressed if gzip), hex
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  rows_read     bigint NOT NULL DEFAULT 0,
  rows_loaded   bigint NOT NULL DEFAULT 0,
  rows_rejected bigint NOT NULL DEFAULT 0,
  status        text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed')),
  error         text,
  CONSTRAINT etl_runs_rows_balance CHECK (rows_read = rows_loaded + rows_rejected)
);
-- `etl run --if-changed` looks up the last succeeded run of a dataset and table.
CREATE INDEX etl_runs_last_success_idx ON etl_runs (dataset, target_table, id DESC)
  WHERE status = 'succeeded';

-- Records the ETL refused, with the reason, so they can be fixed and loaded again.
CREATE TABLE etl_rejects (
  run_id      bigint NOT NULL REFERENCES etl_runs (id) ON DELETE CASCADE,
  line_number bigint NOT NULL,                 -- physical line where the record starts (1-based)
  raw_record  text NOT NULL,                   -- invalid UTF-8 bytes shown as \xNN, cut at 64 KiB
  reason      text NOT NULL                    -- e.g. column 'x': must be greater than 0
);
CREATE INDEX etl_rejects_run_idx ON etl_rejects (run_id, line_number);
