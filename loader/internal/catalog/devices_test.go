package catalog

import (
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/matomo/matomotest"
)

func TestDevicePool(t *testing.T) {
	ds := Devices()
	if len(ds) < 35 || len(ds) > 45 {
		t.Errorf("%d user agents, want about 40", len(ds))
	}
	shares := map[DeviceClass]float64{}
	seen := map[string]bool{}
	res := regexp.MustCompile(`^(\d+)x(\d+)$`)
	for _, d := range ds {
		shares[d.Class] += d.Weight
		if seen[d.UA] {
			t.Errorf("duplicate UA %q", d.UA)
		}
		seen[d.UA] = true
		if got := classOfUA(d.UA); got != d.Class {
			t.Errorf("%q is listed as %s but reads as %s", d.UA, d.Class, got)
		}
		for _, r := range d.Resolutions {
			m := res.FindStringSubmatch(r)
			if m == nil {
				t.Errorf("resolution %q of %q is not WxH", r, d.UA)
				continue
			}
			w, _ := strconv.Atoi(m[1])
			h, _ := strconv.Atoi(m[2])
			if d.Class == Mobile && w >= h || d.Class == Desktop && w <= h {
				t.Errorf("resolution %s does not fit a %s (%q)", r, d.Class, d.UA)
			}
		}
	}
	for class, want := range ClassShares {
		if math.Abs(shares[class]-want) > 1e-9 {
			t.Errorf("%s weights sum to %v, want %v", class, shares[class], want)
		}
	}
}

// classOfUA is the rule device detectors apply: iPad and Android without "Mobile" are
// tablets; iPhone and Android with "Mobile" are phones.
func classOfUA(ua string) DeviceClass {
	switch {
	case strings.Contains(ua, "iPad"):
		return Tablet
	case strings.Contains(ua, "iPhone"):
		return Mobile
	case strings.Contains(ua, "Android"):
		if strings.Contains(ua, "Mobile") {
			return Mobile
		}
		return Tablet
	}
	return Desktop
}

func TestDeviceShares(t *testing.T) {
	c := New(urlSet(t, 20), eventSet(), nil)
	r := rand.New(rand.NewPCG(7, 7))
	const n = 100_000
	counts := map[DeviceClass]int{}
	for range n {
		ua, res := c.Device(r)
		counts[classOfUA(ua)]++
		if res == "" {
			t.Fatal("empty resolution")
		}
	}
	for class, want := range ClassShares {
		if got := float64(counts[class]) / n; math.Abs(got-want) > 0.01 {
			t.Errorf("%s share %.3f, want %.2f", class, got, want)
		}
	}
}

// No browser of the catalogue looks like a crawler to the test server, which excludes bots as
// Matomo does: a human visit must never be dropped as a bot's.
func TestDevicesAreNotBots(t *testing.T) {
	for _, d := range Devices() {
		if matomotest.IsBot(d.UA) {
			t.Errorf("user agent %q is taken for a bot", d.UA)
		}
	}
}
