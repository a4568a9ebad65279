package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestScenarioSetsAfterMigration: a database from before scenario sets keeps its URL and event sets
// (ids, defaults) and then stores scenarios too; an unknown kind is still refused.
func TestScenarioSetsAfterMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := openDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, 4); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := db.ExecContext(ctx, `INSERT INTO content_sets (id, kind, name, content, is_default, created_at, updated_at)
		VALUES (7, 'urls', 'site', 'https://a.test/', 1, ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO content_sets (kind, name, content, created_at, updated_at)
		VALUES ('scenarios', 'shop', 'x', ?, ?)`, now, now); err == nil {
		t.Fatal("version 4 accepted a scenario set: the test does not start from the old schema")
	}
	db.Close()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old, err := s.DefaultContentSet(ctx, KindURLs)
	if err != nil || old.ID != 7 || old.Content != "https://a.test/" {
		t.Fatalf("the URL set after migration: %+v, %v", old, err)
	}
	sc, err := s.CreateContentSet(ctx, ContentSet{Kind: KindScenarios, Name: "shop", Content: "name: shop", IsDefault: true})
	if err != nil || sc.Kind != KindScenarios {
		t.Fatalf("create scenario set: %+v, %v", sc, err)
	}
	if _, err := s.CreateContentSet(ctx, ContentSet{Kind: KindScenarios, Name: "shop", Content: "x"}); err == nil {
		t.Error("a second scenario named shop was stored")
	}
	if _, err := s.CreateContentSet(ctx, ContentSet{Kind: "gadgets", Name: "g", Content: "x"}); err == nil {
		t.Error("an unknown kind was stored")
	}
	if d, err := s.DefaultContentSet(ctx, KindURLs); err != nil || d.ID != 7 {
		t.Errorf("the URL default moved: %+v, %v", d, err)
	}
}
