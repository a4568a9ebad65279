package backfill

import (
	"fmt"
	"math"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/dayplan"
	"github.com/trafficinator/trafficinator/pkg/shape"
)

// Skip reasons of a planned day without visits (report.Day.Skipped).
const (
	SkipTotalCap = dayplan.SkipTotalCap // BACKFILL_MAX_VISITS_TOTAL was used up by earlier days
	SkipNoVisits = dayplan.SkipNoVisits // the day's target is zero (per-day target or weekend factor 0)
	SkipDone     = dayplan.SkipDone     // finished by an earlier run
)

// indexBits is how many low bits of a visit's sequence number hold its index within the day; the
// day (days since 1970-01-01) sits above them. 2^24 exceeds the largest per-day target.
const indexBits = dayplan.IndexBits

// maxPerDay is the most visits one day can hold in the sequence-number layout.
const maxPerDay = dayplan.MaxPerDay

// returnDays is how far back a returning visitor's earlier visit may lie.
const returnDays = 7

// plannedDay is one day of a plan: its date, its visits and why it has none.
type plannedDay = dayplan.Day

// dayCurve spreads a local calendar day's visits over its real hours (DST days included): the
// curve the plan's day totals come from.
type dayCurve = dayplan.Curve

// plan is what a backfill sends: fixed when it starts, stored in the state, reused on resume.
type plan struct {
	Days   []plannedDay `json:"days"`
	Seed   int64        `json:"seed"`
	Cutoff time.Time    `json:"cutoff"` // visits of the last day end before this (now, for today)

	loc     *time.Location
	weights [24]float64
	shape   shape.Shape     // weekly rhythm and spikes: the curve carries the spikes
	epochs  map[int64]int64 // epoch day → planned visits, for returning visitors
}

// newPlan fixes the plan of cfg's window as of now. The days and their visits are dayplan's, the
// arithmetic the control's estimate uses too.
func newPlan(cfg *config.Config, now time.Time, seed int64) (*plan, error) {
	dp, err := dayplan.NewSeeded(cfg, now, seed)
	if err != nil {
		return nil, fmt.Errorf("backfill window: %w", err)
	}
	p := &plan{Days: dp.Days, Seed: seed, Cutoff: dp.Cutoff}
	p.init(dp.Location, cfg)
	return p, nil
}

// init sets what a stored plan does not hold: the time zone, the hour weights and the shape (its
// random spikes drawn from the plan's seed, so a resumed plan places visits as the first run did).
func (p *plan) init(loc *time.Location, cfg *config.Config) {
	p.loc = loc
	p.weights = dayplan.HourWeights(cfg.BackfillProfile)
	p.shape = dayplan.Shape(cfg, p.Seed, loc)
	p.index()
}

func (p *plan) index() {
	p.epochs = make(map[int64]int64, len(p.Days))
	for _, d := range p.Days {
		if e, err := epochOf(d.Date); err == nil {
			p.epochs[e] = d.Visits
		}
	}
}

// total is the number of visits in the plan.
func (p *plan) total() int64 {
	var n int64
	for _, d := range p.Days {
		n += d.Visits
	}
	return n
}

// bounds returns local midnight of date and the next local midnight.
func (p *plan) bounds(date string) (start, end time.Time) { return dayplan.Bounds(date, p.loc) }

// limit is the instant the day's visits must end before: the next midnight, or the cutoff today.
func (p *plan) limit(date string) time.Time {
	_, end := p.bounds(date)
	if p.Cutoff.Before(end) {
		return p.Cutoff
	}
	return end
}

// curve is the day's profile curve.
func (p *plan) curve(date string) *dayCurve {
	start, end := p.bounds(date)
	return dayplan.NewShapedCurve(start, end, p.loc, &p.weights, p.shape)
}

// returns is the visit model's ReturnRange: visit i of day D may be made by the visitor of visit i
// of day D−k, k = 1 + i mod 7, when that visit is planned. The map is one-to-one (a visit is the
// earlier visit of at most one later visit), so two visits of one day never share a visitor.
func (p *plan) returns(seq uint64) (lo, hi uint64) {
	i := seq & maxPerDay
	day := int64(seq >> indexBits)
	prev := day - 1 - int64(i%returnDays)
	if n, ok := p.epochs[prev]; ok && int64(i) < n {
		s := seqOf(prev, int64(i))
		return s, s + 1
	}
	return 0, 0
}

// pastDays is how many days before the window the earlier visits of visitors who came before it
// spread over.
const pastDays = 14

// past is the visit model's PastRange: the earlier visit of a visitor of day D who came before the
// window lies before the window's first day (so that no day of the plan gets a visit it did not
// plan), within pastDays of it. An hour of margin covers a DST day's 25 hours.
func (p *plan) past(seq uint64) (lo, hi time.Duration) {
	first := int64(math.MaxInt64)
	for e := range p.epochs {
		first = min(first, e)
	}
	day := int64(seq >> indexBits)
	lo = time.Duration(max(day-first+1, 1))*24*time.Hour + time.Hour
	return lo, lo + pastDays*24*time.Hour
}

// seqOf is the visit model's sequence number of visit i of a day.
func seqOf(epoch, i int64) uint64 { return uint64(epoch)<<indexBits | uint64(i) }

// epochOf returns the number of days from 1970-01-01 to date (YYYY-MM-DD), as a calendar count.
func epochOf(date string) (int64, error) {
	d, err := time.Parse(config.DateLayout, date)
	if err != nil {
		return 0, fmt.Errorf("date %q: %w", date, err)
	}
	return int64(math.Floor(float64(d.Unix()) / 86400)), nil
}

// quantile is visit i's position in its day, in [0,1): stratified, so a day's visits are spread
// evenly over its profile and visit order is time order, with a per-visit jitter.
func quantile(seed int64, seq uint64, i, n int64) float64 {
	j := float64(mix(uint64(seed)^mix(seq^0x6a09e667f3bcc909))>>11) / (1 << 53)
	return (float64(i) + j) / float64(n)
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
