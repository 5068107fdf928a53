package action

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/provenant/provenant/internal/httpretry"
	"github.com/provenant/provenant/internal/redact"
)

// maxEventSize caps the event payload read from GITHUB_EVENT_PATH. GitHub
// caps webhook payloads at 25 MB.
const maxEventSize = 32 << 20

// Env is the runner environment of one provenant process.
type Env struct {
	gha    *githubactions.Action
	getenv func(string) string
	getwd  func() (string, error)
	retry  *httpretry.Retrier
}

type options struct {
	getenv func(string) string
	out    io.Writer
	client *http.Client
	getwd  func() (string, error)
	retry  []httpretry.Option
}

// Option configures an Env.
type Option func(*options) error

// WithGetenv sets the environment reader. The default is os.Getenv.
func WithGetenv(f func(string) string) Option {
	return func(o *options) error {
		if f == nil {
			return errors.New("action: the environment reader is nil")
		}
		o.getenv = f
		return nil
	}
}

// WithWriter sets where workflow commands (masks, annotations, groups) go.
// The default is os.Stdout, which the runner reads.
func WithWriter(w io.Writer) Option {
	return func(o *options) error {
		if w == nil {
			return errors.New("action: the writer is nil")
		}
		o.out = w
		return nil
	}
}

// WithTokenRetry sets how fetching the OIDC token is retried, as
// httpretry options. The default is httpretry's: four attempts with
// backoff from 500ms, within 30 seconds in all.
func WithTokenRetry(opts ...httpretry.Option) Option {
	return func(o *options) error {
		o.retry = append(o.retry, opts...)
		return nil
	}
}

// WithHTTPClient sets the client for the OIDC token request. Its redirect
// policy is replaced by provenant's: redirects only to the same origin.
// The default has a 30s timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) error {
		if c == nil {
			return errors.New("action: the HTTP client is nil")
		}
		o.client = c
		return nil
	}
}

// New returns the Env. Inside Actions it masks the token-request credential
// at once, before anything else can print it.
func New(opts ...Option) (*Env, error) {
	o := options{getenv: os.Getenv, out: os.Stdout, getwd: os.Getwd,
		client: &http.Client{Timeout: 30 * time.Second, CheckRedirect: sameOrigin}}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	client := *o.client
	client.CheckRedirect = sameOrigin
	o.client = &client
	retry, err := httpretry.NewRetrier(append([]httpretry.Option{httpretry.WithDeadline(30 * time.Second)}, o.retry...)...)
	if err != nil {
		return nil, fmt.Errorf("action: %w", err)
	}
	e := &Env{
		gha: githubactions.New(githubactions.WithGetenv(o.getenv), githubactions.WithWriter(o.out),
			githubactions.WithHTTPClient(o.client)),
		getenv: o.getenv,
		getwd:  o.getwd,
		retry:  retry,
	}
	if e.InActions() {
		e.Mask(e.getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
		e.Mask(e.getenv("ACTIONS_RUNTIME_TOKEN"))
	}
	return e, nil
}

// Getenv returns an environment variable.
func (e *Env) Getenv(name string) string { return e.getenv(name) }

// InActions reports whether the process runs as a GitHub Actions step.
func (e *Env) InActions() bool { return e.getenv("GITHUB_ACTIONS") == "true" }

// Input returns the action input of that name and whether it is non-empty.
// Outside Actions there are no inputs.
func (e *Env) Input(name string) (string, bool) {
	if !e.InActions() {
		return "", false
	}
	v := e.getenv("INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_")))
	return v, strings.TrimSpace(v) != ""
}

// Mask tells the runner to hide a secret in all later log output, in
// every form redact.Forms lists (as it is, base64, URL-escaped), since
// masking matches exact text. The runner masks line by line, so each line
// of a multi-line secret is masked too. Outside Actions, and for empty
// values, it does nothing.
func (e *Env) Mask(secret string) {
	if strings.TrimSpace(secret) == "" || !e.InActions() {
		return
	}
	seen := map[string]bool{}
	mask := func(v string) {
		for _, line := range strings.Split(v, "\n") {
			if strings.TrimSpace(line) != "" && !seen[line] {
				seen[line] = true
				e.gha.AddMask(line)
			}
		}
	}
	for _, f := range redact.Forms(secret) {
		mask(f)
	}
	if strings.Contains(secret, "\n") {
		for _, line := range strings.Split(secret, "\n") {
			if strings.TrimSpace(line) != "" {
				for _, f := range redact.Forms(line) {
					mask(f)
				}
			}
		}
	}
}

// Workspace returns the absolute workspace directory: GITHUB_WORKSPACE, or
// the working directory outside Actions.
func (e *Env) Workspace() (string, error) {
	ws := e.getenv("GITHUB_WORKSPACE")
	if ws == "" {
		wd, err := e.getwd()
		if err != nil {
			return "", fmt.Errorf("finding the working directory: %w", err)
		}
		ws = wd
	}
	abs, err := filepath.Abs(ws)
	if err != nil {
		return "", fmt.Errorf("resolving workspace %q: %w", ws, err)
	}
	return abs, nil
}

// ServerURL returns GITHUB_SERVER_URL without a trailing slash, defaulting
// to https://github.com.
func (e *Env) ServerURL() string {
	if s := strings.TrimRight(e.getenv("GITHUB_SERVER_URL"), "/"); s != "" {
		return s
	}
	return "https://github.com"
}

// APIURL returns GITHUB_API_URL without a trailing slash. Unset (outside
// Actions), it is derived from the server: https://api.github.com for
// github.com, <server>/api/v3 for GitHub Enterprise Server.
func (e *Env) APIURL() string {
	if s := strings.TrimRight(e.getenv("GITHUB_API_URL"), "/"); s != "" {
		return s
	}
	if srv := e.ServerURL(); srv != "https://github.com" {
		return srv + "/api/v3"
	}
	return "https://api.github.com"
}

// containerWorkspace is where the runner mounts the workspace into a
// container action.
const containerWorkspace = "/github/workspace"

// InContainer reports whether the process runs as a container action: in
// Actions, with the workspace at /github/workspace. Such a process sees
// only the workspace, /github/home, /github/workflow and the file-command
// files; the runner's other directories (RUNNER_TEMP, the tool cache) are
// named in the environment but not mounted.
func (e *Env) InContainer() bool {
	return e.InActions() && filepath.Clean(e.getenv("GITHUB_WORKSPACE")) == containerWorkspace
}

// TempDir returns RUNNER_TEMP, the runner's per-job temporary directory,
// or "" outside Actions and in a container action, where RUNNER_TEMP names
// a directory of the host that is not mounted. "" means the process's own
// temporary directory.
func (e *Env) TempDir() string {
	if e.InContainer() {
		return ""
	}
	return e.getenv("RUNNER_TEMP")
}

// Event reads the webhook payload at GITHUB_EVENT_PATH. It returns nil when
// the variable is unset (a local run) and an error when the file is missing,
// too large or not JSON.
func (e *Env) Event() (json.RawMessage, error) {
	p := e.getenv("GITHUB_EVENT_PATH")
	if p == "" {
		return nil, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("reading the event payload (GITHUB_EVENT_PATH): %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEventSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the event payload %s: %w", p, err)
	}
	if len(b) > maxEventSize {
		return nil, fmt.Errorf("the event payload %s is larger than %d MiB", p, maxEventSize>>20)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("the event payload %s is not valid JSON", p)
	}
	return b, nil
}

// ErrNoToken means the job cannot get an OIDC token.
var ErrNoToken = errors.New("no GitHub OIDC token is available: the job needs `permissions: id-token: write` " +
	"(add it to the job, or to the workflow), and pull requests from forks never get a token; " +
	"outside GitHub Actions, ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN must be set")

// Token fetches an OIDC token for the audience from the Actions runtime,
// retrying 5xx, 429 and dropped connections (httpretry), and masks it
// before returning it.
func (e *Env) Token(ctx context.Context, audience string) (string, error) {
	if e.getenv("ACTIONS_ID_TOKEN_REQUEST_URL") == "" || e.getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN") == "" {
		return "", ErrNoToken
	}
	var tok string
	_, err := e.retry.Do(ctx, func(ctx context.Context) error {
		var err error
		tok, err = e.gha.GetIDToken(ctx, audience)
		return err
	}, transient)
	if err != nil {
		// Scrub every form of the request token, and URL query values,
		// from what the token service or a redirect put in the error.
		return "", redact.Error(fmt.Errorf("fetching the OIDC token from %s: %w", tokenURL(e.getenv("ACTIONS_ID_TOKEN_REQUEST_URL")),
			describeTokenError(err)),
			e.getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
	}
	if tok == "" {
		return "", errors.New("fetching the OIDC token: the token service answered without a token")
	}
	e.Mask(tok)
	return tok, nil
}

// tokenURL is the token service's address for messages: without
// credentials, query or fragment.
func tokenURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "ACTIONS_ID_TOKEN_REQUEST_URL"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return redact.URL(u.String())
}

// transient retries what httpretry's Transport would: 5xx but 501, 429,
// and temporary network errors, including an attempt's own timeout.
func transient(err error, _ int) (time.Duration, bool) {
	var rf *githubactions.RequestFailedError
	if errors.As(err, &rf) {
		return httpretry.UseBackoff, httpretry.TemporaryStatus(rf.StatusCode)
	}
	return httpretry.UseBackoff, httpretry.TemporaryAttempt(err)
}

// errForeignRedirect refuses a redirect away from the token service.
var errForeignRedirect = errors.New("the token service redirected to another host; provenant follows no redirect away " +
	"from ACTIONS_ID_TOKEN_REQUEST_URL")

// sameOrigin lets the token request follow a redirect only to the same
// scheme and host, and at most five times.
func sameOrigin(req *http.Request, via []*http.Request) error {
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) {
		return errForeignRedirect
	}
	if len(via) >= 5 {
		return errors.New("the token service redirected more than five times")
	}
	return nil
}

func describeTokenError(err error) error {
	if errors.Is(err, errForeignRedirect) {
		return errForeignRedirect
	}
	var rf *githubactions.RequestFailedError
	if errors.As(err, &rf) {
		switch rf.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("the token service refused the request (HTTP %d): the job's id-token permission may be missing or the request token expired", rf.StatusCode)
		default:
			return fmt.Errorf("the token service answered HTTP %d", rf.StatusCode)
		}
	}
	return err
}
