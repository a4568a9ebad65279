// Package version holds the build version of Trafficinator's programs, set at link time
// with -ldflags "-X github.com/trafficinator/trafficinator/pkg/version.Version=v1.2.3".
package version

// Version is the release this binary was built from; "dev" for local builds.
var Version = "dev"
