package subject

import (
	"context"
	"errors"
	"fmt"
	"github.com/provenant/provenant/internal/intoto"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestResolve_paths(t *testing.T) {
	t.Parallel()
	dist := map[string]string{
		"dist/app.tar.gz":             "top",
		"dist/linux/amd64/app.tar.gz": "deep",
		"dist/linux/notes.txt":        "notes",
		"dist/.hidden/x.tar.gz":       "hidden",
		"dist/empty/":                 "",
		"README.md":                   "readme",
	}
	runGood(t, []goodCase{
		{name: "double_star_depth_0_and_2", files: dist, in: Inputs{Paths: "dist/**/*.tar.gz"},
			want: []intoto.Subject{{Name: "dist/.hidden/x.tar.gz", Digest: d256("hidden")}, {Name: "dist/app.tar.gz", Digest: d256("top")}, {Name: "dist/linux/amd64/app.tar.gz", Digest: d256("deep")}}},
		{name: "leading_double_star", files: dist, in: Inputs{Paths: "**/notes.txt"},
			want: []intoto.Subject{{Name: "dist/linux/notes.txt", Digest: d256("notes")}}},
		{name: "trailing_double_star_skips_directories", files: dist, in: Inputs{Paths: "dist/linux/**"},
			want: []intoto.Subject{{Name: "dist/linux/amd64/app.tar.gz", Digest: d256("deep")}, {Name: "dist/linux/notes.txt", Digest: d256("notes")}}},
		{name: "comma_and_newline_separated", files: dist, in: Inputs{Paths: "README.md, dist/*.tar.gz\n\n ./dist/linux/notes.txt ,"},
			want: []intoto.Subject{{Name: "README.md", Digest: d256("readme")}, {Name: "dist/app.tar.gz", Digest: d256("top")}, {Name: "dist/linux/notes.txt", Digest: d256("notes")}}},
		{name: "overlapping_patterns_once", files: dist, in: Inputs{Paths: "dist/*.tar.gz\ndist/app.tar.gz\ndist/**/app.tar.gz"},
			want: []intoto.Subject{{Name: "dist/app.tar.gz", Digest: d256("top")}, {Name: "dist/linux/amd64/app.tar.gz", Digest: d256("deep")}}},
		{name: "basename_style_sorted", files: dist, in: Inputs{Paths: "dist/linux/**, dist/.hidden/*", NameStyle: NameBasename},
			want: []intoto.Subject{{Name: "app.tar.gz", Digest: d256("deep")}, {Name: "notes.txt", Digest: d256("notes")}, {Name: "x.tar.gz", Digest: d256("hidden")}}},
		{name: "basename_same_content_merges", files: map[string]string{"a/x": "same", "b/x": "same"}, in: Inputs{Paths: "*/x", NameStyle: NameBasename},
			want: []intoto.Subject{{Name: "x", Digest: d256("same")}}},
		{name: "question_mark_and_class", files: map[string]string{"v1.bin": "1", "v2.bin": "2", "v10.bin": "10"}, in: Inputs{Paths: "v[12].bin,v?0.bin"},
			want: []intoto.Subject{{Name: "v1.bin", Digest: d256("1")}, {Name: "v10.bin", Digest: d256("10")}, {Name: "v2.bin", Digest: d256("2")}}},
		{name: "glob_matching_dirs_and_files", files: map[string]string{"out/a/": "", "out/b": "b"}, in: Inputs{Paths: "out/*"},
			want: []intoto.Subject{{Name: "out/b", Digest: d256("b")}}},
		{name: "symlink_inside_workspace", files: map[string]string{"real/a.bin": "a", "dist/a.bin": "->../real/a.bin"}, in: Inputs{Paths: "dist/*.bin"},
			want: []intoto.Subject{{Name: "dist/a.bin", Digest: d256("a")}}},
		{name: "symlinked_literal_prefix_followed", files: map[string]string{"build/a.bin": "a", "dist": "->build"}, in: Inputs{Paths: "dist/*.bin"},
			want: []intoto.Subject{{Name: "dist/a.bin", Digest: d256("a")}}},
		{name: "symlinked_dir_not_walked", files: map[string]string{"build/a.bin": "a", "dist/b.bin": "b", "dist/link": "->../build"}, in: Inputs{Paths: "dist/**/*.bin"},
			want: []intoto.Subject{{Name: "dist/b.bin", Digest: d256("b")}}},
		{name: "subject_name_for_every_file", files: map[string]string{"a.txt": "same", "b/a.txt": "same"}, in: Inputs{Paths: "**/a.txt", Name: "artifact"},
			want: []intoto.Subject{{Name: "artifact", Digest: d256("same")}}},
		{name: "empty_file", files: map[string]string{"empty": ""}, in: Inputs{Paths: "empty"}, want: []intoto.Subject{{Name: "empty", Digest: d256("")}}},
		{name: "pair_with_paths", files: map[string]string{"a": "a"}, in: Inputs{Paths: "a", Digest: hexA, Name: "a"},
			want: []intoto.Subject{{Name: "a", Digest: d256("a")}}},
	})
}

func TestResolve_absolutePatternInsideWorkspace(t *testing.T) {
	t.Parallel()
	ws := tree(t, map[string]string{"dist/a.bin": "a"})
	got, err := Resolve(t.Context(), Inputs{Paths: filepath.Join(ws, "dist", "*.bin")}, WithWorkspace(ws))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]intoto.Subject{{Name: "dist/a.bin", Digest: d256("a")}}, got); diff != "" {
		t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
	}
}

// TestResolve_symlinkedWorkspace checks that a workspace reached through a
// symlink still counts its own files as inside.
func TestResolve_symlinkedWorkspace(t *testing.T) {
	t.Parallel()
	real := tree(t, map[string]string{"a.bin": "a", "lnk.bin": "->a.bin"})
	link := filepath.Join(t.TempDir(), "ws")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	got, err := Resolve(t.Context(), Inputs{Paths: "*.bin\n" + filepath.Join(real, "a.bin")}, WithWorkspace(link))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]intoto.Subject{{Name: "a.bin", Digest: d256("a")}, {Name: "lnk.bin", Digest: d256("a")}}, got); diff != "" {
		t.Errorf("Resolve() mismatch (-want +got):\n%s", diff)
	}
}

func manyFiles(t testing.TB, dir string, n, size int) {
	t.Helper()
	buf := make([]byte, size)
	for i := range n {
		for j := range buf {
			buf[j] = byte(i*31 + j)
		}
		p := filepath.Join(dir, "dist", fmt.Sprintf("d%d", i%7), fmt.Sprintf("f%03d.bin", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResolve_concurrencyDoesNotChangeOutput(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	manyFiles(t, ws, 60, 3000)
	in := Inputs{Paths: "dist/**/*.bin"}
	one, err := Resolve(t.Context(), in, WithWorkspace(ws), WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	eight, err := Resolve(t.Context(), in, WithWorkspace(ws), WithConcurrency(8))
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 60 {
		t.Errorf("got %d subjects; want 60", len(one))
	}
	if diff := cmp.Diff(one, eight); diff != "" {
		t.Errorf("concurrency 1 and 8 differ (-1 +8):\n%s", diff)
	}
}

func TestResolve_progress(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	manyFiles(t, ws, 20, 1000)
	var mu sync.Mutex
	var reports []Progress
	_, err := Resolve(t.Context(), Inputs{Paths: "dist/**"}, WithWorkspace(ws), WithProgress(func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, p)
	}))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) == 0 {
		t.Fatal("no progress reported")
	}
	want := Progress{FilesDone: 20, FilesTotal: 20, BytesDone: 20000, BytesTotal: 20000}
	if diff := cmp.Diff(want, reports[len(reports)-1]); diff != "" {
		t.Errorf("last progress mismatch (-want +got):\n%s", diff)
	}
}

func TestResolve_cancelled(t *testing.T) {
	t.Parallel()
	ws := tree(t, map[string]string{"a": "a"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	got, err := Resolve(ctx, Inputs{Paths: "a"}, WithWorkspace(ws))
	if got != nil || !errors.Is(err, context.Canceled) {
		t.Errorf("Resolve() = %v, %v; want nil, context.Canceled", got, err)
	}
}

// TestResolve_cancelStopsHashing hashes a huge sparse file and checks that
// cancelling returns long before the file could have been read.
func TestResolve_cancelStopsHashing(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	f, err := os.Create(filepath.Join(ws, "huge.img"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 30); err != nil {
		t.Skipf("cannot make a sparse file: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	started := make(chan struct{})
	var once sync.Once
	progress := func(p Progress) {
		if p.BytesDone > 0 {
			once.Do(func() { close(started) })
		}
	}
	go func() {
		select {
		case <-started:
		case <-time.After(5 * time.Second):
		}
		cancel()
	}()
	start := time.Now()
	got, err := Resolve(ctx, Inputs{Paths: "huge.img"}, WithWorkspace(ws), WithProgress(progress))
	if got != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Resolve() = %v, %v; want nil, context.Canceled", got, err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("Resolve() took %v after cancellation", d)
	}
	if !strings.Contains(err.Error(), "hashing subject-path files") {
		t.Errorf("error %q does not say what was stopped", err)
	}
}
