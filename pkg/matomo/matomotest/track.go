package matomotest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds a request body, as PHP's post_max_size does (8 MB by default; generous here).
const maxBody = 64 << 20

// transparentGIF is the 43-byte image Matomo's tracker answers with.
var transparentGIF = []byte{
	0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
}

const (
	// trackerNotice is what matomo.php says when called without parameters.
	trackerNotice = "This resource is part of Matomo. Keep full control of your data with the leading free " +
		"and open source <a href='https://matomo.org' target='_blank' rel='noopener noreferrer nofollow'>" +
		"web analytics & conversion optimisation platform</a>.<br>\nThis file is the endpoint for the " +
		"Matomo tracking API. If you want to access the Matomo UI or use the Reporting API, please use " +
		"<a href='index.php'>index.php</a> instead.\n"
	// badRequestPage is the short notice of a rejected request; like Matomo it never says why.
	badRequestPage = "<!DOCTYPE html>\n<html><head><title>Bad Request</title></head><body>Bad Request</body></html>\n"
	errorPage      = "<!DOCTYPE html>\n<html><head><title>Error</title></head><body>An error occurred</body></html>\n"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// serveTracking answers matomo.php / piwik.php, injecting the configured faults. The body is read
// and a bulk parsed first, so that the bulk's visitors count as in flight for the whole time the
// request is handled, latency included, as a PHP worker would hold them.
func (s *Server) serveTracking(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st := s.state()
	st.requests.Add(1)
	d := s.faults.draw()
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() { buf.Reset(); bufPool.Put(buf) }()
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r.Body, maxBody+1))
	tooLarge := err != nil || buf.Len() > maxBody
	var job *bulkJob
	if !tooLarge && isBulk(r, buf.Bytes()) {
		job = s.newBulkJob(buf.Bytes())
		defer job.release()
		st.flight.enter(job.visitors)
		defer st.flight.leave(job.visitors)
	} else if d.kind == faultDeadlock {
		d.kind = faultError // a single request has no transaction to lose half of
	}
	s.applyLoad(&d, job)
	if !s.hold(r, d) {
		return
	}
	if writeFault(w, d.kind) {
		st.faults.Add(1)
		return
	}
	if tooLarge {
		writeHTML(w, http.StatusRequestEntityTooLarge, errorPage)
		return
	}
	status, ctype, body := s.track(st, r, buf.Bytes(), job, d)
	switch d.kind {
	case faultDropReply:
		st.faults.Add(1)
		dropReply(w)
		return
	case faultDeadlock, faultLate:
		st.faults.Add(1)
	}
	writeReply(w, status, ctype, body)
}

// hold waits out the request's latency and, for a late request, its delay. The client going away
// ends the wait with false (nothing is processed), except for a late request, which goes on.
// Closing the server ends every wait early.
func (s *Server) hold(r *http.Request, d decision) bool {
	cancel := r.Context().Done()
	if d.kind == faultLate {
		cancel = nil
	}
	return pause(d.latency, cancel, s.closed) && pause(d.late, nil, s.closed)
}

// applyLoad counts the request's hits in the arrival rate and adds what the Load makes of it:
// more latency, and past ErrorsAbove a 503 for a request that had no fault of its own.
func (s *Server) applyLoad(d *decision, job *bulkJob) {
	if !s.load.on() {
		return
	}
	hits := 1
	if job != nil {
		hits = max(len(job.body.requests), 1)
	}
	lat, refuse := s.load.arrive(hits)
	d.latency += lat
	if refuse && d.kind == faultNone {
		d.kind = faultUnavailable
	}
}

// isBulk tells a bulk request by its body, as Matomo does.
func isBulk(r *http.Request, body []byte) bool {
	return r.Method == http.MethodPost && bytes.Contains(body, []byte(`"requests"`))
}

// track processes one HTTP request to the tracking endpoint and returns the reply; job is the
// parsed bulk, nil for a single request.
func (s *Server) track(st *state, r *http.Request, body []byte, job *bulkJob, d decision) (int, string, []byte) {
	now := s.opts.Now()
	raw := r.URL.RawQuery
	if job != nil {
		return s.trackBulk(st, raw, job, d, now)
	}
	if r.Method == http.MethodPost && len(body) > 0 && isForm(r) {
		// $_GET + $_POST: on a repeated key the query string wins, and the parser keeps the last.
		raw = joinQuery(string(body), raw)
	}
	if raw == "" {
		if r.Method == http.MethodPost {
			return http.StatusBadRequest, "text/html; charset=utf-8", []byte(trackerNotice)
		}
		return http.StatusOK, "text/html; charset=utf-8", []byte(trackerNotice)
	}
	return s.trackSingle(st, raw, now)
}

// trackSingle handles a request carrying one hit.
func (s *Server) trackSingle(st *state, raw string, now time.Time) (int, string, []byte) {
	p := parseParams(raw)
	o := s.process(st, &p, raw, false, now.Unix())
	st.hits.add(record{at: now, site: siteNumber(p.idsite), raw: raw, outcome: o})
	if o.invalid() && !s.queued(raw) {
		return http.StatusBadRequest, "text/html; charset=utf-8", []byte(badRequestPage)
	}
	if phpInt(p.sendImage, 1) == 0 {
		return http.StatusNoContent, "", nil
	}
	return http.StatusOK, "image/gif", transparentGIF
}

// trackBulk handles a bulk request: every hit is processed, and the reply counts them. After an
// injected deadlock the head of the bulk is lost, the tail is processed, and the reply is a 500.
func (s *Server) trackBulk(st *state, query string, job *bulkJob, d decision, now time.Time) (int, string, []byte) {
	st.bulks.Add(1)
	b := &job.body
	lost := 0
	if d.kind == faultDeadlock {
		lost = rollbackCount(len(b.requests), d.cut)
		st.rolledBack.Add(int64(lost))
	}
	super := s.tokenValid(b.token)
	recs := make([]record, 0, len(b.requests)-lost)
	var tracked, invalid int
	var indices []int
	for i := lost; i < len(b.requests); i++ {
		raw := b.requests[i]
		o := s.process(st, &job.params[i], raw, super, now.Unix())
		recs = append(recs, record{at: now, site: siteNumber(job.params[i].idsite), raw: raw, outcome: o, bulk: true})
		if o.invalid() {
			invalid++
			indices = append(indices, i)
		} else {
			tracked++
		}
	}
	st.hits.add(recs...)
	switch {
	case d.kind == faultDeadlock:
		return http.StatusInternalServerError, "application/json", deadlockReply(tracked, invalid)
	case s.queued(query) || b.noImage:
		return http.StatusNoContent, "", nil
	}
	return http.StatusOK, "application/json", bulkReply(tracked, invalid, indices, super)
}

// process validates one hit and records it into its visit; raw is its query string.
func (s *Server) process(st *state, p *params, raw string, auth bool, now int64) outcome {
	h, o := s.evaluate(st, p, auth, now)
	if o != outOK {
		st.count(h.site, o)
		return o
	}
	h.query = queryHash(h.site.id, raw, p.hasToken)
	return st.record(&h, int64(s.opts.DetailLimit))
}

// queued reports whether QueuedTracking would take this request (it is bypassed with queuedtracking=0).
func (s *Server) queued(query string) bool {
	return s.opts.QueuedTracking && !strings.Contains(query, "queuedtracking=0")
}

// bulkReply renders {"status":"success","tracked":T,"invalid":I[,"invalid_indices":[...]]}.
func bulkReply(tracked, invalid int, indices []int, withIndices bool) []byte {
	b := make([]byte, 0, 64+4*len(indices))
	b = append(b, `{"status":"success","tracked":`...)
	b = strconv.AppendInt(b, int64(tracked), 10)
	b = append(b, `,"invalid":`...)
	b = strconv.AppendInt(b, int64(invalid), 10)
	if withIndices {
		b = append(b, `,"invalid_indices":[`...)
		for i, n := range indices {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(n), 10)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func isForm(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func joinQuery(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "&" + b
}

// siteNumber is idsite as a number for the record, 0 when it is not one.
func siteNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

func writeReply(w http.ResponseWriter, status int, ctype string, body []byte) {
	h := w.Header()
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	h.Set("Cache-Control", "no-store")
	if len(body) > 0 {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeHTML(w http.ResponseWriter, status int, page string) {
	writeReply(w, status, "text/html; charset=utf-8", []byte(page))
}
