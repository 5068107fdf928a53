package subject

import (
	"path/filepath"
	"testing"
	"time"
)

// TestHasher_hashesWhileMatching checks that a file handed to the hasher is
// hashed before the input ends, so hashing overlaps matching, and that wait
// returns every job in the order added.
func TestHasher_hashesWhileMatching(t *testing.T) {
	t.Parallel()
	ws := tree(t, map[string]string{"a": "first", "b": "second"})
	h := newHasher(t.Context(), &options{concurrency: 1})
	if err := h.add(pathFile{rel: "a", real: filepath.Join(ws, "a")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for h.m.files.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first file was not hashed before the input ended")
		}
		time.Sleep(time.Millisecond)
	}
	if err := h.add(pathFile{rel: "b", real: filepath.Join(ws, "b")}); err != nil {
		t.Fatal(err)
	}
	jobs, err := h.wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 || jobs[0].file.rel != "a" || jobs[1].file.rel != "b" {
		t.Fatalf("wait() returned %d jobs; want a, b in order", len(jobs))
	}
	for i, want := range []string{sum256("first"), sum256("second")} {
		if jobs[i].err != nil || jobs[i].sum != want {
			t.Errorf("job %s = %q, %v; want %q", jobs[i].file.rel, jobs[i].sum, jobs[i].err, want)
		}
	}
}

// TestHasher_noFiles checks that a hasher given nothing starts no work and
// reports nothing.
func TestHasher_noFiles(t *testing.T) {
	t.Parallel()
	called := false
	h := newHasher(t.Context(), &options{concurrency: 2, progress: func(Progress) { called = true }})
	jobs, err := h.wait()
	if jobs != nil || err != nil || called {
		t.Errorf("wait() = %v, %v, progress called %v; want nil, nil, false", jobs, err, called)
	}
}
