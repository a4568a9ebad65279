// Package backfill sends past days of synthetic traffic to Matomo, at Matomo's own speed and
// exactly once.
//
// A backfill is a plan and its execution. The plan is fixed when a backfill starts and stored with
// its progress: the window's days in TIMEZONE, oldest first, each with an exact number of visits
// (BACKFILL_MAX_VISITS_PER_DAY, weekend-scaled with the realistic profile, pro-rated for today,
// never beyond BACKFILL_MAX_VISITS_TOTAL) and a seed. Visit i of a day is sequence number
// epochDay<<24|i of the visit model, so a day's visits depend only on the seed and that day. Visit
// i starts at quantile (i+u)/n of the day's profile, and every visit ends before the next local
// midnight (Matomo would split it in two) and, today, before the moment the plan was made. A
// returning visitor comes back from visit i of a day one to seven days earlier; that map is
// one-to-one, so a visitor has at most one visit per day.
//
// Execution is a pipeline. A producer builds the days' visits in parallel, oldest day first, and
// hands each visit to its visitor's lane: per target, a fixed number of lanes, each posting one
// bulk of whole visits (at most BULK_BATCH_SIZE hits) at a time. A visitor always maps to the same
// lane, so its hits are never in two bulks Matomo processes at once (the cause of its database
// deadlocks) and its visits reach Matomo in time order, while days overlap. How many lanes of a
// target post at once is an adapt.Limiter's call: it follows Matomo's latency per hit, up to
// BACKFILL_CONCURRENCY. BACKFILL_RPS_LIMIT caps tracking requests (hits) per second on each target.
// A day is finished when every bulk of it has settled on every target.
//
// Exactly once rests on a journal beside BACKFILL_STATE_FILE: before a bulk is posted its visit
// indices are recorded as sent; after Matomo's reply they are recorded as done with the counts. A
// bulk answered 5xx (Matomo may have recorded its tail after losing its head to a deadlock) or not
// answered (Matomo may still process it) is uncertain: it is settled hit by hit with the Live API,
// and only what Matomo lacks is sent again — whole visits, or the missing hits of a visit, in
// order, with their original cdt. A 500 is settled at once; a bulk without reply only
// BACKFILL_SETTLE_AFTER after the loader gave up on it, and one left by a killed loader
// BACKFILL_BULK_TIMEOUT + BACKFILL_SETTLE_AFTER after it was posted, so that a late copy has
// committed before "missing" is concluded. Where the Live API cannot answer, BACKFILL_UNSETTLED
// decides between sending again (maybe duplicated) and not (maybe missing), counted per day. A
// batch is closed only by a reply or by the Live API, never by a later failure. Completed days
// (and every 50,000 records) are folded into the state file itself, which is replaced atomically.
//
// The state file also fixes the plan: a re-run with the same plan-relevant settings (tokens and
// how a backfill is sent do not count) resumes it, or says it is complete and sends nothing; an
// unfinished backfill of other settings is refused.
package backfill
