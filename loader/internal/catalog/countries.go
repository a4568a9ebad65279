package catalog

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/netip"
)

// Country is a visitor origin: its ISO 3166-1 alpha-2 code, its share of visits, the
// Accept-Language values its browsers send, and IPv4 blocks the regional Internet
// registries allocated to it.
//
// Each Languages value names the country's region first ("sv-se,sv;q=0.9"), because
// Matomo, without a GeoIP database, takes the first language-region subtag as the
// visitor's country. Ranges are well-known access-ISP blocks of moderate size (/12–/16),
// checked against the registries' delegation data; none overlaps another, so a GeoIP
// database places each generated address in its own country.
type Country struct {
	Code      string
	Name      string
	Weight    float64
	Languages []string
	Ranges    []netip.Prefix

	space ipSpace
}

// Language draws one of the country's Accept-Language values.
func (c *Country) Language(r *rand.Rand) string {
	return c.Languages[r.IntN(len(c.Languages))]
}

// RandomIP draws a host address from the country's blocks, uniform over all their
// addresses and never a block's network or broadcast address.
func (c *Country) RandomIP(r *rand.Rand) netip.Addr { return c.space.random(r) }

// ipSpace is the usable host addresses of a set of IPv4 blocks, for uniform draws.
type ipSpace struct {
	first []uint32 // first host address of each block
	cum   []uint64 // cumulative host counts
}

func newIPSpace(ranges []netip.Prefix) ipSpace {
	var s ipSpace
	var total uint64
	for _, p := range ranges {
		p = p.Masked()
		if !p.Addr().Is4() || p.Bits() > 30 {
			panic(fmt.Sprintf("catalog: %v is not an IPv4 block with host addresses", p))
		}
		a4 := p.Addr().As4()
		s.first = append(s.first, binary.BigEndian.Uint32(a4[:])+1)
		total += uint64(1)<<(32-p.Bits()) - 2
		s.cum = append(s.cum, total)
	}
	return s
}

func (s ipSpace) random(r *rand.Rand) netip.Addr {
	n := r.Uint64N(s.cum[len(s.cum)-1])
	i, before := 0, uint64(0)
	for n >= s.cum[i] {
		before = s.cum[i]
		i++
	}
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], s.first[i]+uint32(n-before))
	return netip.AddrFrom4(a)
}

func prefixes(cidrs ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		out[i] = netip.MustParsePrefix(c)
	}
	return out
}

// countryTable follows the original's shares (US .35, DE .10, UK .08, CA .06, FR .06,
// AU .05, NL .05, JP .04, SE .03, BR .03) and splits its "Other .15" over real countries.
var countryTable = []Country{
	{Code: "US", Name: "United States", Weight: 0.35,
		Languages: []string{"en-us,en;q=0.9", "en-us", "es-us,es;q=0.9,en-us;q=0.8,en;q=0.7"},
		Ranges:    prefixes("73.0.0.0/12", "96.64.0.0/12", "97.0.0.0/12", "98.192.0.0/12", "99.0.0.0/12")},
	{Code: "DE", Name: "Germany", Weight: 0.10,
		Languages: []string{"de-de,de;q=0.9,en-us;q=0.8,en;q=0.7", "de-de,de;q=0.9"},
		Ranges:    prefixes("79.192.0.0/12", "84.128.0.0/12", "87.128.0.0/12", "91.0.0.0/12", "93.192.0.0/12", "95.88.0.0/14")},
	{Code: "GB", Name: "United Kingdom", Weight: 0.08,
		Languages: []string{"en-gb,en;q=0.9", "en-gb,en-us;q=0.9,en;q=0.8"},
		Ranges:    prefixes("86.0.0.0/13", "86.128.0.0/12", "90.192.0.0/12", "92.0.0.0/13")},
	{Code: "CA", Name: "Canada", Weight: 0.06,
		Languages: []string{"en-ca,en;q=0.9", "fr-ca,fr;q=0.9,en-ca;q=0.8,en;q=0.7"},
		Ranges:    prefixes("24.64.0.0/13", "70.24.0.0/13", "74.56.0.0/14", "76.64.0.0/13", "99.224.0.0/12")},
	{Code: "FR", Name: "France", Weight: 0.06,
		Languages: []string{"fr-fr,fr;q=0.9,en-us;q=0.8,en;q=0.7", "fr-fr,fr;q=0.9"},
		Ranges:    prefixes("90.0.0.0/12", "92.128.0.0/12", "93.0.0.0/12", "109.0.0.0/12", "176.128.0.0/12")},
	{Code: "AU", Name: "Australia", Weight: 0.05,
		Languages: []string{"en-au,en;q=0.9", "en-au,en-gb;q=0.9,en;q=0.8"},
		Ranges:    prefixes("1.128.0.0/12", "49.176.0.0/12", "58.160.0.0/12", "60.224.0.0/13", "101.160.0.0/12")},
	{Code: "NL", Name: "Netherlands", Weight: 0.05,
		Languages: []string{"nl-nl,nl;q=0.9,en-us;q=0.8,en;q=0.7", "nl-nl,nl;q=0.9"},
		Ranges:    prefixes("77.160.0.0/12", "83.80.0.0/13", "84.80.0.0/13", "86.80.0.0/12", "87.208.0.0/13")},
	{Code: "JP", Name: "Japan", Weight: 0.04,
		Languages: []string{"ja-jp,ja;q=0.9", "ja-jp,ja;q=0.9,en-us;q=0.8,en;q=0.7"},
		Ranges:    prefixes("61.192.0.0/12", "106.128.0.0/12", "114.160.0.0/12", "118.0.0.0/12", "126.0.0.0/12")},
	{Code: "SE", Name: "Sweden", Weight: 0.03,
		Languages: []string{"sv-se,sv;q=0.9,en-us;q=0.8,en;q=0.7", "sv-se,sv;q=0.9"},
		Ranges:    prefixes("78.64.0.0/12", "81.224.0.0/12", "90.224.0.0/12", "95.192.0.0/12")},
	{Code: "BR", Name: "Brazil", Weight: 0.03,
		Languages: []string{"pt-br,pt;q=0.9,en-us;q=0.8,en;q=0.7", "pt-br,pt;q=0.9"},
		Ranges:    prefixes("177.96.0.0/12", "179.192.0.0/12", "186.224.0.0/13", "187.16.0.0/12", "189.16.0.0/13")},
	{Code: "ES", Name: "Spain", Weight: 0.025,
		Languages: []string{"es-es,es;q=0.9", "es-es,es;q=0.9,en;q=0.8", "ca-es,ca;q=0.9,es;q=0.8"},
		Ranges:    prefixes("87.216.0.0/13", "88.0.0.0/12", "90.160.0.0/12", "95.16.0.0/13", "176.80.0.0/13")},
	{Code: "IT", Name: "Italy", Weight: 0.025,
		Languages: []string{"it-it,it;q=0.9,en-us;q=0.8,en;q=0.7", "it-it,it;q=0.9"},
		Ranges:    prefixes("93.32.0.0/12", "94.80.0.0/12", "95.224.0.0/12", "109.112.0.0/13", "151.16.0.0/12")},
	{Code: "IN", Name: "India", Weight: 0.025,
		Languages: []string{"en-in,en;q=0.9,hi;q=0.8", "hi-in,hi;q=0.9,en-in;q=0.8,en;q=0.7"},
		Ranges:    prefixes("27.56.0.0/13", "42.104.0.0/13", "49.32.0.0/12", "59.88.0.0/13", "101.208.0.0/12")},
	{Code: "PL", Name: "Poland", Weight: 0.015,
		Languages: []string{"pl-pl,pl;q=0.9,en-us;q=0.8,en;q=0.7", "pl-pl,pl;q=0.9"},
		Ranges:    prefixes("83.0.0.0/13", "95.40.0.0/15", "95.48.0.0/14", "178.36.0.0/15", "178.180.0.0/14")},
	{Code: "MX", Name: "Mexico", Weight: 0.015,
		Languages: []string{"es-mx,es;q=0.9,en;q=0.8", "es-mx,es-419;q=0.9,es;q=0.8"},
		Ranges:    prefixes("187.192.0.0/12", "189.128.0.0/12", "189.224.0.0/12", "201.96.0.0/12")},
	{Code: "KR", Name: "South Korea", Weight: 0.015,
		Languages: []string{"ko-kr,ko;q=0.9,en-us;q=0.8,en;q=0.7", "ko-kr,ko;q=0.9"},
		Ranges:    prefixes("1.224.0.0/12", "112.160.0.0/12", "121.128.0.0/12", "175.192.0.0/12", "211.192.0.0/12")},
	{Code: "NO", Name: "Norway", Weight: 0.008,
		Languages: []string{"nb-no,no;q=0.9,nn;q=0.8,en-us;q=0.7,en;q=0.6", "nb-no,nb;q=0.9,en;q=0.8"},
		Ranges:    prefixes("92.220.0.0/15", "95.34.0.0/16", "109.179.0.0/16", "178.232.0.0/16", "193.212.0.0/14")},
	{Code: "DK", Name: "Denmark", Weight: 0.008,
		Languages: []string{"da-dk,da;q=0.9,en-us;q=0.8,en;q=0.7", "da-dk,da;q=0.9"},
		Ranges:    prefixes("93.160.0.0/13", "94.144.0.0/13", "176.20.0.0/14", "188.176.0.0/13")},
	{Code: "FI", Name: "Finland", Weight: 0.007,
		Languages: []string{"fi-fi,fi;q=0.9,en-us;q=0.8,en;q=0.7", "sv-fi,sv;q=0.9,fi;q=0.8"},
		Ranges:    prefixes("91.152.0.0/13", "109.240.0.0/16", "176.72.0.0/16", "178.55.0.0/16", "188.238.0.0/16")},
	{Code: "CH", Name: "Switzerland", Weight: 0.007,
		Languages: []string{"de-ch,de;q=0.9,en;q=0.8", "fr-ch,fr;q=0.9,en;q=0.8", "it-ch,it;q=0.9"},
		Ranges:    prefixes("92.104.0.0/14", "178.82.0.0/15", "178.192.0.0/13", "188.60.0.0/14", "188.154.0.0/15")},
}

// countries is countryTable with the address spaces prepared.
var countries = func() []Country {
	out := make([]Country, len(countryTable))
	for i, c := range countryTable {
		c.space = newIPSpace(c.Ranges)
		out[i] = c
	}
	return out
}()

// Countries returns the visitor countries with their weights (summing to 1). The result
// is a fresh slice; its Languages and Ranges must not be modified.
func Countries() []Country {
	return append([]Country(nil), countries...)
}

func countryWeights(cs []Country) []float64 {
	w := make([]float64, len(cs))
	for i, c := range cs {
		w[i] = c.Weight
	}
	return w
}
