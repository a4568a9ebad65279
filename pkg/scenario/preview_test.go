package scenario

import (
	"math"
	"testing"
	"time"

	"github.com/trafficinator/trafficinator/pkg/config"
)

func TestPreviewOfAShopDay(t *testing.T) {
	sc, ps := Parse(readShop(t), "shop.yaml")
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	cfg := config.Default()
	cfg.VisitsPerDay, cfg.Timezone = 24000, "Europe/Stockholm"
	cfg.WeeklyRhythm, cfg.WeeklyWeights = config.WeeklyOn, []float64{1, 1.25, 1, 1, 1, 0.5, 0.5}
	cfg.TrafficSpikes = "tue@09:00 x3 30m"
	segs, ps := sc.Compile(cfg, "shop.yaml")
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	p := NewPreview(cfg, segs, time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), 1) // a Tuesday
	// 24000 × 1.25 on a flat day, plus the spike: 2 × 30 minutes of 1250 visits an hour.
	if p.Weekday != "Tuesday" || p.DayFactor != 1.25 || p.Visits != 30000+1250 {
		t.Fatalf("%s factor %g: %g visits", p.Weekday, p.DayFactor, p.Visits)
	}
	sum := 0.0
	for _, h := range p.Hours {
		sum += h.Visits
	}
	if len(p.Hours) != 24 || math.Abs(sum-p.Visits) > 0.1 || p.Hours[9].Visits != 2500 || p.Hours[10].Visits != 1250 {
		t.Errorf("hours %v (sum %g)", p.Hours, sum)
	}
	if len(p.Spikes) != 1 || p.Spikes[0].From != "09:00" || p.Spikes[0].To != "09:30" || p.Spikes[0].Factor != 3 {
		t.Errorf("spikes %v", p.Spikes)
	}
	if len(p.Segments) != 4 || p.Segments[0].Visits != 0.45*p.Visits || p.Segments[3].Orders != 0.25 {
		t.Errorf("segments %+v", p.Segments)
	}
	for _, d := range p.Total.Devices {
		if d.Name == DeviceMobile && math.Abs(d.Share-0.5525) > 1e-9 {
			t.Errorf("mobile share %g, want 0.5525", d.Share)
		}
	}
	for _, r := range p.Total.Referrers {
		if r.Name == ReferrerDirect && math.Abs(r.Share-0.28) > 1e-9 {
			t.Errorf("direct share %g, want 0.28", r.Share)
		}
	}
	// Saturday of the same week, in backfill with the realistic profile: the weekend factor.
	cfg.BackfillEnabled, cfg.BackfillPerDay, cfg.BackfillProfile = true, 1000, config.ProfileRealistic
	p = NewPreview(cfg, nil, time.Date(2026, 12, 12, 12, 0, 0, 0, time.UTC), 1)
	if p.Mode != "backfill" || p.Visits != 500 || len(p.Segments) != 1 || p.Hours[4].Visits >= p.Hours[12].Visits {
		t.Errorf("backfill Saturday: %s %g visits, hours %v", p.Mode, p.Visits, p.Hours)
	}
}
