// Package content defines the user-supplied content files of Trafficinator — the URL list,
// the events file, funnels.json, the campaigns catalogue and the custom-dimension definitions —
// and the built-in defaults used when a user supplies none.
//
// Both programs need the same reading of these files: the loader turns them into traffic,
// and the control edits, validates and previews them before a run starts. Keeping parsing
// and validation here means a file the control accepted is a file the loader accepts.
//
// Every parser reports all problems at once (see Problem) instead of stopping at the
// first, so a user can fix a file in one pass.
package content

//go:generate go run ./internal/genurls -o data/urls.txt.gz
