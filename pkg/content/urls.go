package content

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode"

	"github.com/trafficinator/trafficinator/pkg/config"
)

// MaxURLLineBytes is the longest line a URL file may have. Real page URLs are far shorter;
// the bound keeps a corrupt or binary file from being read into memory as one line.
const MaxURLLineBytes = 8 << 10

// Thresholds of the URL-count warnings, as in the original control.
const (
	urlsFewWarn     = 10
	urlsSomeWarn    = 100
	urlsTooManyWarn = 50_000
	utf8BOM         = "\ufeff"
)

// Page is one URL of the site being simulated.
type Page struct {
	// URL is the absolute page URL sent as Matomo's url parameter.
	URL string `json:"url"`
	// Title is the page title (Matomo's action_name); empty when the file gives none.
	Title string `json:"title,omitempty"`
	// Category is the first path segment ("products" in /products/analytics/x), empty
	// for the home page.
	Category string `json:"category,omitempty"`
	// Subcategory is the second path segment when it is a directory (followed by more
	// path or a trailing slash): "analytics" in /products/analytics/x and in
	// /products/analytics/, but empty for a leaf such as /blog/my-post.
	Subcategory string `json:"subcategory,omitempty"`
}

// URLSet is the parsed URL list: pages in file order, duplicates removed.
type URLSet struct {
	Pages []Page `json:"pages"`
}

// Len is the number of pages.
func (s URLSet) Len() int { return len(s.Pages) }

// ParseURLs reads a URL file: one URL per line, optionally followed by whitespace (a TAB or
// spaces) and a title; blank lines and lines starting with # are skipped. Every problem is
// reported with its line number; invalid lines and duplicates are left out of the set.
func ParseURLs(r io.Reader) (URLSet, config.Problems) {
	var (
		ps    problems
		set   URLSet
		seen  = make(map[string]int)
		br    = bufio.NewReaderSize(r, 64<<10)
		lineN = 0
	)
	for {
		raw, tooLong, err := readLine(br)
		if len(raw) == 0 && err != nil {
			if !errors.Is(err, io.EOF) {
				ps.errorf(0, "", "", "reading the URL list failed: %v", err)
			}
			break
		}
		lineN++
		if tooLong {
			ps.errorf(lineN, "", string(raw), "line is longer than %d bytes", MaxURLLineBytes)
			continue
		}
		line := strings.TrimSpace(string(raw))
		if lineN == 1 {
			line = strings.TrimSpace(strings.TrimPrefix(line, utf8BOM))
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		page, ok := parseURLLine(line, lineN, &ps)
		if !ok {
			continue
		}
		if first, dup := seen[page.URL]; dup {
			ps.warnf(lineN, "", page.URL, "duplicate of line %d; ignored", first)
			continue
		}
		seen[page.URL] = lineN
		set.Pages = append(set.Pages, page)
	}
	checkURLCount(len(set.Pages), &ps)
	return set, ps.result()
}

// parseURLLine splits a non-comment line into URL and title and validates the URL.
func parseURLLine(line string, lineN int, ps *problems) (Page, bool) {
	rawURL, title := line, ""
	if i := strings.IndexFunc(line, unicode.IsSpace); i >= 0 {
		rawURL, title = line[:i], strings.TrimSpace(line[i:])
	}
	u, msg := checkPageURL(rawURL)
	if msg != "" {
		ps.errorf(lineN, "", rawURL, "%s", msg)
		return Page{}, false
	}
	cat, sub := categorize(u)
	return Page{URL: rawURL, Title: title, Category: cat, Subcategory: sub}, true
}

// checkPageURL returns the parsed URL, or a message saying which rule it breaks.
func checkPageURL(raw string) (*url.URL, string) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, "not a valid URL: " + err.Error()
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return nil, "URL must be absolute and start with http:// or https://"
	default:
		return nil, "URL scheme must be http or https"
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, "URL has no host"
	}
	return u, ""
}

// categorize derives the category (first path segment) and the subcategory (second path
// segment when it is a directory) of a page URL.
func categorize(u *url.URL) (cat, sub string) {
	path := strings.TrimPrefix(u.Path, "/")
	if path == "" {
		return "", ""
	}
	segs := strings.Split(path, "/")
	cat = segs[0]
	if len(segs) >= 3 && segs[1] != "" {
		sub = segs[1]
	}
	return cat, sub
}

func checkURLCount(n int, ps *problems) {
	switch {
	case n == 0:
		ps.errorf(0, "", "", "the list has no URLs; add at least one http(s) URL per line")
	case n < urlsFewWarn:
		ps.warnf(0, "", "", "only %d URLs; at least %d are recommended for varied reports", n, urlsFewWarn)
	case n < urlsSomeWarn:
		ps.warnf(0, "", "", "only %d URLs; %d or more give more realistic reports", n, urlsSomeWarn)
	case n > urlsTooManyWarn:
		ps.warnf(0, "", "", "%d URLs; more than %d make the list slow to edit and preview", n, urlsTooManyWarn)
	}
}

// readLine returns the next line without its newline. When the line is longer than
// MaxURLLineBytes, it returns the first MaxURLLineBytes bytes with tooLong set and skips
// the rest of the line.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxURLLineBytes {
			tooLong = true
		}
		if !tooLong {
			buf = append(buf, chunk...)
		} else if len(buf) < MaxURLLineBytes {
			buf = append(buf, chunk[:min(len(chunk), MaxURLLineBytes-len(buf))]...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(buf, "\r\n"), tooLong, err
	}
}
