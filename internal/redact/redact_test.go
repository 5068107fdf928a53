package redact_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provenant/provenant/internal/redact"
)

// secret has characters that every encoding treats differently: '/' and
// '+' for base64, '?' and ' ' for URLs, and a length that needs padding.
const secret = "s3cr3t/+? pw~x"

func TestForms(t *testing.T) {
	t.Parallel()
	b := []byte(secret)
	want := map[string]string{
		"raw":              secret,
		"base64":           base64.StdEncoding.EncodeToString(b),
		"base64_unpadded":  base64.RawStdEncoding.EncodeToString(b),
		"base64url":        base64.URLEncoding.EncodeToString(b),
		"base64url_unpadd": base64.RawURLEncoding.EncodeToString(b),
		"query_escaped":    url.QueryEscape(secret),
		"path_escaped":     url.PathEscape(secret),
	}
	got := redact.Forms(secret)
	for name, f := range want {
		if !contains(got, f) {
			t.Errorf("Forms lacks the %s form %q: %q", name, f, got)
		}
	}
	for i := 1; i < len(got); i++ {
		if len(got[i]) > len(got[i-1]) {
			t.Errorf("Forms not longest first: %q", got)
		}
		if got[i] == got[i-1] {
			t.Errorf("Forms repeats %q", got[i])
		}
	}
	if f := redact.Forms(""); f != nil {
		t.Errorf("Forms(\"\") = %q, want nil", f)
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	for _, f := range redact.Forms(secret) {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			got := redact.Secrets("before "+f+" after", "other-secret", secret)
			if diff := cmp.Diff("before REDACTED after", got); diff != "" {
				t.Errorf("Secrets mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if got := redact.Secrets("abc abc", "abc"); got != "abc abc" {
		t.Errorf("Secrets replaced a secret shorter than MinLength: %q", got)
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		secrets        []string
	}{
		{name: "url_userinfo_and_query",
			in:   `Get "https://user:pw@r.example/token?scope=repository:a:pull&access_token=abc123": EOF`,
			want: `Get "https://REDACTED@r.example/token?access_token=REDACTED&scope=repository%3Aa%3Apull": EOF`},
		{name: "signed_url_fragment", in: "GET https://objects.example/a?sig=xyz&page=2#frag failed",
			want: "GET https://objects.example/a?page=2&sig=REDACTED failed"},
		{name: "bearer", in: "Authorization: Bearer eyJhbGciOiJFUzI1NiJ9.e30.sig", want: "Authorization: Bearer REDACTED"},
		{name: "basic", in: "sent Basic b2N0b2NhdDpodW50ZXIy", want: "sent Basic REDACTED"},
		{name: "prose_about_basic_auth", in: "registry wants basic authentication", want: "registry wants basic authentication"},
		{name: "secret_in_url_path", secrets: []string{secret},
			in: "GET https://h.example/" + url.PathEscape(secret) + "/x: 404", want: "GET https://h.example/REDACTED/x: 404"},
		{name: "nothing_secret", in: "MANIFEST_UNKNOWN: manifest unknown", want: "MANIFEST_UNKNOWN: manifest unknown"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, redact.Text(tc.in, tc.secrets...)); diff != "" {
				t.Errorf("Text mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"https://api.github.com/repos/o/r/releases":                   "https://api.github.com/repos/o/r/releases",
		"https://x-access-token:ghs_abc@github.com/o/r":               "https://REDACTED@github.com/o/r",
		"https://uploads.github.com/a?name=app.intoto.jsonl&token=t1": "https://uploads.github.com/a?name=app.intoto.jsonl&token=REDACTED",
		"https://h.example/p#access_token=abc":                        "https://h.example/p",
		"://no scheme":                                                "REDACTED",
	}
	for in, want := range cases {
		if got := redact.URL(in); got != want {
			t.Errorf("URL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestError(t *testing.T) {
	t.Parallel()
	if redact.Error(nil, secret) != nil {
		t.Error("Error(nil) is not nil")
	}
	plain := errors.New("nothing to hide")
	if got := redact.Error(plain, secret); got != plain {
		t.Errorf("Error changed an error without secrets: %v", got)
	}
	inner := fmt.Errorf("opening %s: %w", base64.RawURLEncoding.EncodeToString([]byte(secret)), fs.ErrNotExist)
	got := redact.Error(inner, secret)
	if got.Error() != "opening REDACTED: file does not exist" {
		t.Errorf("Error text = %q", got)
	}
	if !errors.Is(got, fs.ErrNotExist) {
		t.Error("Error lost the wrapped error")
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func FuzzText(f *testing.F) {
	f.Add("token here", secret)
	f.Fuzz(func(t *testing.T, text, sec string) {
		if len(sec) < redact.MinLength || strings.Contains(redact.Placeholder, sec) {
			return
		}
		got := redact.Secrets(text+sec+text, sec)
		// The placeholder may itself complete a secret with the text
		// around it ("000" + "REDACTED" holds "000R"): look past it.
		if slices.ContainsFunc(strings.Split(got, redact.Placeholder), func(part string) bool { return strings.Contains(part, sec) }) {
			t.Errorf("Secrets(%q) kept the secret: %q", text+sec+text, got)
		}
	})
}
