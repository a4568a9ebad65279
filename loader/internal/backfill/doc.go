// Package backfill sends past days of synthetic traffic to Matomo, as fast as the target allows and
// exactly once.
//
// A backfill is a plan and its execution. The plan is fixed when a backfill starts and stored with
// its progress: the window's days in TIMEZONE, oldest first, each with an exact number of visits
// (BACKFILL_MAX_VISITS_PER_DAY, weekend-scaled with the realistic profile, pro-rated for today,
// never beyond BACKFILL_MAX_VISITS_TOTAL) and a seed. Visit i of a day is sequence number
// epochDay<<24|i of the visit model, so a day's visits depend only on the seed and that day. Visit
// i starts at quantile (i+u)/n of the day's profile, so a day is sent in time order, and every
// visit ends before the next local midnight (Matomo would split it in two) and, today, before the
// moment the plan was made. A returning visitor comes back from visit i of a day one to seven days
// earlier; that map is one-to-one, so a visitor has at most one visit per day and, with days sent
// oldest first, every visitor's visits reach Matomo in time order.
//
// Execution walks the days oldest first. A day's visits are built in parallel, cut in index order
// into bulk batches of whole visits (at most BULK_BATCH_SIZE hits, a larger visit alone) and posted
// by min(CONCURRENCY, MaxSenders) senders. BACKFILL_RPS_LIMIT caps tracking requests (hits, not
// visits) per second on each target. A day is finished on every target before the next one starts.
//
// Exactly once rests on a journal beside BACKFILL_STATE_FILE: before a batch is posted its range of
// visit indices is recorded as sent; after Matomo's reply it is recorded as done with the counts.
// A batch that was sent but whose reply never came (a lost connection, a kill -9, a crash) is
// resolved by asking the Live API for the batch's visitors on that day: a planned visit has landed
// when its visitor has a visit whose first action is at the planned second. Only the missing visits
// are sent again. Where the Live API cannot answer, the batch is sent again and its visits are
// reported as possibly duplicated. The check waits until twice HTTP_TIMEOUT after the post: a
// request cut off by a kill or a timeout may still be processed by Matomo for a while, and a check
// that comes first would miss it. A range is closed only by a reply or by the Live API, never by a
// later failure, so visits found earlier are never sent again. Completed days (and every 50,000
// records) are folded into the state file itself, which is replaced atomically.
//
// The state file also fixes the plan: a re-run with the same plan-relevant settings (tokens and
// how a backfill is sent do not count) resumes it, or says it is complete and sends nothing; an
// unfinished backfill of other settings is refused.
package backfill
