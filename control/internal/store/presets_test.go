package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func TestPresetCRUD(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tick(s)
	vals := testValues("tok-preset-never", targetOf("a", "tok-preset-target"))
	p, err := s.CreatePreset(ctx, Preset{Name: "busy shop", Description: "d", Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	// Bug 24 of the original: presets held tokens in clear. Here they hold none at all.
	if p.Values.TokenAuth != "" || p.Values.Targets[0].Token != "" {
		t.Fatalf("preset kept a token: %+v", p.Values)
	}
	if !config.Equal(p.Values, vals.Redacted()) {
		t.Fatalf("preset values differ from the redacted input")
	}
	var raw string
	if err := s.db.GetContext(ctx, &raw, `SELECT values_json FROM presets WHERE id = ?`, p.ID); err != nil || strings.Contains(raw, "tok-preset") {
		t.Fatalf("stored preset = %q, %v; must hold no token", raw, err)
	}
	if _, err := s.CreatePreset(ctx, Preset{Name: "busy shop", Values: vals}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate preset name = %v; want ErrConflict", err)
	}
	q, err := s.CreatePreset(ctx, Preset{Name: "quiet", Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	vals.Concurrency = 7
	upd, err := s.UpdatePreset(ctx, Preset{ID: p.ID, Name: "busy shop 2", Values: vals})
	if err != nil || upd.Values.Concurrency != 7 || upd.Values.TokenAuth != "" {
		t.Fatalf("UpdatePreset = %+v, %v", upd, err)
	}
	list, err := s.ListPresets(ctx)
	if err != nil || len(list) != 2 || list[0].ID != p.ID || list[1].ID != q.ID {
		t.Fatalf("ListPresets = %v, %v; want the updated one first", list, err)
	}
	if _, err := s.UpdatePreset(ctx, Preset{ID: q.ID, Name: "busy shop 2", Values: vals}); !errors.Is(err, ErrConflict) {
		t.Errorf("rename onto a taken name = %v; want ErrConflict", err)
	}
	if err := s.DeletePreset(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPreset(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetPreset after delete = %v; want ErrNotFound", err)
	}
	if _, err := s.UpdatePreset(ctx, Preset{ID: p.ID, Name: "x", Values: vals}); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdatePreset after delete = %v; want ErrNotFound", err)
	}
	if err := s.DeletePreset(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeletePreset twice = %v; want ErrNotFound", err)
	}
}

// A preset imported from the original tool (version 0, token in clear) loads migrated, and the saved
// back row no longer holds the token.
func TestPresetMigratedOnLoadDropsToken(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	legacy := `{"matomo_url": "http://127.0.0.1:8080/matomo.php", "matomo_site_id": 2,
		"matomo_token_auth": "tok-preset-legacy-9", "concurrency": 40}`
	res, err := s.db.ExecContext(ctx, `INSERT INTO presets (name, schema_version, values_json, created_at, updated_at)
		VALUES ('old', 0, ?, ?, ?)`, legacy, s.now(), s.now())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	p, err := s.GetPreset(ctx, id)
	if err != nil || p.Values.Concurrency != 40 || p.Values.SiteID != 2 || p.Values.TokenAuth != "" {
		t.Fatalf("GetPreset = %+v, %v", p, err)
	}
	var row presetRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+presetCols+` FROM presets WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if row.SchemaVersion != config.SchemaVersion || strings.Contains(row.Values, "tok-preset-legacy-9") {
		t.Errorf("saved-back preset = version %d, %s", row.SchemaVersion, row.Values)
	}
}
