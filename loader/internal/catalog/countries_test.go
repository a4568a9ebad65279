package catalog

import (
	"math"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// reserved lists IPv4 space that is not publicly routable (RFC 6890 and friends).
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.0.0.0/24"), netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.88.99.0/24"), netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("224.0.0.0/4"),
	netip.MustParsePrefix("240.0.0.0/4"),
}

func TestCountryTable(t *testing.T) {
	cs := Countries()
	if len(cs) < 15 {
		t.Errorf("%d countries, want the original 10 plus the split of Other", len(cs))
	}
	sum := 0.0
	codes := map[string]bool{}
	region := regexp.MustCompile(`-([a-z]{2})`)
	for _, c := range cs {
		sum += c.Weight
		if codes[c.Code] || len(c.Code) != 2 || c.Code != strings.ToUpper(c.Code) {
			t.Errorf("bad or repeated code %q", c.Code)
		}
		codes[c.Code] = true
		for _, l := range c.Languages {
			// Matomo takes the first language-region subtag as the country.
			m := region.FindStringSubmatch(l)
			if m == nil || m[1] != strings.ToLower(c.Code) {
				t.Errorf("%s: language %q maps to %v, want %s", c.Code, l, m, strings.ToLower(c.Code))
			}
		}
		for _, p := range c.Ranges {
			if p != p.Masked() || p.Bits() < 12 || p.Bits() > 16 {
				t.Errorf("%s: %v must be a canonical /12–/16 block", c.Code, p)
			}
			for _, r := range reserved {
				if p.Overlaps(r) {
					t.Errorf("%s: %v overlaps reserved %v", c.Code, p, r)
				}
			}
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("country weights sum to %v, want 1", sum)
	}
	want := map[string]float64{"US": .35, "DE": .10, "GB": .08, "CA": .06, "FR": .06, "AU": .05,
		"NL": .05, "JP": .04, "SE": .03, "BR": .03}
	for _, c := range cs {
		if w, ok := want[c.Code]; ok && w != c.Weight {
			t.Errorf("%s weight %v, want the original's %v", c.Code, c.Weight, w)
		}
	}
}

func TestRangesDoNotOverlap(t *testing.T) {
	type owned struct {
		p    netip.Prefix
		code string
	}
	var all []owned
	for _, c := range Countries() {
		for _, p := range c.Ranges {
			all = append(all, owned{p, c.Code})
		}
	}
	for i := range all {
		for j := i + 1; j < len(all); j++ {
			if all[i].p.Overlaps(all[j].p) {
				t.Errorf("%s %v overlaps %s %v", all[i].code, all[i].p, all[j].code, all[j].p)
			}
		}
	}
}

func TestRandomIPStaysInside(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, c := range Countries() {
		hit := make([]int, len(c.Ranges))
		for range 4000 {
			ip := c.RandomIP(r)
			i := slices.IndexFunc(c.Ranges, func(p netip.Prefix) bool { return p.Contains(ip) })
			if i < 0 {
				t.Fatalf("%s: %v is outside the country's blocks", c.Code, ip)
			}
			hit[i]++
			if p := c.Ranges[i]; ip == p.Addr() || ip == lastAddr(p) {
				t.Fatalf("%s: %v is the network or broadcast address of %v", c.Code, ip, p)
			}
			if !ip.Is4() || ip.IsPrivate() || ip.IsLoopback() || ip.IsMulticast() {
				t.Fatalf("%s: %v is not a public IPv4 address", c.Code, ip)
			}
		}
		for i, n := range hit {
			if n == 0 {
				t.Errorf("%s: block %v never drawn", c.Code, c.Ranges[i])
			}
		}
	}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// A /30 has exactly two host addresses; the draw must only ever give those.
func TestIPSpaceEdges(t *testing.T) {
	s := newIPSpace([]netip.Prefix{netip.MustParsePrefix("81.0.0.0/30")})
	r := rand.New(rand.NewPCG(1, 1))
	seen := map[netip.Addr]bool{}
	for range 200 {
		seen[s.random(r)] = true
	}
	want := map[netip.Addr]bool{netip.MustParseAddr("81.0.0.1"): true, netip.MustParseAddr("81.0.0.2"): true}
	if len(seen) != 2 || !seen[netip.MustParseAddr("81.0.0.1")] || !seen[netip.MustParseAddr("81.0.0.2")] {
		t.Errorf("drew %v, want exactly %v", seen, want)
	}
}

func TestCountryShares(t *testing.T) {
	c := New(urlSet(t, 20), eventSet(), nil)
	r := rand.New(rand.NewPCG(11, 12))
	const n = 200_000
	counts := map[string]int{}
	for range n {
		code, lang, ip := c.Country(r)
		counts[code]++
		if lang == "" || ip == "" {
			t.Fatal("empty language or IP")
		}
	}
	for _, ct := range Countries() {
		got := float64(counts[ct.Code]) / n
		if math.Abs(got-ct.Weight) > 0.005 {
			t.Errorf("%s share %.4f, want %.3f", ct.Code, got, ct.Weight)
		}
	}
}
