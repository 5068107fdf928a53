package input

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// DescribeJSON says what is wrong with a JSON value from the error
// encoding/json returned, in JSON's terms: which field holds which kind of
// value and what kind it must be, or where the syntax breaks. It never
// names a Go type, which would mean nothing to the person who wrote the
// JSON.
func DescribeJSON(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		where := "the value"
		if te.Field != "" {
			where = fmt.Sprintf("field %q", te.Field)
		}
		if n, ok := strings.CutPrefix(te.Value, "number "); ok && te.Type != nil {
			switch te.Type.Kind() {
			case reflect.Float32, reflect.Float64:
				return fmt.Sprintf("%s is the number %s, which is out of range: numbers here must lie within ±1.8e308", where, n)
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
				reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
				return fmt.Sprintf("%s is the number %s but must be a whole number within the field's range", where, n)
			}
		}
		return fmt.Sprintf("%s is a JSON %s but must be %s", where, te.Value, jsonKind(te.Type))
	case err != nil && err.Error() == "unexpected end of JSON input":
		return "the JSON text ends early"
	case errors.As(err, &se):
		return fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	}
	return "invalid JSON"
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "another kind of value"
}

// OutOfRangeNumber finds the first number in the JSON text data that no
// float64 holds (such as 1e1000) and returns where it is, as a dotted
// path with [i] for array elements ("sender.n", "inputs.list[2]"), and
// the number as written. ok is false when there is none or data is not
// JSON.
func OutOfRangeNumber(data []byte) (path, number string, ok bool) {
	if !json.Valid(data) { // the decoder below reads tokens before it sees the syntax error
		return "", "", false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		array bool
		index int    // next element of an array
		key   string // current member of an object
		atKey bool   // the next token of an object is a key
	}
	var stack []frame
	where := func() string {
		var b strings.Builder
		for _, f := range stack {
			if f.array {
				fmt.Fprintf(&b, "[%d]", f.index-1)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		}
		return b.String()
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", "", false
		}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			switch {
			case top.array && tok != json.Delim(']'):
				top.index++
			case !top.array && top.atKey && tok != json.Delim('}'):
				top.key, top.atKey = tok.(string), false
				continue
			case !top.array:
				top.atKey = true
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '[':
				stack = append(stack, frame{array: true})
			case '{':
				stack = append(stack, frame{atKey: true})
			default:
				stack = stack[:len(stack)-1]
			}
		case json.Number:
			if _, err := strconv.ParseFloat(string(t), 64); err != nil {
				return where(), string(t), true
			}
		}
	}
}
