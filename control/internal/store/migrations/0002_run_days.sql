-- 0002: per-day backfill progress, and the indexes the run list and the reconciler need.

-- One row per (run, day, target), from the loader's "day" records. Completed days are what lets the
-- control show progress after a restart and never count a finished day twice.
CREATE TABLE run_days (
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    date       TEXT NOT NULL, -- YYYY-MM-DD in the run's TIMEZONE
    target     TEXT NOT NULL,
    planned    INTEGER NOT NULL DEFAULT 0,
    sent       INTEGER NOT NULL DEFAULT 0,
    tracked    INTEGER NOT NULL DEFAULT 0,
    invalid    INTEGER NOT NULL DEFAULT 0,
    dropped    INTEGER NOT NULL DEFAULT 0,
    seconds    REAL NOT NULL DEFAULT 0,
    done       INTEGER NOT NULL DEFAULT 0,
    skipped    TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, date, target)
);

-- Reconciliation at start-up and "active runs" lists filter on state; lists are newest first.
CREATE INDEX runs_state ON runs (state);
CREATE INDEX runs_created_at ON runs (created_at DESC);
CREATE INDEX runs_config_id ON runs (config_id);
-- Funnels are listed by priority, then most recently updated.
CREATE INDEX funnels_order ON funnels (priority, updated_at DESC);
