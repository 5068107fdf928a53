package release_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/sink/ghapi"
	"github.com/provenant/provenant/internal/sink/release"
	"github.com/provenant/provenant/internal/testing/fakegithub"
)

// TestUploader_Races covers another run changing the release between our
// read and our write.
func TestUploader_Races(t *testing.T) {
	t.Parallel()
	const name = "app.intoto.jsonl"
	asset := []release.Asset{{Name: name, Data: []byte("ours")}}
	cases := []struct {
		name        string
		theirs      string // what the other run uploads just before our upload
		broken      bool   // our first upload fails upstream, leaving a "starter" asset
		overwrite   bool
		wantActions []string
		wantContent string
		wantErrIs   error
	}{
		{name: "same_content", theirs: "ours", wantActions: []string{"unchanged"}, wantContent: "ours"},
		{name: "other_content", theirs: "theirs", wantContent: "theirs", wantErrIs: release.ErrAssetExists},
		{name: "other_content_overwrite", theirs: "theirs", overwrite: true, wantActions: []string{"replaced"}, wantContent: "ours"},
		{name: "broken_upload_leftover", broken: true, wantActions: []string{"uploaded"}, wantContent: "ours"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, fakegithub.Repo{})
			id := e.seedRelease(t, fakegithub.Release{Tag: "v1"}, nil)
			if tc.theirs != "" {
				e.setBefore(once("POST", "/assets", func() {
					if _, err := e.fake.AddAsset(owner, repo, id, name, "", []byte(tc.theirs)); err != nil {
						t.Error(err)
					}
				}))
			}
			if tc.broken {
				e.fake.FailEndpoint(fakegithub.EndpointUploadAsset, 1, fakegithub.BrokenUpload())
			}
			got, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1", Overwrite: tc.overwrite}, asset)
			if !errors.Is(err, tc.wantErrIs) {
				t.Fatalf("Upload error = %v, want %v", err, tc.wantErrIs)
			}
			if diff := cmp.Diff(tc.wantActions, actions(got)); diff != "" {
				t.Errorf("actions mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]string{name: tc.wantContent}, contents(e.release(t, id))); diff != "" {
				t.Errorf("assets mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUploader_CreateRace: another run creates the release between our
// lookup and our create; we use theirs.
func TestUploader_CreateRace(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	var theirs int64
	e.setBefore(once("POST", "/releases", func() {
		theirs = e.seedRelease(t, fakegithub.Release{Tag: "v1"}, nil)
	}))
	got, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1", Create: true}, twoAssets)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	if got.Created || got.ReleaseID != theirs || len(e.fake.Releases(owner, repo)) != 1 {
		t.Errorf("Upload = %+v, want the other run's release %d and no second one", got, theirs)
	}
}

func TestUploader_Retries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		endpoint string
		times    int
		fault    fakegithub.Fault
		resetIn  time.Duration // when set, the fault is a primary rate limit resetting this far ahead
		attempts int           // WithMaxAttempts; 0 for the default
		// wantSleeps lists the waits; a zero entry means "some backoff".
		wantSleeps []time.Duration
		wantErr    string
	}{
		{name: "bad_gateway_twice", endpoint: fakegithub.EndpointGetReleaseByTag, times: 2, fault: fakegithub.ServerError(502),
			wantSleeps: []time.Duration{0, 0}},
		{name: "secondary_rate_limit", endpoint: fakegithub.EndpointUploadAsset, times: 1, fault: fakegithub.SecondaryRateLimit(time.Second),
			wantSleeps: []time.Duration{time.Second}},
		{name: "secondary_without_retry_after", endpoint: fakegithub.EndpointCreateRelease, times: 1, fault: fakegithub.SecondaryRateLimit(0),
			wantSleeps: []time.Duration{time.Minute}},
		{name: "too_many_requests", endpoint: fakegithub.EndpointListAssets, times: 1, fault: fakegithub.TooManyRequests(2 * time.Second),
			wantSleeps: []time.Duration{2 * time.Second}},
		{name: "primary_resets_soon", endpoint: fakegithub.EndpointListAssets, times: 1, resetIn: 20 * time.Second,
			wantSleeps: []time.Duration{21 * time.Second}},
		{name: "primary_resets_late", endpoint: fakegithub.EndpointListAssets, times: 1, resetIn: 10 * time.Minute,
			wantErr: "rate limit is spent until"},
		{name: "retry_after_too_long", endpoint: fakegithub.EndpointUploadAsset, times: 1, fault: fakegithub.SecondaryRateLimit(10 * time.Minute),
			wantErr: "longer than 2m0s"},
		{name: "gives_up", endpoint: fakegithub.EndpointUploadAsset, times: 10, fault: fakegithub.ServerError(503), attempts: 3,
			wantSleeps: []time.Duration{0, 0}, wantErr: "gave up after 3 attempts"},
		{name: "secondary_message_only", endpoint: fakegithub.EndpointUploadAsset, times: 1, fault: fakegithub.Fault{Status: 403,
			Message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", DocumentationURL: "https://docs.github.com/rest"},
			wantSleeps: []time.Duration{time.Minute}},
		{name: "forbidden_with_retry_after", endpoint: fakegithub.EndpointListAssets, times: 1, fault: fakegithub.Fault{Status: 403,
			Header: http.Header{"Retry-After": {"5"}}, Message: "Forbidden", DocumentationURL: "https://docs.github.com/rest"},
			wantSleeps: []time.Duration{5 * time.Second}},
		{name: "plain_429", endpoint: fakegithub.EndpointListAssets, times: 2, fault: fakegithub.Fault{Status: 429, DocumentationURL: "https://docs.github.com/rest"},
			wantSleeps: []time.Duration{time.Minute, 2 * time.Minute}},
		{name: "forbidden_not_retried", endpoint: fakegithub.EndpointCreateRelease, times: 1, fault: fakegithub.Fault{Status: 403,
			Message: "Resource not accessible by integration", DocumentationURL: "https://docs.github.com/rest"},
			wantErr: "Resource not accessible by integration; the token may lack permission: the workflow needs contents: write"},
		{name: "not_implemented_not_retried", endpoint: fakegithub.EndpointGetReleaseByTag, times: 1, fault: fakegithub.ServerError(501),
			wantErr: "HTTP 501"},
		{name: "not_retried", endpoint: fakegithub.EndpointGetReleaseByTag, times: 1, fault: fakegithub.Fault{Status: 400, Message: "Bad request"},
			wantErr: "HTTP 400: Bad request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, fakegithub.Repo{})
			if tc.resetIn > 0 {
				tc.fault = fakegithub.PrimaryRateLimit(time.Now().Add(tc.resetIn))
			}
			e.fake.FailEndpoint(tc.endpoint, tc.times, tc.fault)
			var opts []release.Option
			if tc.attempts > 0 {
				opts = append(opts, release.WithMaxAttempts(tc.attempts))
			}
			_, err := e.uploader(opts...).Upload(t.Context(), release.Options{Tag: "v1", Create: true}, twoAssets)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Upload: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Upload error = %v, want %q", err, tc.wantErr)
			}
			checkSleeps(t, tc.wantSleeps, e.sleeps.got())
			if tc.wantErr == "" {
				rels := e.fake.Releases(owner, repo)
				if len(rels) != 1 || len(contents(rels[0])) != 2 {
					t.Errorf("releases = %+v, want one with two assets", rels)
				}
			}
		})
	}
}

// checkSleeps compares waits; a zero in want accepts any backoff of at
// most 30s, and Retry-After-derived waits match to the second.
func checkSleeps(t *testing.T, want, got []time.Duration) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("sleeps = %v, want %d of them (%v)", got, len(want), want)
	}
	for i := range want {
		switch {
		case want[i] == 0 && (got[i] <= 0 || got[i] > 30*time.Second):
			t.Errorf("sleep %d = %v, want a backoff", i, got[i])
		case want[i] != 0 && (got[i] < want[i]-time.Second || got[i] > want[i]):
			t.Errorf("sleep %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestUploader_Auth(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	const wrong = "wrong-token-s3cr3t"
	c, err := ghapi.NewClient(e.url+"/api/v3", wrong, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := release.New(c, owner, repo, release.WithSleep(e.sleeps.sleep))
	if err != nil {
		t.Fatal(err)
	}
	_, err = u.Upload(t.Context(), release.Options{Tag: "v1", Create: true}, twoAssets)
	if err == nil {
		t.Fatal("Upload succeeded with a wrong token")
	}
	if msg := err.Error(); strings.Contains(msg, wrong) || strings.Contains(msg, fakegithub.DefaultToken) ||
		!strings.Contains(msg, "401") || !strings.Contains(msg, "github-token") {
		t.Errorf("error = %q: want 401 and a hint, without the token", msg)
	}
	if s := e.sleeps.got(); len(s) != 0 {
		t.Errorf("a 401 was retried: sleeps %v", s)
	}
}

// TestUploader_ImmutableAnswer covers a release that GitHub reports
// mutable but refuses as immutable (it was published meanwhile).
func TestUploader_ImmutableAnswer(t *testing.T) {
	t.Parallel()
	e := setup(t, fakegithub.Repo{})
	e.seedRelease(t, fakegithub.Release{Tag: "v1"}, nil)
	e.fake.FailEndpoint(fakegithub.EndpointUploadAsset, 1, fakegithub.Fault{Status: http.StatusUnprocessableEntity,
		Message: "Cannot upload assets to an immutable release.", DocumentationURL: "https://docs.github.com/rest"})
	_, err := e.uploader().Upload(t.Context(), release.Options{Tag: "v1"}, twoAssets)
	if !errors.Is(err, release.ErrImmutable) || !strings.Contains(err.Error(), "Cannot upload assets to an immutable release.") {
		t.Errorf("Upload error = %v, want ErrImmutable with GitHub's message", err)
	}
}
