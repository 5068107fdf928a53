package ghctx

import (
	"strings"
	"testing"
)

func TestServiceURL(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"https://github.com", "http://127.0.0.1:8080", "http://127.9.9.9", "http://[::1]:9", "http://localhost:1/x"} {
		if _, err := ServiceURL("u", ok); err != nil {
			t.Errorf("ServiceURL(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"http://github.com", "http://localhost@127.0.0.1:1", "http://localhost.evil.example",
		"http://127.0.0.1.evil.example", "https://user:pw@github.com", "github.com", "https://github.com?x=1", "ftp://github.com", ""} {
		if _, err := ServiceURL("u", bad); err == nil {
			t.Errorf("ServiceURL(%q) accepted", bad)
		}
	}
}

func TestCheckIssuer(t *testing.T) {
	t.Parallel()
	cases := []struct {
		server, iss string
		ok          bool
	}{
		{"https://github.com", "https://token.actions.githubusercontent.com", true},
		{"https://github.com", "https://token.actions.githubusercontent.com/acme", true},
		{"https://acme.ghe.com", "https://token.actions.acme.ghe.com", true},
		{"https://ghes.example.com", "https://ghes.example.com/_services/token", true},
		{"https://github.com", "http://127.0.0.1:5556", true},
		{"https://evil.example", "https://token.actions.githubusercontent.com", false},
		{"http://evil.example", "http://evil.example/_services/token", false},
		{"https://acme.ghe.com", "https://token.actions.other.ghe.com", false},
		{"https://github.com", "https://evil.example/_services/token", false},
	}
	for _, tc := range cases {
		err := CheckIssuer(tc.server, tc.iss)
		if (err == nil) != tc.ok {
			t.Errorf("CheckIssuer(%q, %q) = %v, want ok=%v", tc.server, tc.iss, err, tc.ok)
		}
	}
}

func TestCheckAPIURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		server, api string
		ok          bool
	}{
		{"https://github.com", "https://api.github.com", true},
		{"https://github.com", "https://api.github.com/", true},
		{"https://acme.ghe.com", "https://api.acme.ghe.com", true},
		{"https://ghes.example.com", "https://ghes.example.com/api/v3", true},
		{"https://github.com", "http://127.0.0.1:9/prefix", true},
		{"https://github.com", "http://api.github.com", false},
		{"https://github.com", "https://api.evil.example", false},
		{"https://github.com", "https://api.github.com.evil.example", false},
		{"https://ghes.example.com", "https://ghes.example.com", false},
		{"https://acme.ghe.com", "https://api.github.com", false},
	}
	for _, tc := range cases {
		err := CheckAPIURL(tc.server, tc.api)
		if (err == nil) != tc.ok {
			t.Errorf("CheckAPIURL(%q, %q) = %v, want ok=%v", tc.server, tc.api, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "GITHUB_API_URL") {
			t.Errorf("error does not name GITHUB_API_URL: %v", err)
		}
	}
}
