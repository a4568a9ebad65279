#!/usr/bin/env bash
# Runs Docker Compose on the repository's docker-compose.yml with the project's defaults:
# `docker compose` (v2) when the engine's CLI has it, else `docker-compose` (1.29); COMPOSE=...
# overrides the choice. Project name: COMPOSE_PROJECT_NAME, default "trafficinator".
#
#   deploy/compose.sh ps
#   deploy/compose.sh logs -f control
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-trafficinator}"

if [ -z "${COMPOSE:-}" ]; then
  if docker compose version >/dev/null 2>&1; then
    COMPOSE="docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    COMPOSE="docker-compose"
  else
    echo "deploy/compose.sh: neither 'docker compose' nor 'docker-compose' is installed" >&2
    exit 127
  fi
fi

# The control's group must own the Docker socket (see group_add in docker-compose.yml).
if [ -z "${DOCKER_GID:-}" ] && [ -S /var/run/docker.sock ]; then
  DOCKER_GID="$(stat -c %g /var/run/docker.sock 2>/dev/null || stat -f %g /var/run/docker.sock)"
  export DOCKER_GID
fi

# shellcheck disable=SC2086 # COMPOSE is one or two words on purpose
exec $COMPOSE --project-directory "$root" -f "$root/docker-compose.yml" "$@"
