package matomotest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// bulkOf renders a bulk body from request strings and an optional top-level token.
func bulkOf(token string, reqs ...string) string {
	m := map[string]any{"requests": reqs}
	if token != "" {
		m["token_auth"] = token
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestBulkReplies checks bulk bodies against the replies observed from Matomo 5.
func TestBulkReplies(t *testing.T) {
	ok := "?" + base
	bad := "?idsite=999&rec=1"
	cip := "?" + base + "&cip=10.1.2.3"
	old := "?" + base + "&cdt=" + cdt(testNow.Add(-72*time.Hour))
	tests := []struct {
		name   string // what the row shows
		query  string
		body   string
		status int
		want   string // exact JSON reply when status is 200
	}{
		{"two valid hits with the token list no invalid index", "", bulkOf(testToken, ok, ok), 200,
			`{"status":"success","tracked":2,"invalid":0,"invalid_indices":[]}`},
		{"without a token there are no invalid_indices", "", bulkOf("", ok, ok), 200,
			`{"status":"success","tracked":2,"invalid":0}`},
		{"a bad hit in the middle is index 1", "", bulkOf(testToken, ok, bad, ok), 200,
			`{"status":"success","tracked":2,"invalid":1,"invalid_indices":[1]}`},
		{"invalid hits are counted without a token too", "", bulkOf("", ok, bad, "?idsite=1&rec=1&cid=abc"), 200,
			`{"status":"success","tracked":1,"invalid":2}`},
		{"an empty request list is a probe that records nothing", "", `{"requests":[]}`, 200,
			`{"status":"success","tracked":0,"invalid":0}`},
		{"malformed JSON tracks nothing and still succeeds", "", `{"requests":["?idsite=1&rec=1"`, 200,
			`{"status":"success","tracked":0,"invalid":0}`},
		{"requests that is not a list tracks nothing", "", `{"requests":"?idsite=1&rec=1"}`, 200,
			`{"status":"success","tracked":0,"invalid":0}`},
		{"a wrong top-level token is ignored while nothing needs it", "", bulkOf("wrong", ok), 200,
			`{"status":"success","tracked":1,"invalid":0}`},
		{"a wrong top-level token does not authorise cip", "", bulkOf("wrong", cip, old), 200,
			`{"status":"success","tracked":0,"invalid":2}`},
		{"the top-level token authorises cip and old cdt", "", bulkOf(testToken, cip, old), 200,
			`{"status":"success","tracked":2,"invalid":0,"invalid_indices":[]}`},
		{"a token inside one request authorises that request only", "", bulkOf("", cip+"&token_auth="+testToken, cip), 200,
			`{"status":"success","tracked":1,"invalid":1}`},
		{"an element without a query part is dropped", "", bulkOf(testToken, "idsite=1&rec=1", "https://x.example/matomo.php", bad), 200,
			`{"status":"success","tracked":0,"invalid":1,"invalid_indices":[0]}`},
		{"a full URL element is read from its query", "", bulkOf("", "https://x.example/matomo.php?"+base), 200,
			`{"status":"success","tracked":1,"invalid":0}`},
		{"object elements are parameters", "", `{"requests":[{"idsite":1,"rec":1,"cid":"` + cidA + `","new_visit":true},{"idsite":"999","rec":1}]}`, 200,
			`{"status":"success","tracked":1,"invalid":1}`},
		{"escaped strings are decoded", "", `{"requests":["?idsite=1&rec=1&url=https:\/\/site1.example\/\u0061"]}`, 200,
			`{"status":"success","tracked":1,"invalid":0}`},
		{"other top-level members are ignored", "", `{"other":{"a":[1,2]},"requests":["` + ok + `"],"x":null}`, 200,
			`{"status":"success","tracked":1,"invalid":0}`},
		{"send_image 0 turns the reply into 204", "", `{"requests":["` + ok + `"],"send_image":0}`, 204, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{})
			r := post(t, s, tc.query, "application/json", tc.body)
			if r.status != tc.status {
				t.Fatalf("status = %d, want %d (body %q)", r.status, tc.status, r.body)
			}
			if tc.want != "" && r.body != tc.want {
				t.Errorf("reply = %s\nwant    %s", r.body, tc.want)
			}
			if n := s.Summary().Bulks; n != 1 {
				t.Errorf("Bulks = %d, want 1", n)
			}
		})
	}
}

// TestBulkNotDetected checks that a body without "requests" is never read as a bulk.
func TestBulkNotDetected(t *testing.T) {
	s := newTestServer(t, Options{})
	r := post(t, s, "", "application/json", `{"foo":1}`)
	if r.status != 400 {
		t.Errorf("status = %d, want 400", r.status)
	}
	if s.Summary().Bulks != 0 {
		t.Error("counted as a bulk")
	}
}

// TestBulkRecordsHits checks that bulk hits are recorded one by one, without the token.
func TestBulkRecordsHits(t *testing.T) {
	s := newTestServer(t, Options{})
	post(t, s, "", "text/plain", bulkOf(testToken, "?"+base+"&token_auth="+testToken, "?idsite=999&rec=1"))
	recs := s.Requests()
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if !recs[0].Bulk || !recs[0].Valid || recs[0].Site != 1 || recs[0].Params.Get("cid") != cidA {
		t.Errorf("first record %+v", recs[0])
	}
	if recs[1].Valid || recs[1].Reason != ReasonUnknownSite || recs[1].Site != 999 {
		t.Errorf("second record %+v", recs[1])
	}
	for _, r := range recs {
		if r.Params.Has("token_auth") {
			t.Error("token_auth kept in a record")
		}
		if !r.Time.Equal(testNow) {
			t.Errorf("record time %v, want the server clock", r.Time)
		}
	}
}

// TestQueuedTracking checks the QueuedTracking mode: every request acknowledged, validation
// still visible in the summary, and queuedtracking=0 bypassing the queue.
func TestQueuedTracking(t *testing.T) {
	s := newTestServer(t, Options{QueuedTracking: true})
	body := bulkOf(testToken, "?"+base, "?idsite=999&rec=1")
	tests := []struct {
		name   string // what the row shows
		query  string
		ctype  string
		body   string
		status int
		json   bool
	}{
		{"a bulk is answered 204 without counts", "", "application/json", body, 204, false},
		{"queuedtracking=0 bypasses the queue and gets the counts", "queuedtracking=0", "application/json", body, 200, true},
		{"an invalid single request still gets the GIF", "idsite=999&rec=1", "", "", 200, false},
		{"an empty bulk probe is 204: the sign of QueuedTracking", "", "application/json", `{"requests":[]}`, 204, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r reply
			if tc.body == "" {
				r = get(t, s, tc.query)
			} else {
				r = post(t, s, tc.query, tc.ctype, tc.body)
			}
			if r.status != tc.status || strings.HasPrefix(r.body, "{") != tc.json {
				t.Errorf("status %d body %q", r.status, r.body)
			}
		})
	}
	sum := s.Summary()
	if sum.Tracked != 2 || sum.Invalid != 3 {
		t.Errorf("tracked=%d invalid=%d, want 2 and 3", sum.Tracked, sum.Invalid)
	}
}

// TestParseBulkPaths checks that the fast scanner and encoding/json agree on the same bodies.
func TestParseBulkPaths(t *testing.T) {
	bodies := []string{
		`{"requests":["?a=1","?b=2"],"token_auth":"t","send_image":0}`,
		` { "requests" : [ "?a=1" , "x" ] , "send_image" : "0" } `,
		`{"requests":["?a=\"1\"","?b=\\2"]}`,
		`{"token_auth":null,"requests":[]}`,
		`{"requests":["?a=1"],"requests":["?b=2"]}`,
		`{"requests":[1,"?a=1",null]}`,
	}
	for _, b := range bodies {
		slow, okSlow := slowBulk([]byte(b))
		fast, okFast := fastBulk([]byte(b))
		if !okSlow {
			t.Errorf("%s: slow path failed", b)
			continue
		}
		if okFast && (strings.Join(fast.requests, "|") != strings.Join(slow.requests, "|") ||
			fast.token != slow.token || fast.noImage != slow.noImage) {
			t.Errorf("%s: fast %+v, slow %+v", b, fast, slow)
		}
	}
}

// TestUnquote checks the JSON string decoder against encoding/json on the escapes that occur.
func TestUnquote(t *testing.T) {
	inputs := []string{
		"?a=1&b=2<>",              // Go's encoder escapes & < > as \u00XX
		"quote \" and \\ slash /", // the short escapes
		"tab\tnewline\nreturn\r",  // control characters
		"é ü 中文 😀",                // multi-byte text and a surrogate pair
		"\u2028\u2029",            // separators Go escapes
	}
	for _, in := range inputs {
		enc, _ := json.Marshal(in)
		got, ok := unquote(enc[1 : len(enc)-1])
		if !ok || got != in {
			t.Errorf("unquote(%s) = %q, %v; want %q", enc, got, ok, in)
		}
	}
	for _, bad := range []string{`\`, `\x`, `\u12`, `\u12G4`} {
		if _, ok := unquote([]byte(bad)); ok {
			t.Errorf("unquote(%s) accepted", bad)
		}
	}
	if got, _ := unquote([]byte(`\/\ud83d\ude00\ud83d`)); got != "/😀\uFFFD" {
		t.Errorf("surrogates: %q", got)
	}
}

// FuzzBulkParse checks that whenever the fast scanner accepts a valid body, encoding/json reads
// the same requests, token and send_image from it.
func FuzzBulkParse(f *testing.F) {
	for _, seed := range []string{
		`{"requests":["?a=1","?b=2"],"token_auth":"t","send_image":0}`,
		`{"requests":["?a=\u0026b","x?y#z"],"token_auth":"\"q\""}`,
		`{"requests":[],"n":1.5e3,"f":false}`,
		`{"requests":[],"send_image":-0.0e1}`,
		`{"requests":["?a=1"`,
	} {
		f.Add([]byte(seed))
	}
	// The scanner may be more lenient than encoding/json on invalid JSON (control characters in
	// strings, sloppy numbers) and keeps invalid UTF-8 bytes as PHP does; on valid JSON it must
	// agree, up to encoding/json's replacement of invalid bytes.
	valid := func(s string) string { return string([]rune(s)) }
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := fastBulk(b)
		if !ok || !json.Valid(b) {
			return
		}
		slow, _ := slowBulk(b)
		if valid(strings.Join(fast.requests, "\x00")) != strings.Join(slow.requests, "\x00") ||
			valid(fast.token) != slow.token || fast.noImage != slow.noImage {
			t.Fatalf("%q: fast %+v, slow %+v", b, fast, slow)
		}
	})
}
