package runs

import (
	"os"
	"testing"

	"github.com/trafficinator/trafficinator/control/internal/docker/dockertest"
)

// The Docker tests share two images built once from the repository's own programs: the loader
// and matomo-sink, static binaries in FROM-scratch images (no registry is reachable). TestMain
// removes them at the end.
var images = dockertest.Images{Prefix: "runs"}

func TestMain(m *testing.M) {
	code := m.Run()
	images.Remove()
	os.Exit(code)
}
