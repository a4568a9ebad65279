package content

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseURLs(t *testing.T) {
	filler := urlLines(100)
	tests := []struct {
		name  string
		input string
		// first pages expected at the start of the set
		pages []Page
		want  []want
	}{
		// The shipped format: URL, a TAB, then "Category | Subcategory | Title".
		{"tab title", "https://example.test/products/analytics/real-time\tProducts | Analytics | Real-time\n" + filler,
			[]Page{{URL: "https://example.test/products/analytics/real-time", Title: "Products | Analytics | Real-time",
				Category: "products", Subcategory: "analytics"}}, nil},
		// The original shipped file separated the title with four spaces.
		{"spaces title", "https://example.test/blog/a    Blog | A\n" + filler,
			[]Page{{URL: "https://example.test/blog/a", Title: "Blog | A", Category: "blog"}}, nil},
		// Comments, blank lines, CRLF endings and a BOM are skipped.
		{"comments and blanks", "\ufeff# header\r\n\r\n   \nhttps://example.test/\r\n" + filler,
			[]Page{{URL: "https://example.test/"}}, nil},
		// A landing page's trailing slash makes its second segment a subcategory.
		{"landing page", "https://example.test/products/analytics/\n" + filler,
			[]Page{{URL: "https://example.test/products/analytics/", Category: "products", Subcategory: "analytics"}}, nil},
		// A non-http scheme is an error naming the line and the value; the line is left out.
		{"bad scheme", "ftp://example.test/file\n" + filler, nil,
			[]want{{line: 1, value: "ftp://example.test/file", phrase: "scheme must be http or https"}}},
		// A relative URL is rejected.
		{"relative", "/products/\n" + filler, nil,
			[]want{{line: 1, value: "/products/", phrase: "must be absolute"}}},
		// A URL without a host is rejected.
		{"no host", "https:///path\n" + filler, nil,
			[]want{{line: 1, value: "https:///path", phrase: "no host"}}},
		// Unparsable URLs are reported with the parser's reason.
		{"unparsable", "http://example.test/%zz\n" + filler, nil,
			[]want{{line: 1, value: "http://example.test/%zz", phrase: "not a valid URL: invalid URL escape"}}},
		// Duplicates are warnings naming the first occurrence and are ignored.
		{"duplicate", filler + "https://example.test/filler/page-3\n", nil,
			[]want{{line: 101, value: "https://example.test/filler/page-3", phrase: "duplicate of line 4", warning: true}}},
		// Every problem is reported, not just the first.
		{"all problems", "mailto:a@b\n" + filler + "gopher://x/\n", nil,
			[]want{{line: 1, phrase: "scheme"}, {line: 102, phrase: "scheme"}}},
		// An over-long line is an error and the next line still parses.
		{"long line", "https://example.test/" + strings.Repeat("a", MaxURLLineBytes) + "\n" + filler, nil,
			[]want{{line: 1, phrase: "longer than"}}},
		// An empty list is an error.
		{"empty", "# nothing\n", nil, []want{{phrase: "has no URLs"}}},
		// Fewer than 10 URLs is a warning.
		{"very few", urlLines(3), nil, []want{{phrase: "only 3 URLs", warning: true}}},
		// Fewer than 100 URLs is a milder warning.
		{"few", urlLines(42), nil, []want{{phrase: "only 42 URLs; 100 or more", warning: true}}},
		// More than 50,000 URLs is a warning.
		{"many", urlLines(50_001), nil, []want{{phrase: "50001 URLs", warning: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, ps := ParseURLs(strings.NewReader(tt.input))
			checkProblems(t, ps, tt.want)
			if len(set.Pages) < len(tt.pages) {
				t.Fatalf("got %d pages, want at least %d", len(set.Pages), len(tt.pages))
			}
			for i, p := range tt.pages {
				if set.Pages[i] != p {
					t.Errorf("page %d = %+v, want %+v", i, set.Pages[i], p)
				}
			}
			for _, p := range set.Pages {
				if _, msg := checkPageURL(p.URL); msg != "" {
					t.Errorf("invalid URL %q in the set: %s", p.URL, msg)
				}
			}
		})
	}
}

// failingReader returns some data, then an error.
type failingReader struct{ data io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if errors.Is(err, io.EOF) {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func TestParseURLsReadError(t *testing.T) {
	set, ps := ParseURLs(&failingReader{data: strings.NewReader(urlLines(20))})
	if set.Len() != 20 {
		t.Errorf("kept %d pages read before the error, want 20", set.Len())
	}
	checkProblems(t, ps, []want{{phrase: "disk on fire"}, {phrase: "only 20 URLs", warning: true}})
}

func TestStructure(t *testing.T) {
	input := strings.Join([]string{
		"https://example.test/",
		"https://example.test/products/",
		"https://example.test/products/analytics/",
		"https://example.test/products/analytics/a",
		"https://example.test/products/analytics/b",
		"https://example.test/products/forms/c",
		"https://example.test/blog/post-1",
		"https://shop.example.test/products/forms/d",
	}, "\n")
	set, _ := ParseURLs(strings.NewReader(input))
	got := set.Structure()
	want := Structure{
		Pages:   8,
		Domains: []DomainCount{{"example.test", 7}, {"shop.example.test", 1}},
		Categories: []CategoryCount{
			{Name: "products", Pages: 6, Subcategories: []SubcategoryCount{{"analytics", 3}, {"forms", 2}}},
			{Name: "", Pages: 1},
			{Name: "blog", Pages: 1},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Structure() =\n%+v\nwant\n%+v", got, want)
	}
}
