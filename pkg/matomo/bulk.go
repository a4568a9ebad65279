package matomo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// BulkResult is the outcome of one bulk batch as Matomo reported it.
type BulkResult struct {
	// Sent is the number of hits in the batch.
	Sent int
	// Tracked is what Matomo recorded (all of Sent when Queued).
	Tracked int
	// Invalid is what Matomo rejected (unknown site or goal, missing token, bad cid, ...).
	Invalid int
	// Dropped is Sent − Tracked − Invalid, never negative: hits Matomo skipped silently
	// (lock wait timeouts) or never saw.
	Dropped int
	// InvalidIndices are the positions of invalid hits; Matomo sends them only when the token
	// is a super user's.
	InvalidIndices []int
	// Queued means the reply was a GIF or 204: QueuedTracking took the batch without
	// validating it, so every hit counts as tracked.
	Queued bool
	// Attempts counts the requests made, retries included.
	Attempts int
	// Latency is the last attempt's time from sending to reading the reply.
	Latency time.Duration
}

// maxBulkReply bounds the bulk reply read; a real one is a short JSON object.
const maxBulkReply = 1 << 20

// TrackBulk sends reqs as one bulk POST (token_auth in the JSON body) and reads Matomo's
// counts. A batch answered 5xx (but 503) may be partly recorded: after a database deadlock Matomo
// loses the hits it processed before it, records the rest and answers 500. Like a batch that was
// sent but got no reply (or a 504), it is retried only with Options.RetryUncertain; otherwise the
// error wraps ErrUncertain (and a *StatusError with the code, when there was a reply) and the
// caller can check the Live API for what landed before re-sending. 503 and 429 are retried. A reply Matomo
// accepted is never re-sent. On error only Sent, Attempts and Latency are set. An empty reqs
// sends nothing.
func (c *Client) TrackBulk(ctx context.Context, reqs []Request) (BulkResult, error) {
	if len(reqs) == 0 {
		return BulkResult{}, nil
	}
	bp := getBuf()
	*bp = c.appendBulkBody((*bp)[:0], reqs)
	cl := call{
		what: "bulk", method: http.MethodPost, url: c.bulkURL,
		body: newSharedBody(bp, true, contentJSON), keep: maxBulkReply,
		retryUncertain: c.opts.RetryUncertain, partial: true,
	}
	defer cl.body.release()
	return c.sendBulk(ctx, &cl, len(reqs))
}

// ProbeBulk posts an empty batch, {"requests":[]}, which records nothing: it proves the
// tracker answers and tells whether QueuedTracking is active (Queued) on the URL TrackBulk uses.
func (c *Client) ProbeBulk(ctx context.Context) (BulkResult, error) {
	b := c.appendBulkBody(make([]byte, 0, 64), nil)
	cl := call{
		what: "bulk probe", method: http.MethodPost, url: c.bulkURL,
		body: newSharedBody(&b, false, contentJSON), keep: maxBulkReply,
		retryUncertain: true, idempotent: true,
	}
	return c.sendBulk(ctx, &cl, 0)
}

func (c *Client) sendBulk(ctx context.Context, cl *call, sent int) (BulkResult, error) {
	ex, attempts, err := c.do(ctx, cl)
	res := BulkResult{Sent: sent, Attempts: attempts, Latency: ex.latency}
	if err != nil {
		return res, err
	}
	if err := res.read(ex); err != nil {
		return BulkResult{Sent: sent, Attempts: attempts, Latency: ex.latency}, err
	}
	return res, nil
}

// appendBulkBody writes {"requests":["?...",...],"token_auth":"..."}. Encoded queries hold only
// unreserved characters, '%', '+', '=' and '&', all safe inside a JSON string as they are.
func (c *Client) appendBulkBody(dst []byte, reqs []Request) []byte {
	dst = append(dst, `{"requests":[`...)
	for i := range reqs {
		if i > 0 {
			dst = append(dst, ',')
		}
		site := reqs[i].SiteID
		if site == 0 {
			site = c.target.SiteID
		}
		dst = append(dst, `"?`...)
		dst = reqs[i].appendQuery(dst, site)
		dst = append(dst, '"')
	}
	dst = append(dst, ']')
	if c.target.Token != "" {
		dst = append(dst, `,"token_auth":`...)
		dst = appendJSONString(dst, c.target.Token)
	}
	return append(dst, '}')
}

// bulkReply is BulkTracking's JSON answer.
type bulkReply struct {
	Status         string `json:"status"`
	Tracked        int    `json:"tracked"`
	Invalid        int    `json:"invalid"`
	InvalidIndices []int  `json:"invalid_indices"`
}

// read fills the counts from a 2xx reply: Matomo's JSON, or a GIF/empty body from
// QueuedTracking. Anything else is not Matomo speaking, so the outcome is unknown.
func (res *BulkResult) read(ex exchange) error {
	body := bytes.TrimSpace(ex.body)
	if ex.status == http.StatusNoContent || len(body) == 0 ||
		bytes.HasPrefix(body, []byte("GIF8")) || strings.HasPrefix(ex.contentType, "image/") {
		res.Queued, res.Tracked = true, res.Sent
		return nil
	}
	var reply bulkReply
	if body[0] != '{' || json.Unmarshal(body, &reply) != nil || reply.Status != "success" {
		return fmt.Errorf("matomo: bulk: %w: HTTP %d reply is not BulkTracking's (%s)",
			ErrUncertain, ex.status, describeBody(ex.contentType, body))
	}
	res.Tracked, res.Invalid, res.InvalidIndices = reply.Tracked, reply.Invalid, reply.InvalidIndices
	res.Dropped = max(res.Sent-res.Tracked-res.Invalid, 0)
	return nil
}

// describeBody names a reply's kind for an error without quoting it: the body could echo the
// request, token included.
func describeBody(contentType string, body []byte) string {
	return fmt.Sprintf("%s, %d bytes", describeType(contentType), len(body))
}

// describeType names a reply's content type, or says it had none.
func describeType(contentType string) string {
	if contentType == "" {
		return "no content type"
	}
	return contentType
}
