package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func targetOf(name, token string) config.Target {
	return config.Target{Name: name, URL: "http://127.0.0.1:9/" + name + "/matomo.php", SiteID: 1, Token: token, Weight: 1, Enabled: true}
}

func TestConfigCRUD(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	tick(s)
	vals := testValues("tok-crud", targetOf("a", "tok-a"))
	c, err := s.CreateConfig(ctx, Config{Name: "baseline", Description: "first", Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == 0 || c.SchemaVersion != config.SchemaVersion || c.CreatedAt.IsZero() || !c.CreatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("created = %+v", c)
	}
	got, err := s.GetConfig(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !config.Equal(got.Values, vals) || got.Values.TokenAuth != "tok-crud" || got.Values.Targets[0].Token != "tok-a" {
		t.Fatalf("GetConfig values differ:\n got %v\nwant %v", config.Encode(got.Values), config.Encode(vals))
	}
	if _, err := s.CreateConfig(ctx, Config{Name: "baseline", Values: vals}); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate name = %v; want ErrConflict", err)
	}
	if _, err := s.CreateConfig(ctx, Config{Name: "  ", Values: vals}); !errors.Is(err, ErrInvalid) {
		t.Errorf("blank name = %v; want ErrInvalid", err)
	}
	other, err := s.CreateConfig(ctx, Config{Name: "optimised", Values: vals})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ListConfigs(ctx)
	if err != nil || len(list) != 2 || list[0].ID != other.ID {
		t.Fatalf("ListConfigs = %v, %v; want 2, newest first", list, err)
	}
	vals.VisitsPerDay = 99
	upd, err := s.UpdateConfig(ctx, Config{ID: c.ID, Name: "baseline v2", Description: "second", Values: vals})
	if err != nil || upd.Name != "baseline v2" || upd.Values.VisitsPerDay != 99 || !upd.UpdatedAt.After(c.UpdatedAt) {
		t.Fatalf("UpdateConfig = %+v, %v", upd, err)
	}
	if _, err := s.UpdateConfig(ctx, Config{ID: c.ID, Name: "optimised", Values: vals}); !errors.Is(err, ErrConflict) {
		t.Errorf("rename onto a taken name = %v; want ErrConflict", err)
	}
	if err := s.DeleteConfig(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"get":    func() error { _, err := s.GetConfig(ctx, c.ID); return err }(),
		"update": func() error { _, err := s.UpdateConfig(ctx, Config{ID: c.ID, Name: "x", Values: vals}); return err }(),
		"delete": s.DeleteConfig(ctx, c.ID),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of a deleted config = %v; want ErrNotFound", name, err)
		}
	}
}

// Tokens are write-only: what a form sends back blank is kept, unless it is explicitly cleared.
func TestUpdateConfigTokenSemantics(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		update config.Config
		clear  []string
		want   map[string]string // token key -> expected token ("" = none)
	}{
		// Bug 17 of the original: saving a form with a blank token must keep the stored one.
		{"blank keeps all", testValues("", targetOf("a", ""), targetOf("b", "")), nil,
			map[string]string{MainToken: "tok-main", "target:a": "tok-a", "target:b": "tok-b"}},
		// A token typed in replaces the stored one.
		{"new token replaces", testValues("tok-main-2", targetOf("a", "tok-a-2"), targetOf("b", "")), nil,
			map[string]string{MainToken: "tok-main-2", "target:a": "tok-a-2", "target:b": "tok-b"}},
		// Clearing is explicit, per key.
		{"explicit clear", testValues("", targetOf("a", ""), targetOf("b", "")), []string{MainToken, TargetToken("b")},
			map[string]string{MainToken: "", "target:a": "tok-a", "target:b": ""}},
		// A new token wins over a clear of the same key.
		{"new wins over clear", testValues("tok-main-3", targetOf("a", ""), targetOf("b", "")), []string{MainToken},
			map[string]string{MainToken: "tok-main-3", "target:a": "tok-a", "target:b": "tok-b"}},
		// A renamed target does not inherit the token of the name it replaced, nor of another target.
		{"renamed target starts blank", testValues("", targetOf("c", ""), targetOf("b", "")), nil,
			map[string]string{MainToken: "tok-main", "target:c": "", "target:b": "tok-b"}},
		// Swapping two names swaps nothing: each name keeps its own token.
		{"tokens follow names", testValues("", targetOf("b", ""), targetOf("a", "")), nil,
			map[string]string{MainToken: "tok-main", "target:a": "tok-a", "target:b": "tok-b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openTest(t)
			c, err := s.CreateConfig(ctx, Config{Name: "c", Values: testValues("tok-main", targetOf("a", "tok-a"), targetOf("b", "tok-b"))})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.UpdateConfig(ctx, Config{ID: c.ID, Name: "c", Values: tt.update}, tt.clear...)
			if err != nil {
				t.Fatal(err)
			}
			if have := tokensOf(got.Values); !reflect.DeepEqual(have, tt.want) {
				t.Errorf("tokens after update = %v; want %v", have, tt.want)
			}
			// Cleared and removed targets' tokens are gone from storage, not just hidden.
			var stored string
			if err := s.db.GetContext(ctx, &stored, `SELECT tokens_json FROM configs WHERE id = ?`, c.ID); err != nil {
				t.Fatal(err)
			}
			sealed, _ := parseSealed(stored)
			var storedKeys, wantKeys []string
			for k := range sealed {
				storedKeys = append(storedKeys, k)
			}
			for k, tok := range tt.want {
				if tok != "" {
					wantKeys = append(wantKeys, k)
				}
			}
			slices.Sort(storedKeys)
			slices.Sort(wantKeys)
			if !slices.Equal(storedKeys, wantKeys) {
				t.Errorf("stored token keys = %v; want %v", storedKeys, wantKeys)
			}
		})
	}
}

func tokensOf(c config.Config) map[string]string {
	m := map[string]string{MainToken: c.TokenAuth}
	for _, t := range c.Targets {
		m[TargetToken(t.Name)] = t.Token
	}
	return m
}

func TestTokenState(t *testing.T) {
	got := TokenState(testValues("x", targetOf("a", ""), targetOf("b", "y")))
	want := map[string]bool{MainToken: true, "target:a": false, "target:b": true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TokenState = %v; want %v", got, want)
	}
}

func TestDuplicateTargetNamesRejected(t *testing.T) {
	s, _ := openTest(t)
	_, err := s.CreateConfig(context.Background(), Config{Name: "dup", Values: testValues("", targetOf("a", "1"), targetOf("a", "2"))})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("two targets named a = %v; want ErrInvalid", err)
	}
}

// A config saved by the original tool (schema version 0: snake_case keys, token in clear, UI-only keys)
// loads migrated and is saved back migrated, its token moved into the sealed column.
func TestConfigMigratedOnLoad(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	legacy := `{"matomo_url": "http://127.0.0.1:8080/matomo.php", "matomo_site_id": 5,
		"matomo_token_auth": "tok-legacy-plain-42", "target_visits_per_day": 5000, "pageviews_min": 2,
		"ecommerce_currency": "EUR", "ui_theme": "dark"}`
	res, err := s.db.ExecContext(ctx, `INSERT INTO configs (name, schema_version, values_json, created_at, updated_at)
		VALUES ('old', 0, ?, ?, ?)`, legacy, s.now(), s.now())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	c, err := s.GetConfig(ctx, id)
	if err != nil {
		t.Fatalf("GetConfig of a version-0 row: %v", err)
	}
	v := c.Values
	if v.SiteID != 5 || v.VisitsPerDay != 5000 || v.PageviewsMin != 2 || v.Currency != "EUR" || v.TokenAuth != "tok-legacy-plain-42" {
		t.Fatalf("migrated values = %v", config.Encode(v))
	}
	var row configRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+configCols+` FROM configs WHERE id = ?`, id); err != nil {
		t.Fatal(err)
	}
	if row.SchemaVersion != config.SchemaVersion {
		t.Errorf("stored schema_version = %d; want %d (saved back)", row.SchemaVersion, config.SchemaVersion)
	}
	if strings.Contains(row.Values, "tok-legacy-plain-42") || strings.Contains(row.Values, "matomo_site_id") ||
		!strings.Contains(row.Values, `"MATOMO_SITE_ID":5`) {
		t.Errorf("stored values not migrated or still hold the token: %s", row.Values)
	}
	if !strings.Contains(row.Tokens, MainToken) {
		t.Errorf("token not moved into the sealed column: %s", row.Tokens)
	}
	again, err := s.GetConfig(ctx, id)
	if err != nil || !config.Equal(again.Values, v) {
		t.Fatalf("second load differs: %v", err)
	}
}
