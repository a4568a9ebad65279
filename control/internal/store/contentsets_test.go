package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestContentSetCRUD(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	urls := "http://127.0.0.1/a\tPage A\nhttp://127.0.0.1/b\n"
	u, err := s.CreateContentSet(ctx, ContentSet{Kind: KindURLs, Name: "shop", Content: urls, IsDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.Content != urls || u.Size != int64(len(urls)) || !u.IsDefault {
		t.Fatalf("created = %+v", u)
	}
	// The same name in another kind is a different set.
	ev, err := s.CreateContentSet(ctx, ContentSet{Kind: KindEvents, Name: "shop", Content: `{"click_events":[]}`})
	if err != nil {
		t.Fatalf("same name, other kind: %v", err)
	}
	if _, err := s.CreateContentSet(ctx, ContentSet{Kind: KindURLs, Name: "shop", Content: "x"}); !errors.Is(err, ErrConflict) {
		t.Errorf("same kind and name = %v; want ErrConflict", err)
	}
	if _, err := s.CreateContentSet(ctx, ContentSet{Kind: "pictures", Name: "x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown kind = %v; want ErrInvalid", err)
	}
	list, err := s.ListContentSets(ctx, KindURLs)
	if err != nil || len(list) != 1 || list[0].Content != "" || list[0].Size != int64(len(urls)) {
		t.Fatalf("ListContentSets(urls) = %+v, %v; want one entry without content", list, err)
	}
	if all, _ := s.ListContentSets(ctx, ""); len(all) != 2 {
		t.Errorf("ListContentSets(all) = %d sets; want 2", len(all))
	}
	ev.Kind = KindURLs
	if _, err := s.UpdateContentSet(ctx, ev); !errors.Is(err, ErrInvalid) {
		t.Errorf("changing the kind = %v; want ErrInvalid", err)
	}
	u.Content = strings.Repeat("é", 3)
	upd, err := s.UpdateContentSet(ctx, u)
	if err != nil || upd.Content != u.Content || upd.Size != 6 {
		t.Fatalf("UpdateContentSet = %+v, %v; want the new content, size in bytes", upd, err)
	}
	if err := s.DeleteContentSet(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetContentSet(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetContentSet after delete = %v; want ErrNotFound", err)
	}
	if _, err := s.UpdateContentSet(ctx, u); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateContentSet after delete = %v; want ErrNotFound", err)
	}
	if err := s.DeleteContentSet(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteContentSet twice = %v; want ErrNotFound", err)
	}
}

// One default per kind: making a set the default takes the flag from the previous one.
func TestContentSetDefault(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.DefaultContentSet(ctx, KindURLs); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no default yet = %v; want ErrNotFound", err)
	}
	a, err := s.CreateContentSet(ctx, ContentSet{Kind: KindURLs, Name: "a", Content: "A", IsDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateContentSet(ctx, ContentSet{Kind: KindURLs, Name: "b", Content: "B", IsDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateContentSet(ctx, ContentSet{Kind: KindEvents, Name: "e", Content: "{}", IsDefault: true})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := s.DefaultContentSet(ctx, KindURLs); err != nil || d.ID != b.ID || d.Content != "B" {
		t.Fatalf("default urls = %+v, %v; want b", d, err)
	}
	if d, err := s.DefaultContentSet(ctx, KindEvents); err != nil || d.ID != ev.ID {
		t.Fatalf("default events = %+v, %v; another kind's default must not be touched", d, err)
	}
	a.IsDefault = true
	if _, err := s.UpdateContentSet(ctx, a); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetContentSet(ctx, b.ID); got.IsDefault {
		t.Error("b is still the default after a became it")
	}
}

// Campaign catalogues and dimension definitions are stored like the other kinds, each with its own
// default; a database created before they existed takes them after its migration.
func TestCampaignAndDimensionSets(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	for _, kind := range []string{KindCampaigns, KindDimensions} {
		cs, err := s.CreateContentSet(ctx, ContentSet{Kind: kind, Name: "autumn", Content: "name\nx\n", IsDefault: true})
		if err != nil {
			t.Fatalf("create %s set: %v", kind, err)
		}
		if d, err := s.DefaultContentSet(ctx, kind); err != nil || d.ID != cs.ID || d.Kind != kind {
			t.Errorf("default %s set = %+v, %v", kind, d, err)
		}
	}
	if all, _ := s.ListContentSets(ctx, ""); len(all) != 2 {
		t.Errorf("ListContentSets(all) = %d sets; want 2", len(all))
	}
}

// A database from before migration 6, which limited kinds to urls and events, keeps its sets, ids
// and defaults, and then takes the new kinds.
func TestContentSetsMigrated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := openDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, 5); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if _, err := db.ExecContext(ctx, `INSERT INTO content_sets (id, kind, name, content, is_default, created_at, updated_at)
		VALUES (7, 'urls', 'shop', 'http://127.0.0.1/a', 1, ?, ?)`, now, now); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO content_sets (kind, name, content, created_at, updated_at)
		VALUES ('campaigns', 'x', '', ?, ?)`, now, now); err == nil {
		t.Fatal("version 5 accepted a campaigns set: the database is not that old")
	}
	db.Close()
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if d, err := s.DefaultContentSet(ctx, KindURLs); err != nil || d.ID != 7 || d.Content != "http://127.0.0.1/a" {
		t.Fatalf("migrated default URL set = %+v, %v", d, err)
	}
	if _, err := s.CreateContentSet(ctx, ContentSet{Kind: KindCampaigns, Name: "x", Content: "name\nx\n", IsDefault: true}); err != nil {
		t.Fatalf("campaigns set after migration: %v", err)
	}
	// The one-default-per-kind index survived the table copy.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO content_sets (kind, name, content, is_default, created_at, updated_at)
		VALUES ('urls', 'other', '', 1, ?, ?)`, now, now); err == nil {
		t.Error("a second default URL set was accepted")
	}
}
