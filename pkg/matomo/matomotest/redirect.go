package matomotest

import "net/http"

// Redirect returns a handler that answers every request with status code (a 3xx) and a Location
// of base + the request's path and query, as an http→https redirect or a proxy in front of Matomo
// does. Served in front of a Server (base its URL) or of anything else, it shows whether a client
// follows a redirect with tracking data: Go's client re-sends a POST answered 301, 302 or 303 as
// a GET without its body, which matomo.php answers 200 with its notice, recording nothing.
func Redirect(code int, base string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base+r.URL.RequestURI(), code)
	})
}
