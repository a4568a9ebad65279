package catalog

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/trafficinator/trafficinator/pkg/scenario"
)

// TestDefaultDeviceSharesMatch: the control's preview uses the pool's class shares.
func TestDefaultDeviceSharesMatch(t *testing.T) {
	for _, s := range scenario.DefaultDeviceShares {
		if ClassShares[DeviceClass(s.Name)] != s.Share {
			t.Errorf("%s: scenario says %g, the pool %g", s.Name, s.Share, ClassShares[DeviceClass(s.Name)])
		}
	}
	if len(scenario.DefaultDeviceShares) != len(ClassShares) {
		t.Errorf("classes differ: %v vs %v", scenario.DefaultDeviceShares, ClassShares)
	}
}

// TestSegmentDraws: DeviceOf stays in its class, CountryOf in its country, HasSection knows the site.
func TestSegmentDraws(t *testing.T) {
	c, ps := Load(LoadOptions{})
	if ps.Err() != nil {
		t.Fatal(ps)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		ua, res, ok := c.DeviceOf(r, "tablet")
		tablet := strings.Contains(ua, "iPad") || strings.Contains(ua, "Android")
		phone := strings.Contains(ua, "Mobile Safari") && !strings.Contains(ua, "iPad")
		if !ok || !tablet || phone || res == "" {
			t.Fatalf("tablet draw %q %q", ua, res)
		}
		lang, ip, ok := c.CountryOf(r, "SE")
		if !ok || !strings.Contains(lang, "sv") && !strings.Contains(lang, "en") || ip == "" {
			t.Fatalf("SE draw %q %q", lang, ip)
		}
	}
	if _, _, ok := c.DeviceOf(r, "watch"); ok {
		t.Error("a watch was drawn")
	}
	if _, _, ok := c.CountryOf(r, "ZZ"); ok || c.HasCountry("ZZ") || !c.HasCountry("SE") {
		t.Error("ZZ is not a country of the catalogue")
	}
	if !c.HasSection("products") || c.HasSection("nowhere") {
		t.Error("HasSection is wrong")
	}
}
