package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/pkg/version"
)

// openAPIPath turns an Echo path ("/api/runs/:id") into an OpenAPI one ("/api/runs/{id}").
func openAPIPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// buildOpenAPI describes every route of the table (request and response schemas are derived from
// the Go types the handlers use, so they cannot drift).
func (s *Server) buildOpenAPI() map[string]any {
	g := newSchemaGen()
	paths := map[string]map[string]any{}
	for _, r := range s.routes {
		if r.flags.undoc {
			continue
		}
		p := openAPIPath(r.path)
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(r.method)] = s.operation(g, r)
	}
	errBody := g.schema(ErrorBody{})
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Trafficinator control API",
			"version":     version.Version,
			"description": "Configs are maps keyed by env var names (see GET /api/schema). Tokens are write-only. See docs/api.md.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"apiKey": map[string]any{"type": "apiKey", "in": "header", "name": headerAPIKey},
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
			},
			"responses": map[string]any{
				"Error": map[string]any{"description": "An error; 400s list every problem",
					"content": map[string]any{"application/json": map[string]any{"schema": errBody}}},
			},
		},
		"security": []any{map[string]any{"apiKey": []any{}}, map[string]any{"bearer": []any{}}},
	}
}

// operation describes one route.
func (s *Server) operation(g *schemaGen, r route) map[string]any {
	o := map[string]any{"summary": r.op.summary, "tags": []string{r.op.tag},
		"operationId": strings.ToLower(r.method) + strings.NewReplacer("/", "_", ":", "", "-", "_", ".", "_").Replace(r.path)}
	if r.flags.public {
		o["security"] = []any{}
	}
	var params []any
	for _, seg := range strings.Split(r.path, "/") {
		if strings.HasPrefix(seg, ":") {
			params = append(params, map[string]any{"name": seg[1:], "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}, "description": "numeric id, or a built-in's name where the resource has built-ins"})
		}
	}
	for _, q := range r.op.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc,
			"schema": map[string]any{"type": q.typ}})
	}
	if params != nil {
		o["parameters"] = params
	}
	if r.op.req != nil {
		media := r.op.reqMedia
		if media == "" {
			media = echo.MIMEApplicationJSON
		}
		o["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{media: map[string]any{"schema": g.schema(r.op.req)}}}
	}
	status := r.op.status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	if r.op.resp == nil {
		status = http.StatusNoContent
		ok["description"] = http.StatusText(status)
	} else {
		media := r.op.respMedia
		if media == "" {
			media = echo.MIMEApplicationJSON
		}
		content := map[string]any{media: map[string]any{"schema": g.schema(r.op.resp)}}
		if r.op.altMedia != "" {
			content[r.op.altMedia] = map[string]any{"schema": map[string]any{"type": "string"}}
		}
		ok["content"] = content
	}
	responses := map[string]any{strconv.Itoa(status): ok, "default": map[string]any{"$ref": "#/components/responses/Error"}}
	o["responses"] = responses
	return o
}

// openAPI serves the document, built once.
func (s *Server) openAPI(c echo.Context) error {
	b, err := s.openAPIJSON()
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, b)
}

// openAPIDoc caches the marshalled document: routes never change after New.
type openAPIDoc struct {
	once sync.Once
	b    []byte
	err  error
}

func (s *Server) openAPIJSON() ([]byte, error) {
	s.doc.once.Do(func() {
		s.doc.b, s.doc.err = json.MarshalIndent(s.buildOpenAPI(), "", "  ")
	})
	return s.doc.b, s.doc.err
}
