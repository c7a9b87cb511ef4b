-- Every ETL run is recorded, successful or not; nothing is lost silently.
CREATE TABLE etl_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dataset       text NOT NULL,
  source        text NOT NULL,                 -- path or URL, credentials removed
  size_bytes    bigint,
  checksum      text,                          -- sha256 of the bytes read, hex
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

-- Records the ETL refused, with the reason, so they can be fixed and loaded again.
CREATE TABLE etl_rejects (
  run_id      bigint NOT NULL REFERENCES etl_runs (id) ON DELETE CASCADE,
  line_number bigint NOT NULL,                 -- physical line where the record starts (1-based)
  raw_record  text NOT NULL,
  reason      text NOT NULL
);
CREATE INDEX etl_rejects_run_idx ON etl_rejects (run_id, line_number);
