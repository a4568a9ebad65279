// Package matomotest is a Matomo-compatible test server: it is to Matomo what net/http/httptest
// is to net/http.
//
// It speaks the Tracking HTTP API (single GET/POST and bulk JSON on /matomo.php and /piwik.php)
// with Matomo 5's validation, status codes and bulk replies, groups accepted hits into visits the
// way Matomo does for a forced visitor id (cid), and answers the few Reporting API methods the
// project uses (version, site, invalidation, Live visits, goals, configured custom dimensions).
// Tests read back what happened through Summary, Requests and APICalls instead of parsing logs.
//
// Summary's Reports count what fills Matomo's other report families the way Matomo 5 stores it:
// campaigns by name (from the landing url's mtm_*/pk_*/utm_* parameters), goal conversions by id,
// content impressions and interactions, page-performance timings, distinct user ids, custom
// dimension values by id, bounces, the VisitorInterest visit-length and days-since-last-visit
// buckets, and returning visits (visitor_returning, decided from the server's own memory of the
// visitor, as Matomo 5 does: it does not read _idvc, _idts or _viewts).
//
// The rules follow reference/matomo-and-peers.md §A; where the notes and the behaviour observed
// against a real Matomo 5 differ, the observed behaviour is implemented. Every rejection is
// tagged with a reason key (the Reason* constants) so a test can tell why a hit was refused,
// which the real server never says on the wire.
//
// Faults (Options.Faults, SetFaults) make the tracking endpoints misbehave on purpose, seeded and
// reproducible: errors, 429 and 503 replies, lost replies, and what a real Matomo does under
// concurrent bulk load: deadlocks that lose the head of a bulk and record its tail before
// answering 500, requests processed after their client gave up, and heavy-tailed latency.
// Summary counts what such faults leave behind: RolledBack hits, DuplicateHits from retries, and
// ConcurrentVisitors whose hits were in two bulks at once.
//
// The server is also the target of the project's end-to-end tests and benchmarks (through the
// matomo-sink program), so it is built to be fast and memory-bounded: hits are parsed without
// url.Values, visitors are sharded by id behind separate locks, and only the last RecordLimit raw
// requests are kept.
package matomotest
