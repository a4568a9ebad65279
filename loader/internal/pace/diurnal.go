package pace

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/trafficinator/trafficinator/pkg/dayplan"
)

// ErrInvalid is wrapped by every error a pacer's Validate returns.
var ErrInvalid = errors.New("pace: invalid pacer")

// DefaultCurve returns the hour-of-day weights Diurnal uses when its Curve is left zero:
// dayplan.DiurnalWeights, the day shape backfill's realistic profile follows too. Only the ratios
// matter, because Diurnal scales every local day so that it totals PerDay.
func DefaultCurve() [24]float64 { return dayplan.DiurnalWeights() }

// Diurnal follows a day-shaped curve: within each local hour the rate is constant and
// proportional to that hour's weight, and every whole local calendar day in Location carries
// exactly PerDay visits. DST days are normalised on their real length, so the 23-hour spring
// day and the 25-hour autumn day still total PerDay (the repeated hour is weighted twice, the
// skipped one not at all). Because the rate is piecewise constant, the cumulative count N(t) is
// piecewise linear and Pace can invert it exactly instead of solving numerically.
//
// A run may start at any moment of a day: the first (partial) day gets the share of PerDay its
// remaining hours carry. A day on which every existing hour weighs zero (only possible with a
// curve whose sole weight sits on an hour that DST skips) is spread evenly instead.
//
// Diurnal is a value with no state; Pace and Rate compute one or two day tables per call (a few
// microseconds), which is negligible at any rate a curve is used for.
type Diurnal struct {
	// PerDay is the number of visits in each whole local day. Zero means no visits.
	PerDay float64
	// Start is the wall-clock instant of elapsed = 0: the moment the scheduler starts.
	Start time.Time
	// Location defines local hours and days; nil means UTC.
	Location *time.Location
	// Curve holds relative weights for local hours 00–23; the zero value means DefaultCurve.
	Curve [24]float64
}

var _ Pacer = Diurnal{}

// maxDays bounds how many days ahead Diurnal schedules, in line with maxDue.
const maxDays = 200 * 365

// Validate reports every reason the pacer cannot produce a schedule, joined, each wrapping
// ErrInvalid. Pace on an invalid Diurnal reports stop.
func (d Diurnal) Validate() error {
	var errs []error
	if math.IsNaN(d.PerDay) || math.IsInf(d.PerDay, 0) || d.PerDay < 0 {
		errs = append(errs, fmt.Errorf("%w: diurnal PerDay must be a finite number ≥ 0, got %g", ErrInvalid, d.PerDay))
	}
	if d.Start.IsZero() {
		errs = append(errs, fmt.Errorf("%w: diurnal Start must be set", ErrInvalid))
	}
	for h, w := range d.Curve {
		if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			errs = append(errs, fmt.Errorf("%w: diurnal Curve[%d] must be a finite weight ≥ 0, got %g", ErrInvalid, h, w))
		}
	}
	return errors.Join(errs...)
}

// String describes the pacer for logs.
func (d Diurnal) String() string {
	return fmt.Sprintf("Diurnal{%g visits/day in %s}", d.PerDay, d.location())
}

// Pace returns the wait until visit started+1 (1-based) is due: the instant T at which the
// cumulative count N(T), measured from Start, reaches started+1.
func (d Diurnal) Pace(elapsed time.Duration, started uint64) (time.Duration, bool) {
	if !d.usable() || d.PerDay == 0 {
		return 0, true
	}
	curve, loc := d.curve(), d.location()
	first := dayContaining(d.Start, loc, &curve)
	// Count in visits from the beginning of the first local day, so that whole days are whole
	// multiples of PerDay; the integer part then picks the day and the rest the moment in it.
	q := first.fraction(d.Start)*d.PerDay + float64(started+1)
	days := math.Floor(q / d.PerDay)
	f := (q - days*d.PerDay) / d.PerDay
	if f >= 1 {
		days, f = days+1, 0
	} else if f < 0 {
		f = 0
	}
	if days > maxDays {
		return 0, true
	}
	day := newLocalDay(first.date.addDays(int(days)), loc, &curve)
	due := day.start.Add(day.offsetAt(f)).Sub(d.Start)
	if due < 0 { // rounding at the very first instant; the visit is due at Start
		due = 0
	}
	return waitUntil(due, elapsed), false
}

// Rate returns the intended rate at elapsed: PerDay times the current hour's share of its
// local day, per second.
func (d Diurnal) Rate(elapsed time.Duration) float64 {
	if !d.usable() || d.PerDay == 0 {
		return 0
	}
	curve, loc := d.curve(), d.location()
	at := d.Start.Add(elapsed)
	day := dayContaining(at, loc, &curve)
	return d.PerDay * day.segmentAt(at.Sub(day.start)).weight / day.total
}

// usable is Validate without building errors, for the hot path.
func (d Diurnal) usable() bool {
	if !(d.PerDay >= 0) || math.IsInf(d.PerDay, 0) || d.Start.IsZero() {
		return false
	}
	for _, w := range d.Curve {
		if !(w >= 0) || math.IsInf(w, 0) {
			return false
		}
	}
	return true
}

func (d Diurnal) curve() [24]float64 {
	if d.Curve == ([24]float64{}) {
		return DefaultCurve()
	}
	return d.Curve
}

func (d Diurnal) location() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}
