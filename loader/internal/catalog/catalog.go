package catalog

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/trafficinator/trafficinator/loader/internal/visit"
	"github.com/trafficinator/trafficinator/pkg/config"
	"github.com/trafficinator/trafficinator/pkg/content"
)

// Size limits of user files; far above any real list, low enough that a wrong path (a
// disk image, a log) fails fast instead of filling memory.
const (
	maxURLFileBytes  = 256 << 20
	maxJSONFileBytes = 32 << 20
)

// LoadOptions names the user's content files; an empty path means the built-in default
// (the embedded URL list, events and campaigns; no funnels, no custom dimensions).
type LoadOptions struct {
	URLsFile       string
	EventsFile     string
	FunnelsFile    string
	CampaignsFile  string
	DimensionsFile string
}

// Options are the content files a configuration names.
func Options(cfg config.Config) LoadOptions {
	return LoadOptions{URLsFile: cfg.URLsFile, EventsFile: cfg.EventsFile, FunnelsFile: cfg.FunnelsFile,
		CampaignsFile: cfg.CampaignsFile, DimensionsFile: cfg.DimensionsFile}
}

// Catalog is everything a visit draws from: the user's (or default) content and the
// embedded realism data, with ready-made weighted draws. It is read-only after Load and
// safe for concurrent use; every draw takes the caller's generator.
type Catalog struct {
	// URLs is the page list; Site navigates it.
	URLs content.URLSet
	Site *Site
	// Events are the event pools; the probabilities, when set, override the run config.
	Events content.EventSet
	// Funnels are all funnels of the funnels file, sorted by priority, disabled ones
	// included (see content.EnabledFunnels).
	Funnels []content.Funnel
	// CampaignSet is the campaign catalogue (CAMPAIGNS_FILE, or the built-in one); Campaign
	// draws from it by weight.
	CampaignSet content.CampaignSet
	// DimensionSet are the custom dimensions to send (CUSTOM_DIMENSIONS_FILE); empty when none.
	DimensionSet content.DimensionSet

	devices   []Device
	countries []Country
	devPick   *Picker
	ctryPick  *Picker
	refs      referrers
	products  []Product
	campPick  *Picker
}

// Load builds the catalog from the user's files, falling back to the embedded defaults
// for files not given. It returns every problem of every file at once, each naming its
// file: a given file that cannot be read is an error about its setting (URLS_FILE,
// EVENTS_FILE, FUNNEL_CONFIG_PATH, CAMPAIGNS_FILE, CUSTOM_DIMENSIONS_FILE), and a file with errors
// fails the load. The catalog is
// nil when there is an error; warnings come with a catalog too.
func Load(opts LoadOptions) (*Catalog, config.Problems) {
	var all config.Problems
	// use records one file's outcome; it reports whether the file's content is usable.
	use := func(setting, path string, ps config.Problems, err error) bool {
		if err != nil {
			all = append(all, config.Errorf(setting, path, "cannot read the file: %v", readError(err)))
			return false
		}
		all = append(all, ps.InFile(path)...)
		return ps.Err() == nil
	}
	urls := content.DefaultURLs()
	if opts.URLsFile != "" {
		set, ps, err := readURLs(opts.URLsFile)
		if use("URLS_FILE", opts.URLsFile, ps, err) {
			urls = set
		}
	}
	events := content.DefaultEvents()
	if opts.EventsFile != "" {
		data, err := readFile(opts.EventsFile, maxJSONFileBytes)
		var set content.EventSet
		var ps config.Problems
		if err == nil {
			set, ps = content.ParseEvents(data)
		}
		if use("EVENTS_FILE", opts.EventsFile, ps, err) {
			events = set
		}
	}
	var funnels []content.Funnel
	if opts.FunnelsFile != "" {
		data, err := readFile(opts.FunnelsFile, maxJSONFileBytes)
		var ps config.Problems
		if err == nil {
			funnels, ps = content.ParseFunnels(data)
		}
		use("FUNNEL_CONFIG_PATH", opts.FunnelsFile, ps, err)
	}
	campaigns := content.DefaultCampaigns()
	if opts.CampaignsFile != "" {
		data, err := readFile(opts.CampaignsFile, maxJSONFileBytes)
		var set content.CampaignSet
		var ps config.Problems
		if err == nil {
			set, ps = content.ParseCampaigns(data)
		}
		if use("CAMPAIGNS_FILE", opts.CampaignsFile, ps, err) {
			campaigns = set
		}
	}
	var dims content.DimensionSet
	if opts.DimensionsFile != "" {
		data, err := readFile(opts.DimensionsFile, maxJSONFileBytes)
		var ps config.Problems
		if err == nil {
			dims, ps = content.ParseDimensions(data)
		}
		use("CUSTOM_DIMENSIONS_FILE", opts.DimensionsFile, ps, err)
	}
	if all.Err() != nil {
		return nil, all
	}
	c := New(urls, events, funnels)
	c.setCampaigns(campaigns)
	c.DimensionSet = dims
	return c, all
}

// readError is a read failure without the path, which the problem shows as its value.
func readError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// New builds a catalog from content already in memory (the control's preview, tests).
func New(urls content.URLSet, events content.EventSet, funnels []content.Funnel) *Catalog {
	c := &Catalog{URLs: urls, Site: NewSite(urls), Events: events, Funnels: funnels,
		devices: Devices(), countries: Countries(), refs: newReferrers(), products: Products()}
	c.devPick = mustPicker(deviceWeights(c.devices))
	c.ctryPick = mustPicker(countryWeights(c.countries))
	c.setCampaigns(content.DefaultCampaigns())
	return c
}

// setCampaigns makes set the campaign catalogue; a parsed set has at least one campaign, and
// every weight is > 0.
func (c *Catalog) setCampaigns(set content.CampaignSet) {
	c.CampaignSet = set
	c.campPick = mustPicker(set.Weights())
}

func readURLs(path string) (content.URLSet, config.Problems, error) {
	f, err := os.Open(path)
	if err != nil {
		return content.URLSet{}, nil, err
	}
	defer f.Close()
	set, ps := content.ParseURLs(io.LimitReader(f, maxURLFileBytes))
	return set, ps, nil
}

func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("file is larger than %d MiB", limit>>20)
	}
	return data, nil
}

// Entry draws a visit's first page by popularity.
func (c *Catalog) Entry(r *rand.Rand) content.Page { return c.Site.Entry(r) }

// EntryIn draws a first page within a site category; false when there is none.
func (c *Catalog) EntryIn(r *rand.Rand, category string) (content.Page, bool) {
	return c.Site.EntryIn(r, category)
}

// Next draws the page a visitor on from opens next.
func (c *Catalog) Next(r *rand.Rand, from content.Page) content.Page { return c.Site.Next(r, from) }

// Device draws a browser: its User-Agent and a screen resolution that fits it.
func (c *Catalog) Device(r *rand.Rand) (userAgent, resolution string) {
	d := &c.devices[c.devPick.Pick(r)]
	return d.UA, d.Resolution(r)
}

// Country draws a visitor origin: ISO country code, an Accept-Language value Matomo maps
// to that country, and an IPv4 address allocated to it.
func (c *Catalog) Country(r *rand.Rand) (code, lang, ip string) {
	ct := &c.countries[c.ctryPick.Pick(r)]
	return ct.Code, ct.Language(r), ct.RandomIP(r).String()
}

// Referrer draws an external URL of a source (SourceSearch, SourceSocial, SourceWebsite);
// a search engine's result URL carries keyword, or a typical query when keyword is empty.
// An unknown source gives "".
func (c *Catalog) Referrer(r *rand.Rand, source, keyword string) string {
	return c.refs.url(r, source, keyword)
}

// Campaign draws a campaign from the catalogue by weight.
func (c *Catalog) Campaign(r *rand.Rand) Campaign { return c.CampaignSet.Campaigns[c.campPick.Pick(r)] }

// SearchTerm draws a site-search keyword and, as in the original, a category 30% of the
// time (which may itself be the empty "no category").
func (c *Catalog) SearchTerm(r *rand.Rand) (keyword, category string) {
	keyword = siteSearchTerms[r.IntN(len(siteSearchTerms))]
	if r.Float64() < 0.3 {
		category = searchCategories[r.IntN(len(searchCategories))]
	}
	return keyword, category
}

// Outlink draws an external URL a visitor follows.
func (c *Catalog) Outlink(r *rand.Rand) string { return outlinks[r.IntN(len(outlinks))] }

// Download draws a file path on the site ("/downloads/user-manual.pdf").
func (c *Catalog) Download(r *rand.Rand) string { return downloads[r.IntN(len(downloads))] }

// ClickEvents is the click-event pool (the events file's, or the built-in one).
func (c *Catalog) ClickEvents() []content.Event { return c.Events.Click }

// RandomEvents is the random-event pool.
func (c *Catalog) RandomEvents() []content.Event { return c.Events.Random }

// Products is the product list orders draw from.
func (c *Catalog) Products() []Product { return c.products }

// Describe summarises the catalog in one line for the loader's start-up log.
func (c *Catalog) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d pages, %d click and %d random events, %d funnels (%d enabled), %d campaigns, %d custom dimensions",
		len(c.URLs.Pages), len(c.Events.Click), len(c.Events.Random), len(c.Funnels),
		len(content.EnabledFunnels(c.Funnels)), len(c.CampaignSet.Campaigns), len(c.DimensionSet.Dimensions))
	return b.String()
}

var _ visit.Catalog = (*Catalog)(nil)

// Campaigns is the campaign catalogue as the visit model takes it.
func (c *Catalog) Campaigns() []visit.Campaign {
	out := make([]visit.Campaign, len(c.CampaignSet.Campaigns))
	for i, cp := range c.CampaignSet.Campaigns {
		out[i] = visit.Campaign{Name: cp.Name, Source: cp.Source, Medium: cp.Medium, Keyword: cp.Keyword,
			Content: cp.Content, ID: cp.ID, Weight: cp.Weight}
	}
	return out
}

// Dimensions are the custom dimensions as the visit model takes them; none without a file.
func (c *Catalog) Dimensions() []visit.Dimension {
	out := make([]visit.Dimension, len(c.DimensionSet.Dimensions))
	for i, d := range c.DimensionSet.Dimensions {
		vals := make([]visit.DimensionValue, len(d.Values))
		for j, v := range d.Values {
			vals[j] = visit.DimensionValue{Value: v.Value, Weight: v.Weight}
		}
		out[i] = visit.Dimension{ID: d.ID, Scope: d.Scope, Values: vals}
	}
	return out
}

var (
	_ visit.CampaignCatalog  = (*Catalog)(nil)
	_ visit.DimensionCatalog = (*Catalog)(nil)
)
