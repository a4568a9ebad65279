package visit

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/trafficinator/trafficinator/pkg/matomo"
)

// Product is a thing an order can contain.
type Product struct {
	SKU, Name, Category string
	Price               float64
}

// OrderRules are the ecommerce settings an order must respect.
type OrderRules struct {
	ValueMin, ValueMax float64 // bounds of the revenue (grand total)
	ItemsMin, ItemsMax int     // line items
	TaxRate            float64
	ShippingRates      []float64
	Currency           string
}

// buildOrder makes an order whose line count is within [ItemsMin, ItemsMax] and whose revenue is within
// [ValueMin, ValueMax] — both guaranteed, unlike the original, which forced most orders down to one item
// and let some revenues escape their bounds. The order id is unique per (seed, visit).
func buildOrder(r *rand.Rand, id string, rules OrderRules, products []Product) matomo.Order {
	n := between(r, rules.ItemsMin, rules.ItemsMax)
	items := make([]matomo.Item, n)
	weights := make([]float64, n)
	for i := range items {
		p := products[r.IntN(len(products))]
		qty := 1
		if r.Float64() >= 0.8 {
			qty = between(r, 2, 3)
		}
		items[i] = matomo.Item{SKU: p.SKU, Name: p.Name, Category: p.Category, Quantity: qty}
		weights[i] = p.Price * uniform(r, 0.95, 1.05) * float64(qty)
	}
	shipping := rules.ShippingRates[r.IntN(len(rules.ShippingRates))]
	target := uniform(r, rules.ValueMin, rules.ValueMax)
	if target/(1+rules.TaxRate)-shipping < 0.01*float64(units(items)) {
		shipping = 0 // this shipping cost would leave nothing for the goods
	}
	spread(items, weights, target/(1+rules.TaxRate)-shipping)
	o := totals(items, shipping, rules.TaxRate)
	// Rounding to cents can push the total a few cents past a bound: nudge the first item's price.
	for step := 0; step < 10000 && (o.Revenue > rules.ValueMax || o.Revenue < rules.ValueMin); step++ {
		delta := 0.01
		if o.Revenue > rules.ValueMax {
			delta = -0.01
		}
		if items[0].Price+delta < 0.01 {
			break
		}
		items[0].Price = cents(items[0].Price + delta)
		o = totals(items, shipping, rules.TaxRate)
	}
	o.ID = id
	return o
}

// spread sets unit prices so that the line totals follow weights and add up to subtotal.
func spread(items []matomo.Item, weights []float64, subtotal float64) {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	for i := range items {
		line := subtotal * weights[i] / sum
		items[i].Price = math.Max(0.01, cents(line/float64(items[i].Quantity)))
	}
}

func totals(items []matomo.Item, shipping, taxRate float64) matomo.Order {
	sub := 0.0
	for _, it := range items {
		sub += it.Price * float64(it.Quantity)
	}
	sub = cents(sub)
	tax := cents((sub + shipping) * taxRate)
	return matomo.Order{Items: items, Subtotal: sub, Shipping: shipping, Tax: tax, Revenue: cents(sub + shipping + tax)}
}

func units(items []matomo.Item) int {
	n := 0
	for _, it := range items {
		n += it.Quantity
	}
	return n
}

func cents(v float64) float64 { return math.Round(v*100) / 100 }

// orderID is the ec_id of a visit's order: reproducible, and never the same for two visits of a run
// (Matomo rejects a repeated ec_id on a site). mix is a bijection of 64-bit values, so distinct
// sequence numbers always give distinct ids for one seed.
func orderID(seed int64, seq uint64) string {
	return fmt.Sprintf("T%016X", mix(seq^mix(uint64(seed)^streamOrderID)))
}
