package bloom

import (
	"errors"
	"fmt"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// ErrFilterFull is returned, together with the per-item results, by
// CFInsert and CFInsertNX when the cuckoo filter had no room for some of
// the items (the server's -1 for an item; those items read false). A
// non-scaling Bloom filter that is full reports a server error instead (see
// BFMAdd).
var ErrFilterFull = errors.New("bloom: the filter is full: some items were not added")

// decodeStatus reads a reply that carries no value (OK).
func decodeStatus(v resp.Value, err error) (struct{}, error) {
	switch {
	case err != nil:
		return struct{}{}, err
	case v.IsError():
		return struct{}{}, v.Err()
	case v.IsNull():
		return struct{}{}, redis.ErrNil
	case v.Type() != resp.SimpleString:
		return struct{}{}, &redis.ReplyTypeError{Want: "status", Got: v.Type()}
	}
	return struct{}{}, nil
}

func decodeBool(v resp.Value, err error) (bool, error) { return redis.ResultOf(v, err).Bool() }

func decodeInt64(v resp.Value, err error) (int64, error) { return redis.ResultOf(v, err).Int64() }

func decodeFloat64(v resp.Value, err error) (float64, error) {
	return redis.ResultOf(v, err).Float64()
}

// decodeItemResults reads the per-item replies of the commands that add or
// check several items (BF.MADD, BF.INSERT, CF.INSERT, ...): 1 or true is
// true, 0 or false is false. Two per-item failures read false and make the
// decoder return the whole slice with an error: an error element (BF.MADD
// on a full non-scaling filter sends "ERR non scaling filter is full" for
// the item that did not fit, and stops there) gives that *redis.Error; a
// -1 (CF.INSERT on a full cuckoo filter) gives ErrFilterFull.
func decodeItemResults(v resp.Value, err error) ([]bool, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(elems))
	var itemErr error
	for i, e := range elems {
		if e.IsError() {
			if itemErr == nil {
				itemErr = e.Err()
			}
			continue
		}
		if e.Type() == resp.Integer && e.Int() == -1 {
			if itemErr == nil {
				itemErr = ErrFilterFull
			}
			continue
		}
		b, err := redis.ResultOf(e, nil).Bool()
		if err != nil {
			return nil, fmt.Errorf("bloom: element %d: %w", i, err)
		}
		out[i] = b
	}
	return out, itemErr
}

// decodeList reads an array reply element by element with dec.
func decodeList[T any](v resp.Value, err error, dec func(resp.Value, error) (T, error)) ([]T, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	out := make([]T, len(elems))
	for i, e := range elems {
		if out[i], err = dec(e, nil); err != nil {
			return nil, fmt.Errorf("bloom: element %d: %w", i, err)
		}
	}
	return out, nil
}

func decodeBools(v resp.Value, err error) ([]bool, error) { return decodeList(v, err, decodeBool) }

func decodeInt64s(v resp.Value, err error) ([]int64, error) { return decodeList(v, err, decodeInt64) }

// decodeFloat64s reads doubles: RESP3 doubles, or RESP2 bulk strings
// holding a number, "inf", "-inf" or "nan".
func decodeFloat64s(v resp.Value, err error) ([]float64, error) {
	return decodeList(v, err, decodeFloat64)
}

// decodeNullStrings reads an array of strings in which a null means "no
// string" (TOPK.ADD's "nothing was dropped").
func decodeNullStrings(v resp.Value, err error) ([]redis.Null[string], error) {
	return decodeList(v, err, func(e resp.Value, _ error) (redis.Null[string], error) {
		if e.IsNull() {
			return redis.Null[string]{}, nil
		}
		s, err := redis.ResultOf(e, nil).Text()
		return redis.Null[string]{V: s, Valid: err == nil}, err
	})
}

// decodeFields reads an INFO reply — a RESP3 map, or RESP2's flat array of
// names and values — into the fields named in into: each value is an
// *int64 or a *float64. A null value leaves its field zero; names not in
// into are skipped, so a server that reports more does not break the
// client. command names the command in errors.
func decodeFields(v resp.Value, err error, command string, into map[string]any) error {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return err
	}
	if len(elems)%2 != 0 {
		return fmt.Errorf("bloom: %s: reply of %d elements is not a list of names and values", command, len(elems))
	}
	for i := 0; i < len(elems); i += 2 {
		name, val := elems[i].String(), elems[i+1]
		if val.IsNull() {
			continue
		}
		switch dst := into[name].(type) {
		case *int64:
			n, err := decodeInt64(val, nil)
			if err != nil {
				return fmt.Errorf("bloom: %s: %q: %w", command, name, err)
			}
			*dst = n
		case *float64:
			f, err := decodeFloat64(val, nil)
			if err != nil {
				return fmt.Errorf("bloom: %s: %q: %w", command, name, err)
			}
			*dst = f
		}
	}
	return nil
}

// rejectEmpty returns the error for a command called without the items it
// needs at least one of; nil when n > 0.
func rejectEmpty(command string, n int, what string) error {
	if n > 0 {
		return nil
	}
	return fmt.Errorf("bloom: %s needs at least one %s", command, what)
}

// errTooManyOptions is the error for a constructor given more than one
// options value.
func errTooManyOptions(command string, n int) error {
	return fmt.Errorf("bloom: %s takes at most one options value, got %d", command, n)
}
