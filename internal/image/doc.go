// Package image assembles provenant's container action image without a
// Docker engine: the same image the Dockerfile describes, built with
// go-containerregistry onto an empty base.
//
// The image has one layer holding the static binary at /provenant and a CA
// bundle at /etc/ssl/certs/ca-certificates.crt; its entrypoint is
// ["/provenant"] and it has no Cmd, so the action's `args: [attest]` (or a
// `docker run … subjects`) chooses the command, as with the Dockerfile. It
// declares no USER: the runner mounts the workspace owned by its own user and
// expects a container action to run as root.
//
// Images are reproducible: the same binary, bundle, labels and creation time
// give the same digest. Tar entries are sorted, owned by uid/gid 0 with no
// user names, and carry the creation time (default: the Unix epoch), and the
// gzip stream has no timestamp.
//
// The package writes only to the registry it is asked to push to. It must
// not import the front ends (internal/cli, internal/action).
package image
