//go:build !unix

package backfill

import "os"

// lockFile is a no-op where flock does not exist; the loader image is Linux.
func lockFile(*os.File) error { return nil }
