package catalog

import (
	"math/rand/v2"
	"sync"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
)

// classPool is the browsers of one device class with their draw.
type classPool struct {
	devices []Device
	pick    *Picker
}

// classPools splits the device pool by class, keeping each browser's weight within its class.
var classPools = sync.OnceValue(func() map[DeviceClass]classPool {
	by := map[DeviceClass][]Device{}
	for _, d := range Devices() {
		by[d.Class] = append(by[d.Class], d)
	}
	out := make(map[DeviceClass]classPool, len(by))
	for cl, ds := range by {
		out[cl] = classPool{devices: ds, pick: mustPicker(deviceWeights(ds))}
	}
	return out
})

// countryByCode indexes the visitor countries by ISO code.
var countryByCode = sync.OnceValue(func() map[string]*Country {
	out := make(map[string]*Country, len(countries))
	for i := range countries {
		out[countries[i].Code] = &countries[i]
	}
	return out
})

// DeviceOf draws a browser of one device class (desktop, mobile, tablet): what a scenario segment
// with its own device shares asks for. ok is false for a class the pool lacks.
func (c *Catalog) DeviceOf(r *rand.Rand, class string) (userAgent, resolution string, ok bool) {
	p, ok := classPools()[DeviceClass(class)]
	if !ok {
		return "", "", false
	}
	d := &p.devices[p.pick.Pick(r)]
	return d.UA, d.Resolution(r), true
}

// CountryOf draws a browser language and an IPv4 address of the country code (ISO 3166, upper
// case); ok is false for a country the catalogue has no address space for.
func (c *Catalog) CountryOf(r *rand.Rand, code string) (lang, ip string, ok bool) {
	ct, ok := countryByCode()[code]
	if !ok {
		return "", "", false
	}
	return ct.Language(r), ct.RandomIP(r).String(), true
}

// HasCountry reports whether CountryOf knows code.
func (c *Catalog) HasCountry(code string) bool {
	_, ok := countryByCode()[code]
	return ok
}

// CountryCodes lists the codes CountryOf knows.
func CountryCodes() []string {
	out := make([]string, 0, len(countries))
	for _, ct := range countries {
		out = append(out, ct.Code)
	}
	return out
}

// HasSection reports whether the site has a section (first path segment) of that name, which a
// scenario segment may land its visits in.
func (c *Catalog) HasSection(name string) bool {
	return c.Site.catNames.find(name) >= 0
}

var _ visit.SegmentCatalog = (*Catalog)(nil)
