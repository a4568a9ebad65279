-- 0005: the report records a run's comparison is built from (pkg/compare): each loader's start,
-- stats (thinned out on long runs), summary, and a capacity search's step, threshold, probe and
-- verdict records, as the loader printed them, with tokens masked. seq keeps the order they were
-- read in. A record read again (a restarted control reads the loaders' logs from the start) is
-- not stored twice: (run, loader, type, time, digest of the line) is unique.
CREATE TABLE run_records (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    loader  INTEGER NOT NULL,
    type    TEXT NOT NULL,
    time    TEXT NOT NULL, -- the record's own time, RFC 3339 in UTC
    digest  TEXT NOT NULL, -- SHA-256 of the record, hex
    record  TEXT NOT NULL,
    UNIQUE (run_id, loader, type, time, digest)
);
CREATE INDEX run_records_run ON run_records (run_id, seq);
