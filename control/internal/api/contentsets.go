package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/control/internal/store"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
)

// builtinID is the path id of the built-in URL list and event set.
const builtinID = "builtin"

// ContentSetView is a URL list or event set. Lists carry only the metadata; a single set also
// carries its preview (Count, Structure or Stats, Warnings). An event set's Content is its JSON
// text; a URL list's content is served by GET /api/url-sets/{id}/content, as it can be megabytes.
type ContentSetView struct {
	ID        int64               `json:"id"`
	Kind      string              `json:"kind"`
	Name      string              `json:"name"`
	Default   bool                `json:"default"`
	Builtin   bool                `json:"builtin,omitempty"`
	Size      int64               `json:"size"`
	Count     *int                `json:"count,omitempty"`
	Structure *content.Structure  `json:"structure,omitempty"`
	Stats     *content.EventStats `json:"stats,omitempty"`
	Content   *string             `json:"content,omitempty"`
	Warnings  config.Problems     `json:"warnings,omitempty"`
	CreatedAt *time.Time          `json:"created_at,omitempty"`
	UpdatedAt *time.Time          `json:"updated_at,omitempty"`
}

func setView(cs store.ContentSet) ContentSetView {
	return ContentSetView{ID: cs.ID, Kind: cs.Kind, Name: cs.Name, Default: cs.IsDefault, Size: cs.Size,
		CreatedAt: &cs.CreatedAt, UpdatedAt: &cs.UpdatedAt}
}

// setKind describes one kind of content set: how to check its content and preview it.
type setKind struct {
	kind  string // store.KindURLs or store.KindEvents
	noun  string // for messages
	check func(text string) (ContentSetView, config.Problems)
	// builtin is the built-in set's content.
	builtin func() string
}

var urlSets = setKind{kind: store.KindURLs, noun: "URL set", builtin: content.DefaultURLText,
	check: func(text string) (ContentSetView, config.Problems) {
		set, ps := content.ParseURLs(strings.NewReader(text))
		n, st := set.Len(), set.Structure()
		return ContentSetView{Count: &n, Structure: &st}, ps.Under("content")
	}}

var eventSets = setKind{kind: store.KindEvents, noun: "event set", builtin: content.DefaultEventsJSON,
	check: func(text string) (ContentSetView, config.Problems) {
		set, ps := content.ParseEvents([]byte(text))
		st := set.Stats()
		n := st.Click + st.Random
		return ContentSetView{Count: &n, Stats: &st, Content: &text}, ps.Under("content")
	}}

// preview checks text and fills v's preview fields (its warnings among them); it returns every
// problem of text.
func (k setKind) preview(v ContentSetView, text string) (ContentSetView, config.Problems) {
	p, ps := k.check(text)
	v.Count, v.Structure, v.Stats, v.Content, v.Warnings = p.Count, p.Structure, p.Stats, p.Content, ps.Warnings()
	return v, ps
}

func (k setKind) builtinView() ContentSetView {
	text := k.builtin()
	v, _ := k.preview(ContentSetView{Kind: k.kind, Name: "built-in", Builtin: true, Size: int64(len(text))}, text)
	return v
}

func (s *Server) listSets(k setKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		sets, err := s.store.ListContentSets(c.Request().Context(), k.kind)
		if err != nil {
			return err
		}
		out := make([]ContentSetView, len(sets))
		for i, cs := range sets {
			out[i] = setView(cs)
		}
		return c.JSON(http.StatusOK, out)
	}
}

// loadSet finds the set of kind k named by the path id.
func (s *Server) loadSet(c echo.Context, k setKind) (store.ContentSet, error) {
	id, err := pathID(c, k.noun)
	if err != nil {
		return store.ContentSet{}, err
	}
	cs, err := s.store.GetContentSet(c.Request().Context(), id)
	if err == nil && cs.Kind != k.kind {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.ContentSet{}, public(err, "%s %d not found", k.noun, id)
	}
	return cs, nil
}

func (s *Server) getSet(k setKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Param("id") == builtinID {
			return c.JSON(http.StatusOK, k.builtinView())
		}
		cs, err := s.loadSet(c, k)
		if err != nil {
			return err
		}
		v, _ := k.preview(setView(cs), cs.Content)
		return c.JSON(http.StatusOK, v)
	}
}

// getSetContent serves a set's raw content (a URL list as text, an event set as JSON).
func (s *Server) getSetContent(k setKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		text, name := k.builtin(), "builtin"
		if c.Param("id") != builtinID {
			cs, err := s.loadSet(c, k)
			if err != nil {
				return err
			}
			text, name = cs.Content, cs.Name
		}
		mime, ext := "text/plain; charset=utf-8", ".txt"
		switch k.kind {
		case store.KindEvents:
			mime, ext = echo.MIMEApplicationJSON, ".json"
		case store.KindScenarios:
			ext = ".yaml"
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+safeFileName(name)+ext+`"`)
		return c.Blob(http.StatusOK, mime, []byte(text))
	}
}

// saveSet validates text and creates (id 0) or replaces a set; isDefault nil keeps the flag.
func (s *Server) saveSet(ctx context.Context, k setKind, id int64, name, text string, isDefault *bool) (ContentSetView, int, error) {
	if _, ps := k.preview(ContentSetView{}, text); ps.Err() != nil {
		return ContentSetView{}, 0, invalid("invalid "+k.noun, ps)
	}
	cs := store.ContentSet{ID: id, Kind: k.kind, Name: strings.TrimSpace(name), Content: text}
	if isDefault != nil {
		cs.IsDefault = *isDefault
	}
	var (
		saved  store.ContentSet
		err    error
		status = http.StatusCreated
	)
	if id == 0 {
		saved, err = s.store.CreateContentSet(ctx, cs)
	} else {
		saved, err = s.store.UpdateContentSet(ctx, cs)
		status = http.StatusOK
	}
	if err != nil {
		return ContentSetView{}, 0, nameTaken(err, k.noun, cs.Name)
	}
	v, _ := k.preview(setView(saved), saved.Content)
	return v, status, nil
}

func (s *Server) deleteSet(k setKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Param("id") == builtinID {
			return readOnlyBuiltinSet(c, k)
		}
		cs, err := s.loadSet(c, k)
		if err != nil {
			return err
		}
		if err := s.store.DeleteContentSet(c.Request().Context(), cs.ID); err != nil {
			return public(err, "%s %d not found", k.noun, cs.ID)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func readOnlyBuiltinSet(c echo.Context, k setKind) error {
	c.Response().Header().Set(echo.HeaderAllow, http.MethodGet)
	return echo.NewHTTPError(http.StatusMethodNotAllowed, "the built-in "+k.noun+" is read-only; create your own")
}

// validateSet checks content without storing it.
func (s *Server) validateSet(k setKind, text string) ContentValidation {
	v, ps := k.preview(ContentSetView{}, text)
	errs := ps.Errors()
	n := 0
	if v.Count != nil && len(errs) == 0 {
		n = *v.Count
	}
	return ContentValidation{Valid: len(errs) == 0, Errors: nonNil(errs), Warnings: nonNil(v.Warnings), Count: n,
		Structure: v.Structure, Stats: v.Stats}
}

// safeFileName keeps a name usable in a Content-Disposition header.
func safeFileName(name string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
	return truncateText(out, 80)
}
