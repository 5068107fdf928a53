package workflowtest

import (
	"strings"
	"testing"
)

// node24 pins each of GitHub's actions we use to a release of its current
// major that runs on Node 24 (`runs.using: node24` in its action.yml),
// by the commit its tag names. Older majors run on Node 20, which GitHub
// retires from its runners.
var node24 = map[string]string{
	"actions/checkout":          "3d3c42e5aac5ba805825da76410c181273ba90b1", // v7.0.1
	"actions/download-artifact": "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", // v8.0.1
	"actions/setup-go":          "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", // v7.0.0
	"actions/upload-artifact":   "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", // v7.0.0
}

// TestActionsRunOnNode24: every actions/* step uses the pinned release of
// the table above, so that the workflows run on GitHub's current runners
// without deprecation warnings, and all of them move together.
func TestActionsRunOnNode24(t *testing.T) {
	for path, w := range files(t) {
		for job, j := range w.Jobs {
			for _, s := range j.Steps {
				action, sha, ok := strings.Cut(s.Uses, "@")
				if !ok || !strings.HasPrefix(action, "actions/") {
					continue
				}
				want, known := node24[action]
				switch {
				case !known:
					t.Errorf("%s: job %s uses %s, which has no Node 24 pin in the table", path, job, action)
				case sha != want:
					t.Errorf("%s: job %s uses %s@%s, want @%s", path, job, action, sha, want)
				}
			}
		}
	}
}
