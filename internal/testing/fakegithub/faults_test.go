package fakegithub_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/testing/fakegithub"
)

func TestServer_Attestations(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		repo       fakegithub.Repo
		body       string
		wantStatus int
		wantMsg    string
	}{
		{name: "created", body: `{"bundle":` + bundle + `}`, wantStatus: 201},
		{name: "private_enterprise", repo: fakegithub.Repo{Private: true, EnterpriseCloud: true}, body: `{"bundle":` + bundle + `}`, wantStatus: 201},
		{name: "private_no_plan", repo: fakegithub.Repo{Private: true}, body: `{"bundle":` + bundle + `}`, wantStatus: 403,
			wantMsg: "Feature not available for user-owned private repositories. To enable this feature, please make this repository public."},
		{name: "bundle_as_string", body: `{"bundle":"{}"}`, wantStatus: 422},
		{name: "no_bundle", body: `{}`, wantStatus: 422},
		{name: "no_media_type", body: `{"bundle":{"verificationMaterial":{},"dsseEnvelope":{}}}`, wantStatus: 422},
		{name: "not_json", body: `[`, wantStatus: 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, tc.repo)
			got := api(t, "POST", ts.APIURL+"/repos/octo-org/octo-repo/attestations", []byte(tc.body))
			if got.status != tc.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tc.wantStatus, got.body)
			}
			stored := ts.Attestations(owner, name)
			if tc.wantStatus != 201 {
				doc := decode[errorDoc](t, got.body)
				if doc.DocumentationURL != "https://docs.github.com/rest/repos/attestations#create-an-attestation" ||
					(tc.wantMsg != "" && doc.Message != tc.wantMsg) || len(stored) != 0 {
					t.Errorf("body = %s, stored %d", got.body, len(stored))
				}
				return
			}
			id := decode[map[string]int64](t, got.body)["id"]
			want := []fakegithub.Attestation{{ID: id, Bundle: []byte(bundle)}}
			if diff := cmp.Diff(want, stored); diff != "" {
				t.Errorf("stored mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestServer_Faults(t *testing.T) {
	t.Parallel()
	reset := time.Now().Add(30 * time.Second).Truncate(time.Second)
	cases := []struct {
		name        string
		fault       fakegithub.Fault
		method      string
		wantStatus  int
		wantHeaders map[string]string
		wantMsg     string // a regexp
		wantDoc     string
	}{
		{name: "bad_gateway", fault: fakegithub.ServerError(502), method: "GET", wantStatus: 502, wantMsg: "^Server Error$", wantDoc: "https://docs.github.com/rest"},
		{name: "secondary_get", fault: fakegithub.SecondaryRateLimit(time.Second), method: "GET", wantStatus: 403,
			wantHeaders: map[string]string{"Retry-After": "1"},
			wantMsg:     `^You have exceeded a secondary rate limit\. Please wait a few minutes before you try again\. If you reach out to GitHub Support for help, please include the request ID [0-9A-F:]+\.$`,
			wantDoc:     "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
		{name: "secondary_post", fault: fakegithub.SecondaryRateLimit(1500 * time.Millisecond), method: "POST", wantStatus: 403,
			wantHeaders: map[string]string{"Retry-After": "2"},
			wantMsg:     `^You have exceeded a secondary rate limit and have been temporarily blocked from content creation\.`,
			wantDoc:     "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
		{name: "secondary_no_retry_after", fault: fakegithub.SecondaryRateLimit(0), method: "GET", wantStatus: 403,
			wantHeaders: map[string]string{"Retry-After": ""}, wantMsg: "secondary rate limit",
			wantDoc: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
		{name: "too_many_requests", fault: fakegithub.TooManyRequests(3 * time.Second), method: "GET", wantStatus: 429,
			wantHeaders: map[string]string{"Retry-After": "3"}, wantMsg: "secondary rate limit",
			wantDoc: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"},
		{name: "primary", fault: fakegithub.PrimaryRateLimit(reset), method: "GET", wantStatus: 403,
			wantHeaders: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10)},
			wantMsg:     "^API rate limit exceeded", wantDoc: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newServer(t, fakegithub.Repo{})
			url := ts.APIURL + "/repos/octo-org/octo-repo/releases"
			ts.FailPath(tc.method, "/repos/*/*/releases", 2, tc.fault)
			for i := range 3 {
				got := api(t, tc.method, url, []byte(`{"tag_name":"v1"}`))
				if i == 2 {
					if got.status >= 300 {
						t.Errorf("third request = %d, want success", got.status)
					}
					break
				}
				checkFault(t, got, tc.wantStatus, tc.wantHeaders, tc.wantMsg, tc.wantDoc)
			}
			if ts.FaultsLeft() != 0 {
				t.Errorf("FaultsLeft = %d, want 0", ts.FaultsLeft())
			}
		})
	}
}

func checkFault(t *testing.T, got reply, status int, headers map[string]string, msg, doc string) {
	t.Helper()
	if got.status != status {
		t.Fatalf("status = %d, want %d", got.status, status)
	}
	for k, v := range headers {
		if got.header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.header.Get(k), v)
		}
	}
	d := decode[errorDoc](t, got.body)
	if !regexp.MustCompile(msg).MatchString(d.Message) || d.DocumentationURL != doc || d.Status != strconv.Itoa(status) {
		t.Errorf("body = %s", got.body)
	}
}

func TestServer_FailEndpointOrder(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	ts.FailEndpoint(fakegithub.EndpointGetReleaseByTag, 1, fakegithub.ServerError(502))
	ts.FailEndpoint(fakegithub.EndpointGetReleaseByTag, 1, fakegithub.ServerError(503))
	ts.FailEndpoint(fakegithub.EndpointListReleases, 1, fakegithub.ServerError(500))
	var got []int
	for range 3 {
		got = append(got, api(t, "GET", ts.APIURL+"/repos/octo-org/octo-repo/releases/tags/v1", nil).status)
	}
	if diff := cmp.Diff([]int{502, 503, 404}, got); diff != "" {
		t.Errorf("statuses mismatch (-want +got):\n%s", diff)
	}
	if n := ts.Requests(fakegithub.EndpointGetReleaseByTag); n != 3 {
		t.Errorf("requests = %d, want 3", n)
	}
	if ts.FaultsLeft() != 1 {
		t.Errorf("FaultsLeft = %d, want 1", ts.FaultsLeft())
	}
}

func TestServer_BrokenUpload(t *testing.T) {
	t.Parallel()
	ts := newServer(t, fakegithub.Repo{})
	id := mustRelease(t, ts, fakegithub.Release{Tag: "v1"})
	ts.FailEndpoint(fakegithub.EndpointUploadAsset, 1, fakegithub.BrokenUpload())
	url := uploadURL(t, ts, id, "a.txt")
	if got := api(t, "POST", url, []byte("x")); got.status != http.StatusBadGateway {
		t.Fatalf("first upload = %d, want 502", got.status)
	}
	if got := api(t, "POST", url, []byte("x")); got.status != http.StatusUnprocessableEntity {
		t.Fatalf("second upload = %d, want 422", got.status)
	}
	assets := ts.Releases(owner, name)[0].Assets
	want := []fakegithub.Asset{{ID: assets[0].ID, Name: "a.txt", ContentType: "application/octet-stream", State: "starter"}}
	if diff := cmp.Diff(want, assets); diff != "" {
		t.Errorf("assets mismatch (-want +got):\n%s", diff)
	}
	list := decode[[]map[string]any](t, api(t, "GET", fmt.Sprintf("%s/repos/octo-org/octo-repo/releases/%d/assets", ts.APIURL, id), nil).body)
	if len(list) != 1 || list[0]["state"] != "starter" || list[0]["digest"] != nil {
		t.Errorf("listed assets = %v", list)
	}
}
