package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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
