-- 0006: content sets of any kind the control knows (URL lists, event sets, scenarios, ...). The
-- kind is checked in Go (store.checkContentSet), so a new kind needs no table rebuild; SQLite
-- cannot change a CHECK constraint in place, hence the copy.
CREATE TABLE content_sets_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind <> ''),
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (kind, name)
);
INSERT INTO content_sets_new (id, kind, name, content, is_default, created_at, updated_at)
    SELECT id, kind, name, content, is_default, created_at, updated_at FROM content_sets;
DROP TABLE content_sets;
ALTER TABLE content_sets_new RENAME TO content_sets;
CREATE UNIQUE INDEX content_sets_one_default ON content_sets (kind) WHERE is_default = 1;
