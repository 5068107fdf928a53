package stack

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config says which services to run. The fake OIDC issuer and Fulcio always
// run.
type Config struct {
	// Rekor is the transparency log to run: "v1", "v2", "both" or "none".
	Rekor string
	// CT runs a TesseraCT log; Fulcio then embeds SCTs in its certificates.
	CT bool
	// TSA runs a timestamp authority.
	TSA bool
	// Registry runs Debian's docker-registry on 127.0.0.1:15000 and
	// go-containerregistry's registry with the referrers API on
	// 127.0.0.1:15001.
	Registry bool

	// ToolsDir is where scripts/install-tools.sh put the pinned tools.
	// Binaries are looked up in ToolsDir/bin, then on PATH, then in
	// /usr/sbin and /sbin (mariadbd). The default, "", looks on PATH only.
	ToolsDir string
	// Dir is the work dir for keys, storage, logs (Dir/logs) and HOME
	// (Dir/home). The default, "", is a fresh temp dir that Stop removes
	// unless Keep is set. A given Dir is never removed.
	Dir string
	// Keep keeps the temp dir after Stop.
	Keep bool
	// ClaimsFile is a JSON object of claims merged over the fake issuer's
	// defaults; a null value removes a claim. The default is none.
	ClaimsFile string
	// ReadyTimeout bounds the wait for each service. The default is 30s.
	ReadyTimeout time.Duration
	// Logf reports progress: what was built, when each service became
	// ready. The default is a no-op.
	Logf func(format string, args ...any)
}

// DefaultConfig is what ParseArgs starts from: Rekor v2, CT and TSA, no
// registries.
func DefaultConfig() Config {
	return Config{Rekor: "v2", CT: true, TSA: true}
}

// ParseArgs reads mode flags on top of DefaultConfig, so that a mode can be
// written as one string such as "--rekor v1 --ct --no-tsa": the syntax of
// make e2e's E2E_MODES, of internal/e2e's -stack flag and of the
// sigstore-stack command.
//
//	--rekor v1|v2|both|none  (also --rekor=…)
//	--ct, --no-ct, --tsa, --no-tsa, --registry
//
// The result is validated.
func ParseArgs(args []string) (Config, error) {
	cfg := DefaultConfig()
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--rekor":
			if i+1 == len(args) {
				return cfg, errors.New("--rekor needs a value: v1, v2, both or none")
			}
			i++
			cfg.Rekor = args[i]
		case strings.HasPrefix(a, "--rekor="):
			cfg.Rekor = strings.TrimPrefix(a, "--rekor=")
		case a == "--ct", a == "--no-ct":
			cfg.CT = a == "--ct"
		case a == "--tsa", a == "--no-tsa":
			cfg.TSA = a == "--tsa"
		case a == "--registry":
			cfg.Registry = true
		default:
			return cfg, fmt.Errorf("unknown stack option %q (want --rekor v1|v2|both|none, --ct, --no-ct, --tsa, --no-tsa, --registry)", a)
		}
	}
	return cfg, cfg.Validate()
}

// Validate reports every problem with the service choice at once.
func (c Config) Validate() error {
	var errs []error
	switch c.Rekor {
	case "v1", "v2", "both", "none":
	default:
		errs = append(errs, fmt.Errorf("rekor must be v1, v2, both or none, not %q", c.Rekor))
	}
	if c.Rekor == "none" && !c.TSA {
		errs = append(errs, errors.New("no transparency log and no TSA leaves nothing to timestamp a signature; keep the TSA"))
	}
	if c.ReadyTimeout < 0 {
		errs = append(errs, fmt.Errorf("ready timeout %v is negative", c.ReadyTimeout))
	}
	return errors.Join(errs...)
}

// String gives the mode in ParseArgs' syntax, for logs and test names.
func (c Config) String() string {
	s := "--rekor " + c.Rekor
	s += map[bool]string{true: " --ct", false: " --no-ct"}[c.CT]
	s += map[bool]string{true: " --tsa", false: " --no-tsa"}[c.TSA]
	if c.Registry {
		s += " --registry"
	}
	return s
}

func (c Config) rekorV1() bool { return c.Rekor == "v1" || c.Rekor == "both" }
func (c Config) rekorV2() bool { return c.Rekor == "v2" || c.Rekor == "both" }

func (c Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c Config) readyTimeout() time.Duration {
	if c.ReadyTimeout == 0 {
		return 30 * time.Second
	}
	return c.ReadyTimeout
}
