package subject_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/provenant/provenant/internal/input"
	"github.com/provenant/provenant/internal/subject"
)

func ExampleResolve() {
	ws, err := os.MkdirTemp("", "workspace")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(ws)
	if err := os.MkdirAll(filepath.Join(ws, "dist"), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "dist", "app.tar.gz"), []byte("hello\n"), 0o644); err != nil {
		panic(err)
	}

	subjects, err := subject.Resolve(context.Background(), subject.Inputs{
		Paths:  "dist/**/*.tar.gz",
		Images: "ghcr.io/acme/app:1.0@sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
	}, subject.WithWorkspace(ws))
	if err != nil {
		for _, e := range input.All(err) {
			fmt.Println(e)
		}
		return
	}
	for _, s := range subjects {
		fmt.Println(s.Name, s.Digest["sha256"])
	}
	fmt.Print(string(subject.FormatSHA256Sum(subjects[:1])))

	_, err = subject.Resolve(context.Background(), subject.Inputs{Images: "ghcr.io/acme/app:1.0"})
	fmt.Println(input.All(err)[0].Name, input.Is(err))
	// Output:
	// dist/app.tar.gz 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
	// ghcr.io/acme/app 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
	// 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  dist/app.tar.gz
	// image true
}
