package visit

import (
	"github.com/trafficinator/trafficinator/pkg/content"
	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// funnel adds a user funnel's steps (funnels.json, the original's schema). Step delays set the
// simulated time between steps; the first step lands with a new visit and an external referrer.
func (b *builder) funnel(f content.Funnel) {
	for _, s := range f.Steps {
		b.step(s)
		// The step just added is followed by its configured delay.
		last := &b.gaps[len(b.gaps)-1]
		last.fixed, last.hasFix = uniform(b.r, s.DelaySecondsMin, s.DelaySecondsMax), true
	}
}

func (b *builder) step(s content.Step) {
	page := b.page
	if s.URL != "" {
		page = content.Page{URL: resolve(b.pageOrEntry().URL, s.URL), Title: s.ActionName}
	}
	switch s.Type {
	case content.StepPageview:
		if !b.started {
			b.land(page, "")
		} else {
			b.view(page)
		}
		if s.ActionName != "" {
			b.last().Request.ActionName = s.ActionName
		}
		return
	}
	if !b.started {
		b.land(b.pageOrEntry(), "")
	}
	if s.URL != "" && page.URL != b.page.URL {
		b.view(page)
	}
	switch s.Type {
	case content.StepEvent:
		v := s.EventValue
		b.event([]content.Event{{Category: s.EventCategory, Action: s.EventAction, Name: s.EventName, Value: v}})
	case content.StepSiteSearch:
		count := b.r.IntN(26)
		if s.SearchResults != nil {
			count = *s.SearchResults
		}
		b.searchFor(s.SearchKeyword, s.SearchCategory, count)
	case content.StepOutlink:
		req := b.onPage()
		req.Link = resolve(b.page.URL, s.TargetURL)
		b.add(req, 0.1)
	case content.StepDownload:
		b.download(s.TargetURL)
	case content.StepEcommerce:
		rules := b.m.orders
		if s.EcommerceItems != nil {
			rules.ItemsMin, rules.ItemsMax = *s.EcommerceItems, *s.EcommerceItems
		}
		b.order(rules, func(o *matomo.Order) { overrideOrder(o, s) })
	}
}

// pageOrEntry is the current page, or a landing page when the visit has not started.
func (b *builder) pageOrEntry() content.Page {
	if b.started {
		return b.page
	}
	return b.m.cat.Entry(b.r)
}

// overrideOrder applies a funnel step's fixed amounts (the original ignored ecommerce_items; shipping
// is now sent as ec_sh).
func overrideOrder(o *matomo.Order, s content.Step) {
	if s.EcommerceSubtotal != nil {
		o.Subtotal = cents(*s.EcommerceSubtotal)
	}
	if s.EcommerceShipping != nil {
		o.Shipping = cents(*s.EcommerceShipping)
	}
	if s.EcommerceTax != nil {
		o.Tax = cents(*s.EcommerceTax)
	}
	if s.EcommerceRevenue != nil {
		o.Revenue = cents(*s.EcommerceRevenue)
	} else if s.EcommerceSubtotal != nil || s.EcommerceShipping != nil || s.EcommerceTax != nil {
		o.Revenue = cents(o.Subtotal + o.Shipping + o.Tax)
	}
}
