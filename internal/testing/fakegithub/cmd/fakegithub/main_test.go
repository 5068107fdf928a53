package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// started is a running command.
type started struct {
	api  string // GITHUB_API_URL from the readiness line
	root string // http://<addr>
	done chan error
	stop context.CancelFunc
}

// start runs the command in the background and waits for its readiness
// line.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	s := &started{done: make(chan error, 1), stop: cancel}
	go func() {
		err := run(ctx, args, pw)
		pw.CloseWithError(errors.New("run returned"))
		s.done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if err != nil {
		cancel()
		t.Fatalf("no readiness line: %v (run: %v)", err, <-s.done)
	}
	m := regexp.MustCompile(`^fakegithub: serving GITHUB_API_URL=(http://([^/ ]+)\S*) on \S+\n$`).FindStringSubmatch(line)
	if m == nil {
		cancel()
		t.Fatalf("readiness line = %q", line)
	}
	s.api, s.root = m[1], "http://"+m[2]
	t.Cleanup(cancel)
	return s
}

func request(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

type state struct {
	Repos []struct {
		Owner    string `json:"owner"`
		Name     string `json:"name"`
		Private  bool   `json:"private"`
		Releases []struct {
			Tag string `json:"tag"`
		} `json:"releases"`
	} `json:"repos"`
	Requests map[string]int `json:"requests"`
}

func TestRun_ServeAndDumpState(t *testing.T) {
	t.Parallel()
	stateFile := filepath.Join(t.TempDir(), "state.json")
	s := start(t, "--listen", "127.0.0.1:0", "--token", "tok", "--state", stateFile, "--api-prefix", "/api/v3", "--repo", "o/private,private")
	if !strings.HasSuffix(s.api, "/api/v3") {
		t.Errorf("GITHUB_API_URL = %q, want the prefix", s.api)
	}
	if code, _ := request(t, "POST", s.api+"/repos/o/r/releases", "tok", `{"tag_name":"v1"}`); code != http.StatusCreated {
		t.Errorf("create release = %d, want 201", code)
	}
	if code, _ := request(t, "POST", s.api+"/repos/o/r/releases", "bad", `{"tag_name":"v2"}`); code != http.StatusUnauthorized {
		t.Errorf("wrong token = %d, want 401", code)
	}
	code, live := request(t, "GET", s.root+"/_fake/state", "", "")
	if code != http.StatusOK {
		t.Fatalf("GET /_fake/state = %d", code)
	}
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	dumped, err := os.ReadFile(stateFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(live, dumped) {
		t.Errorf("state file differs from the live state:\n%s\nvs\n%s", dumped, live)
	}
	var got state
	if err := json.Unmarshal(dumped, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Repos) != 2 || got.Repos[0].Name != "private" || !got.Repos[0].Private ||
		got.Repos[1].Name != "r" || len(got.Repos[1].Releases) != 1 || got.Repos[1].Releases[0].Tag != "v1" {
		t.Errorf("state = %+v", got)
	}
	if diff := cmp.Diff(map[string]int{"POST /repos/{owner}/{repo}/releases": 2}, got.Requests); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

func TestRun_Usage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		args    []string
		wantErr error
		wantOut string
	}{
		{"no_token", []string{"--listen", "127.0.0.1:0"}, errUsage, "--token is required"},
		{"extra_args", []string{"--token", "t", "x"}, errUsage, "unexpected arguments"},
		{"bad_repo", []string{"--token", "t", "--repo", "norepo"}, errUsage, "is not owner/name"},
		{"bad_attribute", []string{"--token", "t", "--repo", "o/r,public"}, errUsage, "unknown repository attribute"},
		{"bad_prefix", []string{"--token", "t", "--api-prefix", "api"}, nil, ""},
		{"help", []string{"-h"}, nil, "-listen address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			err := run(t.Context(), tc.args, &stderr)
			if tc.name == "bad_prefix" {
				if err == nil || !strings.Contains(err.Error(), "WithAPIPrefix") {
					t.Errorf("run error = %v, want a prefix error", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || !strings.Contains(stderr.String(), tc.wantOut) {
				t.Errorf("run error = %v, stderr %q; want %v and %q", err, stderr.String(), tc.wantErr, tc.wantOut)
			}
		})
	}
}
