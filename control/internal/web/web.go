// Package web is the control's embedded web UI: static HTML, CSS and JavaScript modules with no
// build step and no CDN, so the UI works on a machine without internet and the binary carries it.
// The API serves FS at /ui/ when it is passed in as api.Deps.UI.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var static embed.FS

// FS returns the UI's files rooted at the directory that holds index.html. The files are embedded
// at build time, so a running control always serves the UI it was built with.
func FS() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		// fs.Sub fails only for an invalid path name; "static" is valid and embedded above.
		panic("web: embedded UI missing: " + err.Error())
	}
	return sub
}
