# The loader: one static Go binary (CGO_ENABLED=0) in an empty image. Build with `make images`,
# which puts the binary, the CA bundle and passwd/group into deploy/build/ first: no base image is
# pulled. Its whole configuration is environment variables (docs/configuration.md):
#
#   docker run --rm --env-file presets/.env.medium -e MATOMO_URL=... trafficinator/loader
#   docker run --rm --env-file my.env trafficinator/loader validate
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="trafficinator-loader" \
      org.opencontainers.image.description="Realistic synthetic Matomo traffic: live load and exactly-once backfill" \
      org.opencontainers.image.vendor="Trafficinator" \
      org.opencontainers.image.version="${VERSION}"
COPY build/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY build/passwd build/group /etc/
# /data holds the backfill state (BACKFILL_STATE_FILE=/data/backfill-state.json) and the files the
# control copies in. It belongs to the non-root user, so a fresh named volume mounted there does too.
COPY --chown=65532:65532 build/data/ /data/
COPY build/loader /loader
USER 65532:65532
WORKDIR /data
# No HEALTHCHECK: a loader has no server unless METRICS_ADDR is set; it is healthy while it runs,
# and its exit code says how it ended (0 finished, 1 failed, 2 invalid configuration).
ENTRYPOINT ["/loader"]
