#!/usr/bin/env bash
# `make down`: stops and removes the compose project's containers and network, and the loader
# containers its control started (they are not compose services: they carry the
# io.trafficinator.* labels of the control's scope, CONTROL_SCOPE). Data volumes are kept (configs,
# runs, API key, backfill state) unless PURGE=1 (`make purge`).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
compose="$here/compose.sh"
scope="${CONTROL_SCOPE:-default}"

loaders() {
  docker ps -aq --filter label=io.trafficinator.managed=true --filter "label=io.trafficinator.scope=$scope"
}

# Loaders first, while the control still runs and records how their runs ended; then the control;
# then whatever containers are left (the control removes finished loaders itself).
ids="$(loaders)"
if [ -n "$ids" ]; then
  echo "stopping the control's loader containers (scope $scope)"
  # shellcheck disable=SC2086
  docker stop -t 15 $ids >/dev/null || true
fi
"$compose" stop control >/dev/null 2>&1 || true
ids="$(loaders)"
if [ -n "$ids" ]; then
  # -v: each loader's /data is an anonymous volume of its own, which would stay behind otherwise.
  # shellcheck disable=SC2086
  docker rm -f -v $ids >/dev/null || true
fi

args=(--profile demo --profile loader down --remove-orphans)
if [ "${PURGE:-}" = 1 ]; then
  args+=(--volumes)
fi
"$compose" "${args[@]}"
