package image

import (
	"debug/elf"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func TestPush_image(t *testing.T) {
	t.Parallel()
	for _, referrers := range []bool{false, true} {
		t.Run(fmt.Sprintf("referrers_api_%t", referrers), func(t *testing.T) {
			t.Parallel()
			reg := newRegistry(t, registry.WithReferrersSupport(referrers))
			img, err := Build(testConfig(t))
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.ParseReference(reg + "/provenant/provenant:v1.2.3")
			if err != nil {
				t.Fatal(err)
			}
			d, err := Push(t.Context(), ref, img)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := img.Digest()
			if d.String() != reg+"/provenant/provenant@"+want.String() {
				t.Errorf("Push() = %s, want the digest %s", d, want)
			}
			for _, r := range []name.Reference{ref, d} {
				pulled, err := remote.Image(r, remote.WithContext(t.Context()))
				if err != nil {
					t.Fatal(err)
				}
				if err := validate.Image(pulled); err != nil {
					t.Errorf("the pulled image is invalid: %v", err)
				}
				got, _ := pulled.Digest()
				if got != want {
					t.Errorf("%s has digest %s, want %s", r, got, want)
				}
			}
		})
	}
}

func TestPush_index(t *testing.T) {
	t.Parallel()
	reg := newRegistry(t)
	amd, arm := testConfig(t), testConfig(t)
	arm.Platform = v1.Platform{OS: "linux", Architecture: "arm64"}
	arm.Binary = fakeELF(t, elf.EM_AARCH64, false, 2048)
	var imgs []v1.Image
	for _, c := range []Config{amd, arm} {
		img, err := Build(c)
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	idx, err := Index(imgs...)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Errorf("validate.Index: %v", err)
	}
	ref, _ := name.ParseReference(reg + "/provenant/provenant:multi")
	d, err := Push(t.Context(), ref, idx)
	if err != nil {
		t.Fatal(err)
	}
	pulledIdx, err := remote.Index(d)
	if err != nil {
		t.Fatal(err)
	}
	im, err := pulledIdx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, m := range im.Manifests {
		platforms = append(platforms, m.Platform.String())
	}
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, platforms); diff != "" {
		t.Errorf("index platforms mismatch (-want +got):\n%s", diff)
	}
	// A pull for arm64 gets the arm64 image, as docker pull on an arm64 runner would.
	img, err := remote.Image(d, remote.WithPlatform(v1.Platform{OS: "linux", Architecture: "arm64"}))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := img.Digest()
	want, _ := imgs[1].Digest()
	if got != want {
		t.Errorf("the arm64 pull got %s, want %s", got, want)
	}
}
