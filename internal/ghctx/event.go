package ghctx

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/provenant/provenant/internal/input"
)

// event is what CheckEvent reads from a webhook payload: every field that
// restates a fact the token also states.
type event struct {
	Repository *struct {
		FullName string      `json:"full_name"`
		ID       json.Number `json:"id"`
	} `json:"repository"`
	Ref     *string         `json:"ref"`
	After   *string         `json:"after"`
	Inputs  json.RawMessage `json:"inputs"`
	Number  *json.Number    `json:"number"`
	Release *struct {
		TagName string `json:"tag_name"`
	} `json:"release"`
	PullRequest *struct {
		Base struct {
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
}

// CheckEvent binds the event payload (GITHUB_EVENT_PATH, which any earlier
// step can rewrite) to the verified claims. Every field of the payload that
// restates a fact of the token must be present and agree with it: the
// repository for every event but schedule (whose payload has none), the ref
// and commit of a push, the ref of a workflow_dispatch, the tag of a
// release, the number of a pull request, the base branch of a
// pull_request_target. Only workflow_dispatch payloads may carry inputs.
// An empty payload (a local run) is not checked: nothing is read from it.
func CheckEvent(c Claims, payload json.RawMessage) error {
	if len(payload) == 0 {
		return nil
	}
	var ev event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("decoding the event payload: it is not a webhook payload object (%s)", input.DescribeJSON(err))
	}
	// The v0.2 predicate copies the whole payload, so every value in it,
	// not only the fields read above, must be one a JSON reader can hold.
	var whole any
	if err := json.Unmarshal(payload, &whole); err != nil {
		if path, n, ok := input.OutOfRangeNumber(payload); ok {
			return fmt.Errorf("decoding the event payload: field %q is the number %s, which is out of range: numbers here must lie within ±1.8e308", path, n)
		}
		return fmt.Errorf("decoding the event payload: %s", input.DescribeJSON(err))
	}
	b := binder{c: c}
	b.repository(ev)
	switch c.EventName {
	case "push":
		b.field("ref", ev.Ref, c.Ref)
		b.field("after", ev.After, c.SHA)
	case "workflow_dispatch":
		b.field("ref", ev.Ref, c.Ref)
	case "release":
		b.release(ev)
	case "pull_request":
		b.pullNumber(ev)
	case "pull_request_target":
		b.pullBase(ev)
	}
	if len(ev.Inputs) > 0 && string(ev.Inputs) != "null" && c.EventName != "workflow_dispatch" {
		b.bad = append(b.bad, fmt.Sprintf("event payload inputs: present, but only workflow_dispatch events carry inputs and the token's event is %s", c.EventName))
	}
	if len(b.bad) > 0 {
		return &ForgedError{Mismatches: b.bad}
	}
	return nil
}

// binder collects the disagreements between a payload and the claims.
type binder struct {
	c   Claims
	bad []string
}

func (b *binder) missing(field string) {
	b.bad = append(b.bad, fmt.Sprintf("event payload %s: missing, but a %s event's payload has it", field, b.c.EventName))
}

func (b *binder) differs(field, got, want string) {
	b.bad = append(b.bad, fmt.Sprintf("event payload %s: %q, token says %q", field, got, want))
}

func (b *binder) field(name string, got *string, want string) {
	switch {
	case got == nil:
		b.missing(name)
	case *got != want:
		b.differs(name, *got, want)
	}
}

func (b *binder) repository(ev event) {
	r := ev.Repository
	if r == nil || r.FullName == "" {
		if b.c.EventName != "schedule" || r != nil {
			b.missing("repository.full_name")
		}
		return
	}
	if !strings.EqualFold(r.FullName, b.c.Repository) {
		b.differs("repository.full_name", r.FullName, b.c.Repository)
	}
	if r.ID != "" && b.c.RepositoryID != "" && r.ID.String() != b.c.RepositoryID {
		b.differs("repository.id", r.ID.String(), b.c.RepositoryID)
	}
}

func (b *binder) release(ev event) {
	if ev.Release == nil || ev.Release.TagName == "" {
		b.missing("release.tag_name")
		return
	}
	if ref := "refs/tags/" + ev.Release.TagName; ref != b.c.Ref {
		b.differs("release.tag_name", ev.Release.TagName, b.c.Ref)
	}
}

func (b *binder) pullNumber(ev event) {
	if ev.Number == nil {
		b.missing("number")
		return
	}
	n, err := strconv.ParseUint(ev.Number.String(), 10, 64)
	if want := b.c.Ref; err != nil || fmt.Sprintf("refs/pull/%d/merge", n) != want {
		b.differs("number", ev.Number.String(), want)
	}
}

func (b *binder) pullBase(ev event) {
	if ev.PullRequest == nil || ev.PullRequest.Base.Ref == "" {
		b.missing("pull_request.base.ref")
		return
	}
	if ref := "refs/heads/" + ev.PullRequest.Base.Ref; ref != b.c.Ref {
		b.differs("pull_request.base.ref", ev.PullRequest.Base.Ref, b.c.Ref)
	}
}
