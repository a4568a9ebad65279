# matomo-sink: a Matomo-compatible tracking target that counts what it receives (GET /summary),
# for demos and end-to-end tests without a Matomo. Build with `make images`.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="trafficinator-matomo-sink" \
      org.opencontainers.image.description="A Matomo-compatible tracking target for dry runs: validates and counts, stores nothing" \
      org.opencontainers.image.vendor="Trafficinator" \
      org.opencontainers.image.version="${VERSION}"
COPY build/passwd build/group /etc/
COPY build/matomo-sink /matomo-sink
USER 65532:65532
EXPOSE 8080
# The token comes from SINK_TOKEN. Overriding -addr also needs the healthcheck's -addr changed.
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/matomo-sink", "-healthcheck", "-addr", "127.0.0.1:8080"]
ENTRYPOINT ["/matomo-sink"]
CMD ["-addr", ":8080", "-sites", "1"]
