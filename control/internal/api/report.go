package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/trafficinator/trafficinator/pkg/compare"
)

// maxBaselineLen bounds ?baseline= (target names are short).
const maxBaselineLen = 200

// runReport serves the comparison of a run's targets: JSON, or with ?format=html one
// self-contained page (inline SVG, no script) under a policy that allows nothing but its own
// style sheet.
func (s *Server) runReport(c echo.Context) error {
	id, err := runID(c)
	if err != nil {
		return err
	}
	format := c.QueryParam("format")
	if format != "" && format != "json" && format != "html" {
		return invalidField("format", format, "must be json or html")
	}
	baseline := c.QueryParam("baseline")
	if len(baseline) > maxBaselineLen {
		return invalidField("baseline", baseline[:maxBaselineLen]+"…", "must be at most %d characters", maxBaselineLen)
	}
	rep, err := s.runs.Report(c.Request().Context(), id, baseline)
	if errors.Is(err, compare.ErrUnknownBaseline) {
		return invalidField("baseline", baseline, "must name one of the run's targets")
	}
	if err != nil {
		return runErr(err, id)
	}
	if format != "html" {
		return c.JSON(http.StatusOK, rep)
	}
	var page bytes.Buffer
	if err := compare.WriteHTML(&page, rep); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentSecurityPolicy, compare.ContentSecurityPolicy())
	h.Set(echo.HeaderContentDisposition, fmt.Sprintf(`inline; filename="trafficinator-run-%s.html"`, rep.RunID))
	return c.Blob(http.StatusOK, echo.MIMETextHTMLCharsetUTF8, page.Bytes())
}
