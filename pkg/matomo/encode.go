package matomo

import (
	"strconv"
	"time"
)

// AppendQuery appends the hit's query string (no leading "?") to dst and returns the extended
// slice. It always starts with idsite (omitted when SiteID is 0; the Client fills in its target's
// site), rec=1 and apiv=1. It never includes token_auth or send_image: those belong to how the
// hit is sent, not to the hit. With a dst of enough capacity it does not allocate.
func (r *Request) AppendQuery(dst []byte) []byte {
	return r.appendQuery(dst, r.SiteID)
}

// appendQuery encodes the hit for site (the request's own or the target's).
func (r *Request) appendQuery(dst []byte, site int) []byte {
	if site > 0 {
		dst = append(dst, "idsite="...)
		dst = strconv.AppendInt(dst, int64(site), 10)
		dst = append(dst, '&')
	}
	dst = append(dst, "rec=1&apiv=1"...)
	dst = append(dst, r.Visitor.enc...)
	dst = appendParam(dst, "cid", r.VisitorID)
	dst = appendParam(dst, "url", r.URL)
	dst = appendParam(dst, "action_name", r.ActionName)
	dst = appendParam(dst, "urlref", r.Referrer)
	if !r.Time.IsZero() {
		dst = append(dst, "&cdt="...)
		dst = appendCDT(dst, r.Time)
	}
	dst = appendParam(dst, "ua", r.UserAgent)
	dst = appendParam(dst, "lang", r.Lang)
	dst = appendParam(dst, "res", r.Resolution)
	if !r.LocalTime.IsZero() {
		h, m, s := r.LocalTime.Clock()
		dst = appendInt(dst, "h", h)
		dst = appendInt(dst, "m", m)
		dst = appendInt(dst, "s", s)
	}
	dst = appendParam(dst, "cip", r.IP)
	if r.NewVisit {
		dst = append(dst, "&new_visit=1"...)
	}
	if r.Ping {
		dst = append(dst, "&ping=1"...)
	}
	dst = appendParam(dst, "pv_id", r.PageViewID)
	if r.Cookie.Count > 0 && !r.Time.IsZero() {
		dst = r.appendCookie(dst)
	}
	if r.Timings.Set {
		dst = appendTimings(dst, &r.Timings)
	}
	dst = r.appendActions(dst)
	dst = r.appendConversion(dst)
	for _, d := range r.Dimensions {
		dst = append(dst, "&dimension"...)
		dst = strconv.AppendInt(dst, int64(d.ID), 10)
		dst = append(dst, '=')
		dst = appendEscaped(dst, d.Value)
	}
	for _, p := range r.Extra {
		dst = append(dst, '&')
		dst = appendEscaped(dst, p.Key)
		dst = append(dst, '=')
		dst = appendEscaped(dst, p.Value)
	}
	return dst
}

// appendActions encodes events, site search, outlinks and downloads. Matomo decides the action
// type by its own precedence, so sending several is harmless but pointless.
func (r *Request) appendActions(dst []byte) []byte {
	if r.Event.present() {
		dst = appendParam(dst, "e_c", r.Event.Category)
		dst = appendParam(dst, "e_a", r.Event.Action)
		dst = appendParam(dst, "e_n", r.Event.Name)
		if r.Event.HasValue {
			dst = append(dst, "&e_v="...)
			dst = strconv.AppendFloat(dst, r.Event.Value, 'f', -1, 64)
		}
	}
	if r.Search.Keyword != "" {
		dst = appendParam(dst, "search", r.Search.Keyword)
		dst = appendParam(dst, "search_cat", r.Search.Category)
		if r.Search.HasCount {
			dst = appendInt(dst, "search_count", r.Search.Count)
		}
	}
	if c := r.Content; c != nil && c.Name != "" {
		dst = appendParam(dst, "c_n", c.Name)
		dst = appendParam(dst, "c_p", c.Piece)
		dst = appendParam(dst, "c_t", c.Target)
		dst = appendParam(dst, "c_i", c.Interaction)
	}
	dst = appendParam(dst, "link", r.Link)
	return appendParam(dst, "download", r.Download)
}

// appendCookie writes _idvc, _idts, _viewts and _refts as unix seconds, counted back from cdt.
func (r *Request) appendCookie(dst []byte) []byte {
	now := r.Time.Unix()
	c := &r.Cookie
	dst = appendInt(dst, "_idvc", int(c.Count))
	dst = appendInt64(dst, "_idts", now-int64(c.FirstAgo))
	dst = appendInt64(dst, "_viewts", now-int64(c.LastAgo))
	if c.RefAgo > 0 {
		dst = appendInt64(dst, "_refts", now-int64(c.RefAgo))
	}
	return dst
}

// appendTimings writes the six pf_* timings.
func appendTimings(dst []byte, t *Timings) []byte {
	dst = appendInt(dst, "pf_net", int(t.Network))
	dst = appendInt(dst, "pf_srv", int(t.Server))
	dst = appendInt(dst, "pf_tfr", int(t.Transfer))
	dst = appendInt(dst, "pf_dm1", int(t.DOMProcessing))
	dst = appendInt(dst, "pf_dm2", int(t.DOMCompletion))
	return appendInt(dst, "pf_onl", int(t.OnLoad))
}

// appendConversion encodes an ecommerce order/cart (idgoal=0) or, when there is none, a goal.
// Only one idgoal can go out, and an order is the richer of the two.
func (r *Request) appendConversion(dst []byte) []byte {
	o := &r.Order
	if !o.present() {
		if r.Goal.ID > 0 {
			dst = appendInt(dst, "idgoal", r.Goal.ID)
			if r.Goal.Revenue != 0 {
				dst = appendAmount(dst, "revenue", r.Goal.Revenue)
			}
		}
		return dst
	}
	dst = append(dst, "&idgoal=0"...)
	dst = appendParam(dst, "ec_id", o.ID)
	if len(o.Items) > 0 {
		dst = append(dst, "&ec_items="...)
		dst = appendItems(dst, o.Items)
	}
	dst = appendAmount(dst, "revenue", o.Revenue)
	for _, f := range [...]struct {
		key string
		v   float64
	}{{"ec_st", o.Subtotal}, {"ec_tx", o.Tax}, {"ec_sh", o.Shipping}, {"ec_dt", o.Discount}} {
		if f.v != 0 {
			dst = appendAmount(dst, f.key, f.v)
		}
	}
	return dst
}

// appendItems writes ec_items as query-escaped JSON, [[sku,name,category,price,qty],...],
// escaping while writing so no intermediate JSON buffer is needed.
func appendItems(dst []byte, items []Item) []byte {
	dst = append(dst, "%5B"...) // [
	for i := range items {
		it := &items[i]
		if i > 0 {
			dst = append(dst, "%2C"...) // ,
		}
		dst = append(dst, "%5B"...)
		dst = appendJSONStringEscaped(dst, it.SKU)
		dst = append(dst, "%2C"...)
		dst = appendJSONStringEscaped(dst, it.Name)
		dst = append(dst, "%2C"...)
		dst = appendJSONStringEscaped(dst, it.Category)
		dst = append(dst, "%2C"...)
		dst = strconv.AppendFloat(dst, it.Price, 'f', 2, 64)
		dst = append(dst, "%2C"...)
		dst = strconv.AppendInt(dst, int64(it.Quantity), 10)
		dst = append(dst, "%5D"...) // ]
	}
	return append(dst, "%5D"...)
}

// appendCDT writes t in UTC as "2006-01-02 15:04:05", query-escaped, by hand: AppendFormat
// would need a scratch buffer and the layout parser on every hit.
func appendCDT(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	h, m, s := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, '+')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, "%3A"...)
	dst = appendDigits(dst, m, 2)
	dst = append(dst, "%3A"...)
	return appendDigits(dst, s, 2)
}

// appendDigits writes v zero-padded to width digits (v is non-negative and fits).
func appendDigits(dst []byte, v, width int) []byte {
	var buf [4]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:width]...)
}

// appendParam writes &key=value when value is non-empty; key is a known-safe literal.
func appendParam(dst []byte, key, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, '&')
	dst = append(dst, key...)
	dst = append(dst, '=')
	return appendEscaped(dst, value)
}

func appendInt(dst []byte, key string, v int) []byte {
	dst = append(dst, '&')
	dst = append(dst, key...)
	dst = append(dst, '=')
	return strconv.AppendInt(dst, int64(v), 10)
}

func appendInt64(dst []byte, key string, v int64) []byte {
	dst = append(dst, '&')
	dst = append(dst, key...)
	dst = append(dst, '=')
	return strconv.AppendInt(dst, v, 10)
}

// appendAmount writes a money amount with two decimals, as shops and Matomo's reports do.
func appendAmount(dst []byte, key string, v float64) []byte {
	dst = append(dst, '&')
	dst = append(dst, key...)
	dst = append(dst, '=')
	return strconv.AppendFloat(dst, v, 'f', 2, 64)
}
