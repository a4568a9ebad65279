// Package webtest drives the embedded web UI in headless Chromium against a real control: the
// API with its SQLite store, the run service on the real Docker Engine, loader containers and a
// matomo-sink container, all on 127.0.0.1. It holds only tests (and the screenshot generator
// behind `make screenshots`); nothing imports it.
package webtest
