# metabeta in a container: a static binary that embeds the default model
# (testdata/models/default.mbw) and the real datasets, run as a non-root user.
#
#   docker build -t metabeta:latest .
#   docker run --rm metabeta:latest validate --quick --out /tmp/quick
#
# The runtime image is Alpine rather than distroless so that the Kubernetes
# recipe in README.md can compute the shard number with sh.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that a source change does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/metabeta ./cmd/metabeta

FROM alpine:3.22
RUN addgroup -S -g 10001 metabeta && adduser -S -D -u 10001 -G metabeta -h /home/metabeta metabeta
COPY --from=build /out/metabeta /usr/local/bin/metabeta
USER 10001:10001
WORKDIR /home/metabeta
ENTRYPOINT ["metabeta"]
