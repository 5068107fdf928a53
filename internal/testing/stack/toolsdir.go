package stack

import (
	"os"
	"path/filepath"
)

// DefaultToolsDir is where scripts/install-tools.sh installs: $PROVENANT_TOOLS,
// or else .tools in the module root above the working directory; "" if
// neither is found.
func DefaultToolsDir() string {
	if d := os.Getenv("PROVENANT_TOOLS"); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return d
		}
		return abs
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, ".tools")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
