package visit

// journey is a built-in visit template (JOURNEY_PROBABILITY): a recognisable kind of visitor whose
// visits shift the report shares in a known direction (see docs/visits.md).
type journey struct {
	name   string
	weight float64
	run    func(b *builder)
}

func journeyWeights(js []journey) []float64 {
	w := make([]float64, len(js))
	for i, j := range js {
		w[i] = j.weight
	}
	return w
}

// builtinJourneys are the researcher, the buyer and the casual browser.
func builtinJourneys() []journey {
	return []journey{
		{name: "researcher", weight: 0.35, run: researcher},
		{name: "buyer", weight: 0.25, run: buyer},
		{name: "casual", weight: 0.40, run: casual},
	}
}

// landIn starts the visit in one of the given sections, falling back to any landing page.
func (b *builder) landIn(source string, sections ...string) {
	s := sections[b.r.IntN(len(sections))]
	page, ok := b.m.cat.EntryIn(b.r, s)
	if !ok {
		page = b.m.cat.Entry(b.r)
	}
	b.land(page, source)
}

// researcher comes from a search engine into documentation, resources or the blog, reads many pages
// of the same section for a long time, searches the site and often downloads a document.
func researcher(b *builder) {
	b.duration = 1.6
	b.landIn(SourceSearch, "documentation", "resources", "blog", "support")
	n := between(b.r, 5, 10)
	searchAt := b.r.IntN(n)
	for i := 1; i < n; i++ {
		b.view(b.m.cat.Next(b.r, b.page))
		if i == searchAt {
			b.search()
		}
	}
	if b.r.Float64() < 0.5 {
		b.download(b.m.cat.Download(b.r))
	}
}

// buyer lands on the products section (from search, a campaign-like website or directly), looks at
// several products, clicks a call to action, and usually orders.
func buyer(b *builder) {
	b.landIn("", "products", "solutions", "services")
	n := between(b.r, 4, 8)
	for i := 1; i < n; i++ {
		b.view(b.m.cat.Next(b.r, b.page))
	}
	b.event(b.m.cat.ClickEvents())
	if b.r.Float64() < 0.6 && len(b.m.products) > 0 {
		b.order(b.m.orders, nil)
	}
}

// casual arrives from social media or directly, looks at one to three pages briefly, and sometimes
// clicks something.
func casual(b *builder) {
	b.duration = 0.4
	src := SourceSocial
	if b.r.Float64() < 0.4 {
		src = "direct"
	}
	b.landIn(src, "blog", "news", "community")
	for i := between(b.r, 1, 3); i > 1; i-- {
		b.view(b.m.cat.Next(b.r, b.page))
	}
	if b.r.Float64() < 0.3 {
		b.event(b.m.cat.ClickEvents())
	}
}
