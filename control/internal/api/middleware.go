package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// routeFlags are the per-route exceptions to the middleware defaults.
type routeFlags struct {
	public     bool // no API key (health, the UI)
	stream     bool // always an SSE stream: no timeout, no rate limit
	followable bool // an SSE stream when ?follow=1
	upload     bool // body up to MaxUploadBytes instead of MaxBodyBytes
	ownTimeout bool // the handler sets its own deadline (connection tests)
	long       bool // waits for Docker (start, stop, restart): LongRequestTimeout instead
	undoc      bool // not in the OpenAPI document (static UI files)
}

// contentSecurityPolicy suits a same-origin UI without inline scripts or styles.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

const ctxRequestID = "request_id"

func (s *Server) flagsOf(c echo.Context) routeFlags {
	return s.flags[c.Request().Method+" "+c.Path()]
}

// streaming reports whether the request will be answered with an SSE stream.
func (s *Server) streaming(c echo.Context) bool {
	f := s.flagsOf(c)
	return f.stream || (f.followable && truthy(c.QueryParam("follow")))
}

// useMiddleware installs, in order: panic recovery, request ids, security headers, CORS (only when
// origins are configured), the body limit, authentication with rate limiting, and the timeout.
func (s *Server) useMiddleware(e *echo.Echo) {
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic in handler", "path", c.Path(), "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(requestIDs, securityHeaders)
	if len(s.cors) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins: s.cors,
			AllowMethods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodOptions},
			AllowHeaders: []string{echo.HeaderContentType, echo.HeaderAuthorization, headerAPIKey},
			MaxAge:       3600,
		}))
	}
	e.Use(middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{
		Limit:   strconv.Itoa(MaxBodyBytes),
		Skipper: func(c echo.Context) bool { return s.flagsOf(c).upload },
	}))
	e.Use(s.authenticate)
	passErr := func(err error, _ echo.Context) error { return err } // handleError maps DeadlineExceeded to 503
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		Timeout: s.timeout,
		Skipper: func(c echo.Context) bool {
			f := s.flagsOf(c)
			return s.streaming(c) || f.ownTimeout || f.long
		},
		ErrorHandler: passErr,
	}))
	e.Use(middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
		Timeout:      LongRequestTimeout,
		Skipper:      func(c echo.Context) bool { return !s.flagsOf(c).long },
		ErrorHandler: passErr,
	}))
}

// uploadLimit is the body limit of the routes that take URL lists.
func uploadLimit() echo.MiddlewareFunc {
	return middleware.BodyLimit(strconv.Itoa(MaxUploadBytes))
}

// requestIDs gives every request an id, returned in X-Request-ID and logged with server errors.
func requestIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
		id := hex.EncodeToString(b[:])
		c.Set(ctxRequestID, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestID(c echo.Context) string {
	id, _ := c.Get(ctxRequestID).(string)
	return id
}

// securityHeaders are sent on every response. HSTS only over TLS: over plain HTTP it is meaningless
// (the original sent it anyway).
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set(echo.HeaderXFrameOptions, "DENY")
		h.Set(echo.HeaderReferrerPolicy, "no-referrer")
		h.Set(echo.HeaderContentSecurityPolicy, contentSecurityPolicy)
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			h.Set(echo.HeaderCacheControl, "no-store")
		}
		if c.IsTLS() {
			h.Set(echo.HeaderStrictTransportSecurity, "max-age=31536000")
		}
		return next(c)
	}
}

const headerAPIKey = "X-API-Key"

// presentedKey returns the key in X-API-Key or Authorization: Bearer, and whether one was sent.
func presentedKey(r *http.Request) (string, bool) {
	if k := r.Header.Get(headerAPIKey); k != "" {
		return k, true
	}
	if scheme, k, ok := strings.Cut(r.Header.Get(echo.HeaderAuthorization), " "); ok && strings.EqualFold(scheme, "Bearer") {
		k = strings.TrimSpace(k)
		return k, k != ""
	}
	return "", false
}

// authenticate checks the API key (constant-time, on hashes so lengths do not leak) and applies the
// per-client rate limit. The limit is checked first and keyed by client IP plus whether the key was
// right, so guessing keys is rate limited too and cannot mint fresh buckets. Public routes and CORS
// preflights skip the key; streams and /health skip the limit.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		f := s.flagsOf(c)
		req := c.Request()
		if req.Method == http.MethodOptions && len(s.cors) > 0 {
			return next(c)
		}
		key, sent := presentedKey(req)
		ok := false
		if sent {
			h := sha256.Sum256([]byte(key))
			ok = subtle.ConstantTimeCompare(h[:], s.keyHash[:]) == 1
		}
		if s.limiter != nil && !f.public && !s.streaming(c) {
			bucket := c.RealIP() + "|anonymous"
			if ok {
				bucket = c.RealIP() + "|key"
			}
			if allowed, wait := s.limiter.allow(bucket, time.Now()); !allowed {
				c.Response().Header().Set(echo.HeaderRetryAfter, strconv.Itoa(retryAfter(wait)))
				return echo.NewHTTPError(http.StatusTooManyRequests, "rate limit exceeded; retry after the time in Retry-After")
			}
		}
		switch {
		case f.public, ok:
			return next(c)
		case !sent:
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `ApiKey header="X-API-Key", Bearer`)
			return echo.NewHTTPError(http.StatusUnauthorized, "an API key is required: send it in X-API-Key or Authorization: Bearer")
		}
		s.log.Warn("wrong API key", "ip", c.RealIP(), "path", c.Path())
		return echo.NewHTTPError(http.StatusForbidden, "the API key is not valid")
	}
}

// truthy reads a boolean query parameter (1, true, yes, on).
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "y":
		return true
	}
	return false
}
