package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// URLSetRequest creates or replaces a URL list: one URL per line, optionally followed by a TAB or
// two spaces and a title; # starts a comment. On PUT, a missing content keeps the stored list and
// a missing default keeps the flag.
type URLSetRequest struct {
	Name    string  `json:"name" validate:"notblank,namelen,safename"`
	Content *string `json:"content"`
	Default *bool   `json:"default,omitempty"`
}

// EventSetRequest creates or replaces an event set. Content is the events JSON, either as an
// object or as a string holding it (as the original's editor sent it).
type EventSetRequest struct {
	Name    string          `json:"name" validate:"notblank,namelen,safename"`
	Content json.RawMessage `json:"content"`
	Default *bool           `json:"default,omitempty"`
}

// CampaignSetRequest creates or replaces a campaign catalogue. Content is the campaigns file: a
// string holding its JSON or CSV text, or the JSON as an object.
type CampaignSetRequest struct {
	Name    string          `json:"name" validate:"notblank,namelen,safename"`
	Content json.RawMessage `json:"content"`
	Default *bool           `json:"default,omitempty"`
}

// DimensionSetRequest creates or replaces a set of custom dimension definitions. Content is the
// definitions JSON, as an object or as a string holding it.
type DimensionSetRequest struct {
	Name    string          `json:"name" validate:"notblank,namelen,safename"`
	Content json.RawMessage `json:"content"`
	Default *bool           `json:"default,omitempty"`
}

func (r *CampaignSetRequest) parts() (string, string, bool, *bool, error) {
	text, ok, err := textContent(r.Content, campaignSets)
	return r.Name, text, ok, r.Default, err
}

func (r *DimensionSetRequest) parts() (string, string, bool, *bool, error) {
	text, ok, err := textContent(r.Content, dimensionSets)
	return r.Name, text, ok, r.Default, err
}

// setRequest is what creating and replacing need of a content set request: its name, its
// content if given, and its default flag if given.
type setRequest interface {
	parts() (name, content string, given bool, isDefault *bool, err error)
}

func (r *URLSetRequest) parts() (string, string, bool, *bool, error) {
	if r.Content == nil {
		return r.Name, "", false, r.Default, nil
	}
	return r.Name, *r.Content, true, r.Default, nil
}

func (r *EventSetRequest) parts() (string, string, bool, *bool, error) {
	text, ok, err := textContent(r.Content, eventSets)
	return r.Name, text, ok, r.Default, err
}

func (s *Server) createURLSet(c echo.Context) error { return createSet[URLSetRequest](s, c, urlSets) }
func (s *Server) updateURLSet(c echo.Context) error { return updateSet[URLSetRequest](s, c, urlSets) }
func (s *Server) createEventSet(c echo.Context) error {
	return createSet[EventSetRequest](s, c, eventSets)
}
func (s *Server) updateEventSet(c echo.Context) error {
	return updateSet[EventSetRequest](s, c, eventSets)
}
func (s *Server) createCampaignSet(c echo.Context) error {
	return createSet[CampaignSetRequest](s, c, campaignSets)
}
func (s *Server) updateCampaignSet(c echo.Context) error {
	return updateSet[CampaignSetRequest](s, c, campaignSets)
}
func (s *Server) createDimensionSet(c echo.Context) error {
	return createSet[DimensionSetRequest](s, c, dimensionSets)
}
func (s *Server) updateDimensionSet(c echo.Context) error {
	return updateSet[DimensionSetRequest](s, c, dimensionSets)
}

// createSet creates a set of kind k from a request of type R; the content is required.
func createSet[R any, P interface {
	*R
	setRequest
}](s *Server, c echo.Context, k setKind) error {
	req := P(new(R))
	if err := s.bind(c, req); err != nil {
		return err
	}
	name, text, given, isDefault, err := req.parts()
	if err != nil {
		return err
	}
	if !given {
		return invalidField("content", "", "is required")
	}
	v, status, err := s.saveSet(c.Request().Context(), k, 0, name, text, isDefault)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// updateSet replaces a set of kind k; a missing content keeps the stored one, a missing default
// keeps the flag. The built-in set is read-only.
func updateSet[R any, P interface {
	*R
	setRequest
}](s *Server, c echo.Context, k setKind) error {
	if c.Param("id") == builtinID {
		return readOnlyBuiltinSet(c, k)
	}
	cs, err := s.loadSet(c, k)
	if err != nil {
		return err
	}
	req := P(new(R))
	if err := s.bind(c, req); err != nil {
		return err
	}
	name, text, given, isDefault, err := req.parts()
	if err != nil {
		return err
	}
	if !given {
		text = cs.Content
	}
	if isDefault == nil {
		isDefault = &cs.IsDefault
	}
	v, status, err := s.saveSet(c.Request().Context(), k, cs.ID, name, text, isDefault)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// ContentRequest is the body of the validate endpoints of content sets.
type ContentRequest struct {
	Content json.RawMessage `json:"content"`
}

// textContent reads a request's content field: a JSON string, or (for kinds stored as JSON) a JSON
// object.
func textContent(raw json.RawMessage, k setKind) (string, bool, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0 || string(t) == "null":
		return "", false, nil
	case t[0] == '"':
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", false, invalidField("content", "", "is not a valid JSON string")
		}
		return s, true, nil
	case t[0] == '{' && k.object:
		return string(t), true, nil
	}
	if k.object {
		return "", false, invalidField("content", "", "expected the %s: a JSON object, or a string holding the file", k.noun)
	}
	return "", false, invalidField("content", "", "expected a string holding the %s", k.noun)
}

// uploadURLSet takes a URL file as multipart/form-data (field "file", optional "name" and
// "default") or as a text/plain body (?name=...&default=1).
func (s *Server) uploadURLSet(c echo.Context) error {
	name, isDefault := c.QueryParam("name"), truthy(c.QueryParam("default"))
	var text []byte
	if strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		fh, err := c.FormFile("file")
		if err != nil {
			return uploadError(err)
		}
		f, err := fh.Open()
		if err != nil {
			return uploadError(err)
		}
		defer f.Close()
		if text, err = io.ReadAll(f); err != nil {
			return uploadError(err)
		}
		if v := c.FormValue("name"); v != "" {
			name = v
		}
		if name == "" {
			name = strings.TrimSuffix(filepath.Base(fh.Filename), filepath.Ext(fh.Filename))
		}
		isDefault = isDefault || truthy(c.FormValue("default"))
	} else {
		var err error
		if text, err = readBody(c); err != nil {
			return err
		}
	}
	if strings.TrimSpace(name) == "" {
		return invalidField("name", "", "is required (?name=... or the form field name)")
	}
	if utf8.RuneCountInString(name) > config.MaxNameChars {
		return invalidField("name", truncateText(name, 40), "must be at most %d characters", config.MaxNameChars)
	}
	if err := config.CheckName(name); err != nil {
		return invalidField("name", name, "%v", err)
	}
	v, status, err := s.saveSet(c.Request().Context(), urlSets, 0, name, string(text), &isDefault)
	if err != nil {
		return err
	}
	return c.JSON(status, v)
}

// uploadError turns a multipart failure into a 413 or a 400.
func uploadError(err error) error {
	if errors.Is(err, echo.ErrStatusRequestEntityTooLarge) {
		return echo.ErrStatusRequestEntityTooLarge
	}
	return invalidField("file", "", "expected multipart/form-data with the URL list in a field named file")
}

// validateSetContent checks a content set of kind k without storing it.
func (s *Server) validateSetContent(k setKind) echo.HandlerFunc {
	return func(c echo.Context) error {
		var req ContentRequest
		if err := s.bind(c, &req); err != nil {
			return err
		}
		text, _, err := textContent(req.Content, k)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, s.validateSet(k, text))
	}
}
