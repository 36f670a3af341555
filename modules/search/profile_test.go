package search

import (
	"reflect"
	"strings"
	"testing"

	"github.com/respkit/redis/resp"
)

// withoutTimes returns a copy of a profile tree with every value under a
// key that names a time replaced by "T": timings change from run to run.
func withoutTimes(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			if strings.Contains(strings.ToLower(k), "time") {
				m[k] = "T"
				continue
			}
			m[k] = withoutTimes(e)
		}
		return m
	case Profile:
		return withoutTimes(map[string]any(v))
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = withoutTimes(e)
		}
		return l
	}
	return v
}

func TestProfileAggregateEncodes(t *testing.T) {
	cmd := ProfileAggregate("idx", NewAggregation(All).GroupBy([]string{"g"}, Count()), ProfileOptions{})
	want := "*11\r\n$10\r\nFT.PROFILE\r\n$3\r\nidx\r\n$9\r\nAGGREGATE\r\n$5\r\nQUERY\r\n$1\r\n*\r\n$7\r\nGROUPBY\r\n$1\r\n1\r\n$2\r\n@g\r\n$6\r\nREDUCE\r\n$5\r\nCOUNT\r\n$1\r\n0\r\n"
	if got := string(cmd.Bytes()); got != want {
		t.Errorf("got %q", got)
	}
	if ProfileAggregate("idx", NewAggregation(All).WithCursor(CursorOptions{}), ProfileOptions{}).Err() == nil {
		t.Error("accepted WITHCURSOR")
	}
}

// TestProfileKeyValueForm reads a profile sent as alternating keys and
// values (RESP3's map in RESP2 form) like the positional [result,
// profile].
func TestProfileKeyValueForm(t *testing.T) {
	c := queryCase(t, queryCases(t), "ft_profile_search")
	v, err := c.Reply(2)
	if err != nil {
		t.Fatal(err)
	}
	es := v.Elems()
	kv := resp.ArrayValue(resp.SimpleStringValue("Results"), es[0], resp.SimpleStringValue("Profile"), es[1])
	cmd := ProfileSearch("idx:movie", NewQuery(Terms("matrix")), ProfileOptions{Limited: true})
	a, errA := cmd.Decode(v, nil)
	b, errB := cmd.Decode(kv, nil)
	if errA != nil || errB != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("positional %v / key-value %v: %#v\n%#v", errA, errB, a, b)
	}
	if _, err := cmd.Decode(resp.ArrayValue(resp.SimpleStringValue("Results"), es[0]), nil); err == nil {
		t.Error("a profile reply without Profile decoded")
	}

	// FT.PROFILE AGGREGATE reads its rows like FT.AGGREGATE.
	rows := queryCase(t, queryCases(t), "ft_aggregate_groupby")
	for _, proto := range []int{2, 3} {
		rv, err := rows.Reply(proto)
		if err != nil {
			t.Fatal(err)
		}
		var reply resp.Value
		if proto == 2 {
			reply = resp.ArrayValue(rv, es[1])
		} else {
			reply = resp.MapValue(resp.SimpleStringValue("Results"), rv, resp.SimpleStringValue("Profile"), resp.MapValue(resp.SimpleStringValue("Shards"), resp.ArrayValue()))
		}
		p, err := ProfileAggregate("idx:movie", NewAggregation(All), ProfileOptions{}).Decode(reply, nil)
		if err != nil || p.Result.Total != 5 || len(p.Result.Rows) != 5 {
			t.Errorf("RESP%d: %#v, %v", proto, p, err)
		}
	}
}
