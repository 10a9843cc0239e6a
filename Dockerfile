# Multi-stage build: a static payouts binary on a minimal base, run as a
# non-root user, the scheduler (`payouts serve`) by default.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/payouts ./cmd/payouts \
 && mkdir -p /out/state/out

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/payouts /usr/local/bin/payouts
# The output root, owned by the user the worker runs as (distroless
# nonroot is 65532): the base image has no writable directory for it.
# Mount a volume here so that published runs outlive the container.
COPY --from=build --chown=65532:65532 /out/state /var/lib/payouts
USER 65532:65532
# The admin listener must be reachable from outside the container for
# health checks and scraping: all interfaces, not the loopback default.
ENV PAYOUTS_OUT=/var/lib/payouts/out \
    PAYOUTS_ADMIN_ADDR=:9090
EXPOSE 9090
VOLUME ["/var/lib/payouts"]
ENTRYPOINT ["/usr/local/bin/payouts"]
CMD ["serve"]
