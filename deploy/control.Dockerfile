# The control service: a static Go binary (cgo for SQLite, linked statically) in an empty image.
# Build with `make images`. It needs the Docker socket to start loaders; as the non-root user it
# runs as, give it the socket's group (compose: group_add ${DOCKER_GID}).
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="trafficinator-control" \
      org.opencontainers.image.description="Trafficinator control service: configurations, runs and loader containers over HTTP" \
      org.opencontainers.image.vendor="Trafficinator" \
      org.opencontainers.image.version="${VERSION}"
COPY build/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY build/passwd build/group /etc/
# /data: SQLite database, generated API key, backfill checkpoints. Mount a volume here.
COPY --chown=65532:65532 build/data/ /data/
COPY build/control /control
ENV CONTROL_ADDR=:8080 \
    CONTROL_DATA_DIR=/data
USER 65532:65532
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 CMD ["/control", "healthcheck"]
ENTRYPOINT ["/control"]
