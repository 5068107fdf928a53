# provenant's container action image: a static binary on an empty base with
# CA certificates. The runner mounts the workspace owned by its own user and
# expects container actions to run as the image's default user, root; a
# USER line would make the workspace unwritable.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/provenant/provenant/internal/cli.version=${VERSION}" \
      -o /out/provenant ./cmd/provenant

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/provenant /provenant
ENTRYPOINT ["/provenant"]
