package input

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDescribeJSON(t *testing.T) {
	t.Parallel()
	var obj map[string]any
	var small []int8
	var ev struct {
		Inputs map[string]any `json:"inputs"`
		Repo   *struct {
			Name string `json:"full_name"`
		} `json:"repository"`
	}
	cases := []struct {
		text string
		into any
		want string
	}{
		{`[1,2]`, &obj, "the value is a JSON array but must be an object"},
		{`{"inputs":[1]}`, &ev, `field "inputs" is a JSON array but must be an object`},
		{`{"repository":{"full_name":3}}`, &ev, `field "repository.full_name" is a JSON number but must be a string`},
		{`"x"`, &ev, "the value is a JSON string but must be an object"},
		{`{"a" 1}`, &obj, "invalid JSON at byte"},
		{`{"a":`, &obj, "ends early"},
		{`{"a":{"b":[1e1000]}}`, &obj, "the number 1e1000, which is out of range"},
		{`{"inputs":{"n":-1e400}}`, &ev, "the number -1e400, which is out of range"},
		{`[300]`, &small, "the number 300 but must be a whole number"},
		{`[1.5]`, &small, "the number 1.5 but must be a whole number"},
	}
	for _, tc := range cases {
		err := json.Unmarshal([]byte(tc.text), tc.into)
		got := DescribeJSON(err)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "Go ") || strings.Contains(got, "interface") {
			t.Errorf("DescribeJSON(%s) = %q; want %q and no Go type", tc.text, got, tc.want)
		}
	}
}

func TestOutOfRangeNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text, path, number string
		ok                 bool
	}{
		{`{"sender":{"n":1e1000}}`, "sender.n", "1e1000", true},
		{`{"a":{"b":[1,2,1e1000]}}`, "a.b[2]", "1e1000", true},
		{`{"x":[{"y":1},{"z":-1e400}],"w":1e999}`, "x[1].z", "-1e400", true},
		{`[1e999]`, "[0]", "1e999", true},
		{`{"a":[[1],[2,{"b":{"c":3e400}}]]}`, "a[1][1].b.c", "3e400", true},
		{`{"x":1,"y":[1e308,"1e1000"]}`, "", "", false},
		{`{"x":`, "", "", false},
	}
	for _, tc := range cases {
		path, number, ok := OutOfRangeNumber([]byte(tc.text))
		if path != tc.path || number != tc.number || ok != tc.ok {
			t.Errorf("OutOfRangeNumber(%s) = %q, %q, %v; want %q, %q, %v", tc.text, path, number, ok, tc.path, tc.number, tc.ok)
		}
	}
}

// FuzzOutOfRangeNumber: the walk never panics, and it finds a number
// exactly when encoding/json refuses the text for one.
func FuzzOutOfRangeNumber(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":1e1000}]}`, `[1,2]`, `{"x":"1e1000"}`, `{`, `[[[-1e400]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, ok := OutOfRangeNumber(b)
		var v any
		err := json.Unmarshal(b, &v)
		var te *json.UnmarshalTypeError
		if want := errors.As(err, &te); ok != want {
			t.Fatalf("OutOfRangeNumber(%q) found %v; encoding/json says %v", b, ok, err)
		}
	})
}
