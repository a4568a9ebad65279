-- 0001: the first schema. Timestamps are TIMESTAMP columns written in UTC by the driver, so they
-- sort as text and scan back as time.Time.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A saved configuration. values_json is config.ToMap of the redacted config (never a token);
-- tokens_json maps "MATOMO_TOKEN_AUTH" and "target:<name>" to sealed tokens ("v1:...").
CREATE TABLE configs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    description    TEXT NOT NULL DEFAULT '',
    schema_version INTEGER NOT NULL,
    values_json    TEXT NOT NULL,
    tokens_json    TEXT NOT NULL DEFAULT '{}',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- A user preset: like a config, but it never holds a token.
CREATE TABLE presets (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT NOT NULL UNIQUE,
    description    TEXT NOT NULL DEFAULT '',
    schema_version INTEGER NOT NULL,
    values_json    TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

-- One funnel in the original funnels.json schema; the listed columns are copies used for ordering.
CREATE TABLE funnels (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    enabled     INTEGER NOT NULL DEFAULT 1,
    priority    INTEGER NOT NULL DEFAULT 0,
    probability REAL NOT NULL DEFAULT 0,
    funnel_json TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

-- URL lists and event definitions users edit in the UI.
CREATE TABLE content_sets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('urls', 'events')),
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (kind, name)
);
CREATE UNIQUE INDEX content_sets_one_default ON content_sets (kind) WHERE is_default = 1;

-- A run: one live or backfill job and the config it ran with (tokens sealed as in configs).
CREATE TABLE runs (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL DEFAULT '',
    mode            TEXT NOT NULL CHECK (mode IN ('live', 'backfill')),
    config_id       INTEGER REFERENCES configs (id) ON DELETE SET NULL,
    schema_version  INTEGER NOT NULL,
    config_json     TEXT NOT NULL,
    tokens_json     TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL CHECK (state IN ('pending', 'starting', 'running', 'stopping',
                                                   'completed', 'stopped', 'failed', 'lost')),
    exit_code       INTEGER,
    error           TEXT NOT NULL DEFAULT '',
    containers_json TEXT NOT NULL DEFAULT '[]',
    last_stats      TEXT,
    summary         TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    started_at      TIMESTAMP,
    finished_at     TIMESTAMP
);

-- The latest cumulative counters of each target of a run (one pkg/report TargetStats each).
CREATE TABLE run_targets (
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    target     TEXT NOT NULL,
    counters   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (run_id, target)
);
