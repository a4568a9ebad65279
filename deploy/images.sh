#!/usr/bin/env bash
# Builds the three images (loader, control, matomo-sink) FROM scratch, out of static binaries built
# here on the host: no base image is pulled, so this works on an engine with no registry at hand.
#
#   deploy/images.sh            (what `make images` runs)
#
# Environment: GO (default go), VERSION (default git describe), TAG (default latest),
# IMAGE_PREFIX (default trafficinator). The build context is deploy/ itself; binaries, the CA
# bundle and the passwd/group files go to deploy/build/ (git-ignored).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
deploy="$root/deploy"
out="$deploy/build"
GO="${GO:-go}"
TAG="${TAG:-latest}"
IMAGE_PREFIX="${IMAGE_PREFIX:-trafficinator}"
VERSION="${VERSION:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)}"
ldflags="-s -w -X github.com/trafficinator/trafficinator/pkg/version.Version=$VERSION"

# A GOFLAGS with -race (or -cover) would break the static builds below.
unset GOFLAGS

mkdir -p "$out/data"
touch "$out/data/.keep"

echo "== static binaries -> deploy/build/"
# go-sqlite3 needs cgo: link the control statically. netgo/osusergo keep glibc's NSS (getaddrinfo,
# getpwnam) out, which a static glibc binary could not load in a scratch image. Its C compile is
# one long gcc process, so it runs beside the two pure-Go builds.
(cd "$root/control" && CGO_ENABLED=1 "$GO" build -trimpath \
  -tags 'osusergo netgo sqlite_omit_load_extension' \
  -ldflags "$ldflags -linkmode external -extldflags -static" \
  -o "$out/control" ./cmd/control) &
control_pid=$!
(cd "$root/loader" && CGO_ENABLED=0 "$GO" build -trimpath -ldflags "$ldflags" -o "$out/loader" ./cmd/loader) &&
  (cd "$root/loader" && CGO_ENABLED=0 "$GO" build -trimpath -ldflags "$ldflags" -o "$out/matomo-sink" ./cmd/matomo-sink) ||
  { wait "$control_pid" || true; echo "deploy/images.sh: building the loader or the sink failed" >&2; exit 1; }
if ! wait "$control_pid"; then
  echo "deploy/images.sh: building the control failed" >&2
  exit 1
fi

for b in loader matomo-sink control; do
  if command -v file >/dev/null 2>&1 && ! file "$out/$b" | grep -q 'statically linked'; then
    echo "deploy/images.sh: $b is not statically linked; it would not start in a scratch image" >&2
    exit 1
  fi
done

# CA certificates: the loader talks HTTPS to Matomo, the control tests connections to it.
ca=""
for f in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
  if [ -s "$f" ]; then ca="$f"; break; fi
done
if [ -z "$ca" ]; then
  echo "deploy/images.sh: no CA bundle on this machine (install ca-certificates)" >&2
  exit 1
fi
cp "$ca" "$out/ca-certificates.crt"

# A named non-root user (65532, as in distroless "nonroot"), so `docker top`/`ps` show a name.
printf 'root:x:0:0:root:/:/sbin/nologin\ntrafficinator:x:65532:65532:trafficinator:/data:/sbin/nologin\n' > "$out/passwd"
printf 'root:x:0:\ntrafficinator:x:65532:\n' > "$out/group"

# BuildKit needs the buildx plugin; without it the classic builder is the one that works.
if [ -z "${DOCKER_BUILDKIT:-}" ] && ! docker buildx version >/dev/null 2>&1; then
  export DOCKER_BUILDKIT=0
fi

echo "== images"
for name in loader control matomo-sink; do
  # The classic builder's deprecation notice goes to stderr: show the output only on failure.
  if ! log=$(docker build --quiet --build-arg "VERSION=$VERSION" -f "$deploy/$name.Dockerfile" \
      -t "$IMAGE_PREFIX/$name:$TAG" "$deploy" 2>&1); then
    echo "$log" >&2
    echo "deploy/images.sh: docker build of $name failed" >&2
    exit 1
  fi
  echo "built $IMAGE_PREFIX/$name:$TAG ($VERSION)"
done

# Rebuilding re-tags; drop the untagged predecessors of our own images only.
docker image prune --force --filter "label=org.opencontainers.image.vendor=Trafficinator" >/dev/null || true
