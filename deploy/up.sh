#!/usr/bin/env bash
# `make up`: starts the compose project in the background, waits until the control answers
# /health, and prints where it is and its API key. Run `make images` first (`make up` does).
#
# Environment: everything docker-compose.yml reads (CONTROL_PORT, CONTROL_BIND, CONTROL_API_KEY,
# COMPOSE_PROFILES, default demo; empty for the control alone, ...), and UP_TIMEOUT (seconds to wait for health, 90).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
compose="$here/compose.sh"
# The demo (matomo-sink and a demo loader) comes up unless COMPOSE_PROFILES says otherwise
# (COMPOSE_PROFILES= for the control alone).
export COMPOSE_PROFILES="${COMPOSE_PROFILES-demo}"
port="${CONTROL_PORT:-8080}"
bind="${CONTROL_BIND:-127.0.0.1}"
case "$bind" in 0.0.0.0 | "" | "::" | "[::]") host=127.0.0.1 ;; *) host="$bind" ;; esac
url="http://$host:$port"

"$compose" up -d

echo "waiting for the control at $url/health ..."
ok=""
for _ in $(seq 1 "${UP_TIMEOUT:-90}"); do
  if command -v curl >/dev/null 2>&1; then
    if curl -fsS -o /dev/null --max-time 2 "$url/health"; then ok=1; break; fi
  else
    id="$("$compose" ps -q control)"
    if [ "$(docker inspect -f '{{.State.Health.Status}}' "$id" 2>/dev/null)" = healthy ]; then ok=1; break; fi
  fi
  sleep 1
done
if [ -z "$ok" ]; then
  echo "the control did not become healthy; its log:" >&2
  "$compose" logs --tail=50 control >&2 || true
  exit 1
fi

id="$("$compose" ps -q control)"
if [ -n "${CONTROL_API_KEY:-}" ]; then
  key="(the CONTROL_API_KEY you set)"
else
  # Generated on the first start, kept in the data volume (mode 0600). A scratch image has no
  # cat: docker cp reads it through the engine.
  key="$(docker cp "$id:/data/api-key" - | tar -xO)"
fi

cat <<MSG

Trafficinator is up (compose project ${COMPOSE_PROJECT_NAME:-trafficinator}).
  UI:       $url/
  API:      $url/api  (reference: docs/api.md)
  API key:  $key
  Try:      curl -H "X-API-Key: \$KEY" $url/api/runs
MSG
if [[ ",${COMPOSE_PROFILES:-}," == *",demo,"* ]]; then
  cat <<MSG
  Demo:     matomo-sink receives a demo loader's traffic: curl http://127.0.0.1:${SINK_PORT:-8089}/summary
            runs started from the control can target MATOMO_URL=http://matomo-sink:8080/matomo.php (sites 1-3; the demo uses 4)
MSG
fi
echo "  Logs:     make logs      Stop: make down"
