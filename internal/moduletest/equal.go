package moduletest

import (
	"math"
	"reflect"
)

// DeepEqual is reflect.DeepEqual, except that a NaN equals a NaN (decoded
// replies hold NaN for empty sketches, empty buckets and averages over no
// cycle, and reflect.DeepEqual never finds two such values equal).
func DeepEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return equal(reflect.ValueOf(a), reflect.ValueOf(b), 0)
}

// maxDepth bounds the recursion: decoded values are trees, so a deeper
// value is a cycle, which compares unequal.
const maxDepth = 1000

func equal(x, y reflect.Value, depth int) bool {
	if !x.IsValid() || !y.IsValid() {
		return x.IsValid() == y.IsValid()
	}
	if x.Type() != y.Type() || depth > maxDepth {
		return false
	}
	depth++
	switch x.Kind() {
	case reflect.Bool:
		return x.Bool() == y.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return x.Int() == y.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return x.Uint() == y.Uint()
	case reflect.Float32, reflect.Float64:
		return sameFloat(x.Float(), y.Float())
	case reflect.Complex64, reflect.Complex128:
		a, b := x.Complex(), y.Complex()
		return sameFloat(real(a), real(b)) && sameFloat(imag(a), imag(b))
	case reflect.String:
		return x.String() == y.String()
	case reflect.Array:
		return elemsEqual(x, y, depth)
	case reflect.Slice:
		if x.IsNil() != y.IsNil() || x.Len() != y.Len() {
			return false
		}
		return elemsEqual(x, y, depth)
	case reflect.Map:
		if x.IsNil() != y.IsNil() || x.Len() != y.Len() {
			return false
		}
		for _, k := range x.MapKeys() {
			yv := y.MapIndex(k)
			if !yv.IsValid() || !equal(x.MapIndex(k), yv, depth) {
				return false
			}
		}
		return true
	case reflect.Pointer:
		if x.UnsafePointer() == y.UnsafePointer() {
			return true
		}
		return !x.IsNil() && !y.IsNil() && equal(x.Elem(), y.Elem(), depth)
	case reflect.Interface:
		if x.IsNil() || y.IsNil() {
			return x.IsNil() && y.IsNil()
		}
		return equal(x.Elem(), y.Elem(), depth)
	case reflect.Struct:
		for i := range x.NumField() {
			if !equal(x.Field(i), y.Field(i), depth) {
				return false
			}
		}
		return true
	case reflect.Func:
		return x.IsNil() && y.IsNil()
	default: // Chan, UnsafePointer
		return x.UnsafePointer() == y.UnsafePointer()
	}
}

func elemsEqual(x, y reflect.Value, depth int) bool {
	for i := range x.Len() {
		if !equal(x.Index(i), y.Index(i), depth) {
			return false
		}
	}
	return true
}

func sameFloat(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }
