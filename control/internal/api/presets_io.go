package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
)

// presetsFormat marks an export file, so that an import can tell it from other JSON.
const presetsFormat = "trafficinator-presets"

// PresetsFile is the export and import format of user presets, sorted by name. Built-ins are not
// exported (every installation has them). SchemaVersion 0 means the original tool's snake_case keys, which are
// migrated on import.
type PresetsFile struct {
	Format        string          `json:"format,omitempty"`
	SchemaVersion *int            `json:"schema_version,omitempty" validate:"omitempty,min=0"`
	Presets       []PresetRequest `json:"presets" validate:"required,min=1,max=1000,dive"`
}

// PresetsImportResult says what an import did.
type PresetsImportResult struct {
	Imported int             `json:"imported"`
	Replaced int             `json:"replaced"`
	Presets  []PresetView    `json:"presets"`
	Warnings config.Problems `json:"warnings"`
}

func (s *Server) exportPresets(c echo.Context) error {
	ps, err := s.store.ListPresets(c.Request().Context())
	if err != nil {
		return err
	}
	slices.SortFunc(ps, func(a, b store.Preset) int { return strings.Compare(a.Name, b.Name) })
	v := config.SchemaVersion
	out := PresetsFile{Format: presetsFormat, SchemaVersion: &v, Presets: make([]PresetRequest, len(ps))}
	for i, p := range ps {
		out.Presets[i] = PresetRequest{Name: p.Name, Description: p.Description, Config: redactedMap(p.Values)}
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="presets.json"`)
	return c.JSON(http.StatusOK, out)
}

// importPresets stores every preset of a PresetsFile, or none: all entries are checked first, and
// a store failure half-way undoes what was written. Names that exist are a 409 unless ?replace=1.
func (s *Server) importPresets(c echo.Context) error {
	var f PresetsFile
	if err := s.bind(c, &f); err != nil {
		return err
	}
	if f.Format != "" && f.Format != presetsFormat {
		return invalidField("format", f.Format, "must be %q (or left out)", presetsFormat)
	}
	parsed, warns, err := checkPresetsFile(f)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	existing, err := s.store.ListPresets(ctx)
	if err != nil {
		return err
	}
	byName := map[string]store.Preset{}
	for _, p := range existing {
		byName[p.Name] = p
	}
	replace := truthy(c.QueryParam("replace"))
	if !replace {
		var taken []string
		for _, p := range parsed {
			if _, ok := byName[p.Name]; ok {
				taken = append(taken, fmt.Sprintf("%q", p.Name))
			}
		}
		if len(taken) > 0 {
			return public(store.ErrConflict, "presets named %s already exist; import with ?replace=1 to overwrite them",
				strings.Join(taken, ", "))
		}
	}
	res, err := s.writePresets(ctx, parsed, byName)
	if err != nil {
		return err
	}
	res.Warnings = nonNil(warns)
	return c.JSON(http.StatusOK, res)
}

// checkPresetsFile migrates and checks every entry; problems name the entry ("presets[2].config.X").
func checkPresetsFile(f PresetsFile) ([]store.Preset, config.Problems, error) {
	version := config.SchemaVersion
	if f.SchemaVersion != nil {
		version = *f.SchemaVersion
	}
	var probs config.Problems
	out := make([]store.Preset, 0, len(f.Presets))
	seen := map[string]bool{}
	for i, e := range f.Presets {
		at := fmt.Sprintf("presets[%d]", i)
		name := strings.TrimSpace(e.Name)
		if _, ok := builtinPreset(name); ok {
			probs = append(probs, config.Errorf(at+".name", name, "is the name of a built-in preset"))
		} else if seen[name] {
			probs = append(probs, config.Errorf(at+".name", name, "appears twice in the file"))
		}
		seen[name] = true
		m, err := config.Migrate(version, e.Config)
		if err != nil {
			probs = append(probs, config.Errorf("schema_version", fmt.Sprint(version), "unsupported schema version"))
			return nil, nil, invalid("invalid presets file", probs)
		}
		values, pw, perr := checkPreset(m)
		var inv *invalidError
		if errors.As(perr, &inv) {
			pw = inv.problems
		}
		probs = append(probs, pw.Under(at+".config")...)
		out = append(out, store.Preset{Name: name, Description: e.Description, Values: values})
	}
	if probs.Err() != nil {
		return nil, probs.Warnings(), invalid("invalid presets file", probs)
	}
	return out, probs.Warnings(), nil
}

// writePresets creates or replaces the presets; on failure it restores what it had changed.
func (s *Server) writePresets(ctx context.Context, ps []store.Preset, existing map[string]store.Preset) (PresetsImportResult, error) {
	res := PresetsImportResult{Presets: make([]PresetView, 0, len(ps))}
	var undo []func(context.Context) error
	for _, p := range ps {
		var (
			saved store.Preset
			err   error
		)
		if old, ok := existing[p.Name]; ok {
			p.ID = old.ID
			saved, err = s.store.UpdatePreset(ctx, p)
			undo = append(undo, func(ctx context.Context) error { _, err := s.store.UpdatePreset(ctx, old); return err })
			res.Replaced++
		} else {
			saved, err = s.store.CreatePreset(ctx, p)
			id := saved.ID
			undo = append(undo, func(ctx context.Context) error { return s.store.DeletePreset(ctx, id) })
			res.Imported++
		}
		if err != nil {
			undo = undo[:len(undo)-1]
			for i := len(undo) - 1; i >= 0; i-- {
				if uerr := undo[i](ctx); uerr != nil {
					s.log.Error("undoing a failed preset import", "err", uerr)
				}
			}
			return PresetsImportResult{}, nameTaken(err, "preset", p.Name)
		}
		res.Presets = append(res.Presets, userPresetView(saved, nil))
	}
	return res, nil
}
