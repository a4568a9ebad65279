package matomo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A self-signed target is refused unless InsecureSkipVerify is set.
func TestInsecureSkipVerify(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	for _, skip := range []bool{false, true} {
		c, err := NewClient(Target{Name: "tls", URL: srv.URL + "/matomo.php", SiteID: 1}, Options{InsecureSkipVerify: skip, Retries: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Track(context.Background(), &Request{VisitorID: "0123456789abcdef", URL: "https://example.test/"})
		if (err == nil) != skip {
			t.Fatalf("skip=%v: err=%v", skip, err)
		}
	}
}
