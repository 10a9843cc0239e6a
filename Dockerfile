# Multi-stage build: a static payouts binary on a minimal base, run as a
# non-root user, the scheduler (`payouts serve`) by default.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/payouts ./cmd/payouts

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/payouts /usr/local/bin/payouts
USER nonroot:nonroot
ENV PAYOUTS_OUT=/var/lib/payouts/out
ENTRYPOINT ["/usr/local/bin/payouts"]
CMD ["serve"]
