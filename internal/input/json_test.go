package input

import (
	"encoding/json"
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
