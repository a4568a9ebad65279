// Package matomo is Trafficinator's client for Matomo: it turns typed tracking hits into
// Tracking API requests, sends them singly (GET or POST) or in bulk, and reads Matomo's replies
// with their real semantics (tracked, invalid, dropped, queued), and it calls the few Reporting
// API methods a load generator and its benchmarks need (version, site, site creation, archive
// invalidation, visit look-ups, a site's goals and custom dimensions, and any other read through
// CallAPI).
//
// The rules it follows come from Matomo 5's observed behaviour:
//
//   - Every hit carries rec=1 and apiv=1; the visitor is pinned with a 16-hex cid.
//   - token_auth only ever travels in a POST body (form field or bulk JSON), never in a URL,
//     a log line or an error text. A GET hit therefore carries no token: hits that need one
//     (cip, cdt older than 24 h) must use POST or bulk; configuration validation warns about it.
//   - Single hits add send_image=0, so a success is 204 with no body (200 + GIF is accepted too).
//     Any other success came from a page that is not the tracker: ErrNotTracker, not tracked.
//   - Redirects are never followed (a POST would come back as a bodiless GET, or go to another
//     host): a 3xx is a RedirectError that says where it points.
//   - Retries use capped exponential backoff with full jitter on 5xx, 408, 429 (Retry-After is
//     honoured), timeouts and connection errors, and never on 400. What Matomo accepted is never
//     re-sent. A request that was fully written but got no reply is "uncertain": single hits are
//     retried (a rare duplicate page view is harmless), bulk batches only when
//     Options.RetryUncertain is set; otherwise the caller gets ErrUncertain and can check the
//     Live API before deciding, which is what exactly-once backfill needs.
//   - A bulk 5xx is rolled back by Matomo (bulk_requests_use_transaction=1), so the whole batch is
//     re-sent. A bulk reply that is a GIF or 204 means QueuedTracking took it without validation.
package matomo
