package webtest

import (
	"flag"
	"os"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
)

// screenshotsDir, when set, makes TestBrowser also write PNGs of every tab (light and dark).
var screenshotsDir = flag.String("screenshots", "", "directory to write UI screenshots into (make screenshots)")

// The loader and matomo-sink images are built once from the repository's own programs (static
// binaries in FROM-scratch images: no registry is reachable) and removed by TestMain.
var images = dockertest.Images{Prefix: "webtest"}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	images.Remove()
	os.Exit(code)
}
