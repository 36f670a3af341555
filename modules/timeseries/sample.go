package timeseries

import (
	"fmt"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Sample is one point of a time series: its time, exact to the
// millisecond (time.UnixMilli of the server's timestamp, in the local
// time zone), and its value. A NaN value (an empty bucket of an EMPTY
// aggregation, or a NaN the series holds) is math.NaN(); test it with
// math.IsNaN.
type Sample struct {
	Time  time.Time // the sample's timestamp, whole milliseconds
	Value float64   // the sample's value; NaN is possible
}

// decodeTime reads an integer reply holding milliseconds since the epoch.
func decodeTime(v resp.Value, err error) (time.Time, error) {
	ms, err := redis.ResultOf(v, err).Int64()
	if err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(ms), nil
}

// decodeSample reads one [timestamp, value] pair: the value is a double
// under RESP3 and a string ("24", "NaN") under RESP2.
func decodeSample(v resp.Value) (Sample, error) {
	pair, err := redis.ResultOf(v, nil).Slice()
	if err != nil {
		return Sample{}, err
	}
	if len(pair) != 2 {
		return Sample{}, fmt.Errorf("timeseries: a sample has %d elements, want 2 (timestamp, value)", len(pair))
	}
	t, err := decodeTime(pair[0], nil)
	if err != nil {
		return Sample{}, fmt.Errorf("timeseries: sample timestamp: %w", err)
	}
	f, err := redis.ResultOf(pair[1], nil).Float64()
	if err != nil {
		return Sample{}, fmt.Errorf("timeseries: sample value: %w", err)
	}
	return Sample{Time: t, Value: f}, nil
}

// decodeSamples reads an array of samples; an empty array gives an empty,
// non-nil slice.
func decodeSamples(v resp.Value, err error) ([]Sample, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return nil, err
	}
	if v.Type() == resp.Map {
		return nil, &redis.ReplyTypeError{Want: "[]Sample", Got: v.Type()}
	}
	out := make([]Sample, len(elems))
	for i, e := range elems {
		if out[i], err = decodeSample(e); err != nil {
			return nil, fmt.Errorf("sample %d: %w", i, err)
		}
	}
	return out, nil
}

// decodeLatest reads TS.GET's reply: one sample, or an empty array for a
// series without samples, which gives redis.ErrNil.
func decodeLatest(v resp.Value, err error) (Sample, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return Sample{}, err
	}
	if len(elems) == 0 {
		return Sample{}, redis.ErrNil
	}
	return decodeSample(v)
}

// decodeOptionalSample reads the sample of a TS.MGET entry: a pair, or an
// empty array when the series has none.
func decodeOptionalSample(v resp.Value) (redis.Null[Sample], error) {
	s, err := decodeLatest(v, nil)
	if err == redis.ErrNil {
		return redis.Null[Sample]{}, nil
	}
	if err != nil {
		return redis.Null[Sample]{}, err
	}
	return redis.Null[Sample]{V: s, Valid: true}, nil
}

// decodeLabels reads a series' labels: a RESP3 map, or RESP2's array of
// [name, value] pairs. A label sent with a null value (a SELECTED_LABELS
// label the series lacks) is left out. No labels give a nil map.
func decodeLabels(v resp.Value) (map[string]string, error) {
	var m map[string]string
	put := func(name, value resp.Value) error {
		if value.IsNull() {
			return nil
		}
		s, err := redis.ResultOf(value, nil).Text()
		if err != nil {
			return fmt.Errorf("timeseries: label %q: %w", name.String(), err)
		}
		if m == nil {
			m = make(map[string]string)
		}
		m[name.String()] = s
		return nil
	}
	switch v.Type() {
	case resp.Map:
		kv := v.Elems()
		for i := 0; i+1 < len(kv); i += 2 {
			if err := put(kv[i], kv[i+1]); err != nil {
				return nil, err
			}
		}
	case resp.Array:
		for i, p := range v.Elems() {
			if p.Type() != resp.Array || p.Len() != 2 {
				return nil, fmt.Errorf("timeseries: label %d is not a [name, value] pair", i)
			}
			pair := p.Elems()
			if err := put(pair[0], pair[1]); err != nil {
				return nil, err
			}
		}
	default:
		return nil, &redis.ReplyTypeError{Want: "labels", Got: v.Type()}
	}
	return m, nil
}
