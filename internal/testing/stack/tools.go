package stack

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// installGroup maps each binary to the scripts/install-tools.sh group that
// installs it.
var installGroup = map[string]string{
	"fulcio": "stack", "timestamp-server": "stack", "tesseract-posix": "stack",
	"rekor-tiles-posix": "stack", "docker-registry": "stack",
	"trillian_log_server": "rekor-v1", "trillian_log_signer": "rekor-v1", "createtree": "rekor-v1",
	"rekor-server": "rekor-v1", "mariadbd": "rekor-v1", "mariadb-install-db": "rekor-v1",
	"mariadb": "rekor-v1", "mariadb-admin": "rekor-v1",
	"cosign": "verifiers", "gh": "verifiers",
}

// Tools lists the binaries the services of c need.
func (c Config) Tools() []string {
	tools := []string{"fulcio"}
	if c.TSA {
		tools = append(tools, "timestamp-server")
	}
	if c.CT {
		tools = append(tools, "tesseract-posix")
	}
	if c.rekorV2() {
		tools = append(tools, "rekor-tiles-posix")
	}
	if c.rekorV1() {
		tools = append(tools, "trillian_log_server", "trillian_log_signer", "createtree", "rekor-server",
			"mariadbd", "mariadb-install-db", "mariadb", "mariadb-admin")
	}
	if c.Registry {
		tools = append(tools, "docker-registry")
	}
	return tools
}

// MissingToolsError lists binaries that were not found.
type MissingToolsError struct {
	Tools  []string // the missing binaries
	Groups []string // the install-tools.sh groups that install them
}

func (e *MissingToolsError) Error() string {
	return fmt.Sprintf("missing %s; scripts/install-tools.sh %s installs them (and PROVENANT_TOOLS says where)",
		strings.Join(e.Tools, ", "), strings.Join(e.Groups, " "))
}

// MissingTools returns a *MissingToolsError naming every binary that c's
// services, and the extra ones given (cosign, gh), lack in toolsDir/bin, on
// PATH and in /usr/sbin and /sbin; nil if none is missing.
func MissingTools(c Config, toolsDir string, extra ...string) error {
	e := &MissingToolsError{}
	for _, t := range append(c.Tools(), extra...) {
		if _, err := lookTool(toolsDir, t); err != nil {
			e.Tools = append(e.Tools, t)
			if g := installGroup[t]; g != "" && !slices.Contains(e.Groups, g) {
				e.Groups = append(e.Groups, g)
			}
		}
	}
	if len(e.Tools) == 0 {
		return nil
	}
	return e
}

// lookTool finds a binary the way Config.ToolsDir documents.
func lookTool(toolsDir, name string) (string, error) {
	if toolsDir != "" {
		if p := filepath.Join(toolsDir, "bin", name); isExecutable(p) {
			return filepath.Abs(p)
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	for _, d := range []string{"/usr/sbin", "/sbin"} {
		if p := filepath.Join(d, name); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s is not in the tools dir, on PATH, or in /usr/sbin or /sbin", name)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// searchPath is PATH as the stack's users should see it: the tools first,
// the system directories last.
func searchPath(toolsDir, path string) string {
	parts := []string{}
	if toolsDir != "" {
		parts = append(parts, filepath.Join(toolsDir, "bin"))
	}
	if path != "" {
		parts = append(parts, path)
	}
	return strings.Join(append(parts, "/usr/sbin", "/sbin"), string(os.PathListSeparator))
}
