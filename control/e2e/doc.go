// Package e2e holds the end-to-end test of the packaged product: it builds the images, brings up
// the compose project with the demo profile exactly as the README does (`make up`), and drives a
// live run, a backfill and a control restart through the HTTP API against the matomo-sink
// container, then takes everything down again. It has no code of its own; see e2e_test.go.
//
// Run it alone with `make e2e`; `go test ./...` in the control module runs it too (skipped with
// -short, and skipped without Docker or Docker Compose unless CI=true, where it fails instead).
package e2e
