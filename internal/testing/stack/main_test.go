package stack

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// toolsDir is where the live tests look for the pinned binaries.
var toolsDir string

// TestMain re-runs the test binary in a private network namespace when the
// services are installed, so TestStack_live can start them; without them,
// or with -short, everything else runs as it is.
func TestMain(m *testing.M) {
	flag.Parse()
	toolsDir = DefaultToolsDir()
	if !testing.Short() && MissingTools(Config{Rekor: "none", TSA: true}, toolsDir) == nil {
		code, reexeced, err := Isolate()
		if err != nil {
			fmt.Fprintln(os.Stderr, "stack:", err)
			os.Exit(1)
		}
		if reexeced {
			os.Exit(code)
		}
	}
	os.Exit(m.Run())
}
