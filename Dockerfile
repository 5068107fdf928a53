# provenant's container action image: a static binary on an empty base with
# CA certificates. The runner mounts the workspace owned by its own user and
# expects container actions to run as the image's default user, root; a
# USER line would make the workspace unwritable.
#
# On any commit but a release tag, action.yml says `image: Dockerfile` and
# the runner builds this file on every run, so it is kept fast: a small
# base pinned by digest (golang 1.26.8 on Alpine 3.24, 71 MB for amd64,
# against 312 MB for the Debian one; its CA bundle is Alpine's
# ca-certificates), the modules downloaded in a layer of their own that
# only go.mod and go.sum invalidate, and a build context that holds only
# what the build reads (.dockerignore). Release tags pull the image `make
# image` built instead (RELEASING.md).
FROM golang:1.26-alpine@sha256:ce864e7223ac17b1775e6fd0b4c0db580c2eb50e7953a427916379e4b92a1628 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN go mod download
COPY cmd/ cmd/
COPY internal/ internal/
ARG VERSION=devel
RUN go build -trimpath -ldflags "-s -w -X github.com/provenant/provenant/internal/cli.version=${VERSION}" \
      -o /out/provenant ./cmd/provenant

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/provenant /provenant
ENTRYPOINT ["/provenant"]
