// Command genurls writes Trafficinator's default URL list: a deterministic, realistic site
// on the host example.test with a home page, 10 category landing pages, 70 subcategory
// landing pages and about 20,000 articles with human-looking titles.
//
// It runs through `go generate` in pkg/content; the output is committed, and a test checks
// that the committed file is what this program produces.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	out := flag.String("o", "data/urls.txt.gz", "output file; a .gz name is gzip-compressed")
	flag.Parse()
	if err := write(*out, generate()); err != nil {
		fmt.Fprintln(os.Stderr, "genurls:", err)
		os.Exit(1)
	}
}

// write stores text at path, gzip-compressed when the name ends in .gz. The gzip header
// carries no name or time, so the output depends on the text alone.
func write(path, text string) error {
	data := []byte(text)
	if strings.HasSuffix(path, ".gz") {
		var buf bytes.Buffer
		zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		if err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		if _, err := zw.Write(data); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		if err := zw.Close(); err != nil {
			return fmt.Errorf("gzip: %w", err)
		}
		data = buf.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
