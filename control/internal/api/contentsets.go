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

// ContentSetView is a URL list, event set, campaign catalogue or dimension set. Lists carry only
// the metadata; a single set also carries its preview (Count, then Structure, Stats,
// CampaignStats or DimensionStats, and Warnings). The Content of an event, campaign or dimension
// set is its text; a URL list's content is served by GET /api/url-sets/{id}/content, as it can be
// megabytes.
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
	// CampaignStats previews a campaign catalogue, DimensionStats custom dimension definitions.
	CampaignStats  *content.CampaignStats  `json:"campaign_stats,omitempty"`
	DimensionStats *content.DimensionStats `json:"dimension_stats,omitempty"`
	Content        *string                 `json:"content,omitempty"`
	Warnings       config.Problems         `json:"warnings,omitempty"`
	CreatedAt      *time.Time              `json:"created_at,omitempty"`
	UpdatedAt      *time.Time              `json:"updated_at,omitempty"`
}

func setView(cs store.ContentSet) ContentSetView {
	return ContentSetView{ID: cs.ID, Kind: cs.Kind, Name: cs.Name, Default: cs.IsDefault, Size: cs.Size,
		CreatedAt: &cs.CreatedAt, UpdatedAt: &cs.UpdatedAt}
}

// setKind describes one kind of content set: how to check its content and preview it.
type setKind struct {
	kind  string // a store.Kind* constant
	noun  string // for messages
	check func(text string) (ContentSetView, config.Problems)
	// builtin is the built-in set's content; nil when the kind has none (runs then send none).
	builtin func() string
	// mime and ext describe a set's content as a download; sniff, when set, picks them by content.
	mime, ext string
	sniff     func(text string) (mime, ext string)
	// object: the content may be given as a JSON object instead of a string holding it.
	object bool
}

var urlSets = setKind{kind: store.KindURLs, noun: "URL set", builtin: content.DefaultURLText, mime: mimeText, ext: ".txt",
	check: func(text string) (ContentSetView, config.Problems) {
		set, ps := content.ParseURLs(strings.NewReader(text))
		n, st := set.Len(), set.Structure()
		return ContentSetView{Count: &n, Structure: &st}, ps.Under("content")
	}}

var eventSets = setKind{kind: store.KindEvents, noun: "event set", builtin: content.DefaultEventsJSON,
	mime: echo.MIMEApplicationJSON, ext: ".json", object: true,
	check: func(text string) (ContentSetView, config.Problems) {
		set, ps := content.ParseEvents([]byte(text))
		st := set.Stats()
		n := st.Click + st.Random
		return ContentSetView{Count: &n, Stats: &st, Content: &text}, ps.Under("content")
	}}

var campaignSets = setKind{kind: store.KindCampaigns, noun: "campaign set", builtin: content.DefaultCampaignsJSON,
	sniff: jsonOrCSV, object: true,
	check: func(text string) (ContentSetView, config.Problems) {
		set, ps := content.ParseCampaigns([]byte(text))
		st := set.Stats()
		return ContentSetView{Count: &st.Campaigns, CampaignStats: &st, Content: &text}, ps.Under("content")
	}}

var dimensionSets = setKind{kind: store.KindDimensions, noun: "dimension set",
	mime: echo.MIMEApplicationJSON, ext: ".json", object: true,
	check: func(text string) (ContentSetView, config.Problems) {
		set, ps := content.ParseDimensions([]byte(text))
		st := set.Stats()
		n := len(set.Dimensions)
		return ContentSetView{Count: &n, DimensionStats: &st, Content: &text}, ps.Under("content")
	}}

const mimeText = "text/plain; charset=utf-8"

// jsonOrCSV tells a campaign catalogue in JSON from one in CSV.
func jsonOrCSV(text string) (string, string) {
	if strings.HasPrefix(strings.TrimLeft(strings.TrimPrefix(text, "\ufeff"), " \t\r\n"), "{") {
		return echo.MIMEApplicationJSON, ".json"
	}
	return "text/csv; charset=utf-8", ".csv"
}

// preview checks text and fills v's preview fields (its warnings among them); it returns every
// problem of text.
func (k setKind) preview(v ContentSetView, text string) (ContentSetView, config.Problems) {
	p, ps := k.check(text)
	v.Count, v.Structure, v.Stats, v.Content, v.Warnings = p.Count, p.Structure, p.Stats, p.Content, ps.Warnings()
	v.CampaignStats, v.DimensionStats = p.CampaignStats, p.DimensionStats
	return v, ps
}

func (k setKind) builtinView() ContentSetView {
	text := k.builtin()
	v, _ := k.preview(ContentSetView{Kind: k.kind, Name: "built-in", Builtin: true, Size: int64(len(text))}, text)
	return v
}

// noBuiltin is the answer about the built-in set of a kind that has none.
func (k setKind) noBuiltin() error {
	return echo.NewHTTPError(http.StatusNotFound, "there is no built-in "+k.noun+": a run sends none unless a set is chosen or is the default")
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
			if k.builtin == nil {
				return k.noBuiltin()
			}
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

// getSetContent serves a set's raw content (a URL list as text, an event or dimension set as JSON,
// a campaign catalogue as JSON or CSV).
func (s *Server) getSetContent(k setKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		var text, name string
		if c.Param("id") == builtinID {
			if k.builtin == nil {
				return k.noBuiltin()
			}
			text, name = k.builtin(), "builtin"
		} else {
			cs, err := s.loadSet(c, k)
			if err != nil {
				return err
			}
			text, name = cs.Content, cs.Name
		}
		mime, ext := k.mime, k.ext
		if k.sniff != nil {
			mime, ext = k.sniff(text)
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
	if k.builtin == nil {
		return k.noBuiltin()
	}
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
		Structure: v.Structure, Stats: v.Stats, CampaignStats: v.CampaignStats, DimensionStats: v.DimensionStats}
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
