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

func TestProfileSearchCapture(t *testing.T) {
	all := queryCases(t)
	c := queryCase(t, all, "ft_profile_search")
	cmd := ProfileSearch("idx:movie", NewQuery(Terms("matrix")), ProfileOptions{Limited: true})
	checkEncoding(t, c, cmd.Cmd)

	processor := func(typ string) any {
		return map[string]any{"Type": typ, "Time": "T", "Counter": int64(2)}
	}
	wantProfile := map[string]any{
		"Shards": []any{map[string]any{
			"Total profile time":     "T",
			"Parsing time":           "T",
			"Pipeline creation time": "T",
			"Total GIL time":         "T",
			"Warning":                "None",
			"Iterators profile": map[string]any{
				"Type": "TEXT", "Term": "matrix", "Time": "T", "Counter": int64(2), "Size": int64(2),
			},
			"Result processors profile": []any{processor("Index"), processor("Scorer"), processor("Sorter"), processor("Loader")},
		}},
		"Coordinator": nil,
	}
	passed := 0
	var got [2]SearchProfile
	for i, proto := range []int{2, 3} {
		v, err := c.Reply(proto)
		if err != nil {
			t.Fatal(err)
		}
		p, err := cmd.Decode(v, nil)
		if err != nil {
			t.Errorf("RESP%d: %v", proto, err)
			continue
		}
		got[i] = p
		ok := true
		if !reflect.DeepEqual(p.Result, matrixBoth) {
			t.Errorf("RESP%d result: %#v", proto, p.Result)
			ok = false
		}
		if prof := withoutTimes(p.Profile); !reflect.DeepEqual(prof, wantProfile) {
			t.Errorf("RESP%d profile:\n got %#v\nwant %#v", proto, prof, wantProfile)
			ok = false
		}
		// The times are numbers in decimal text under both protocols.
		shard := p.Profile["Shards"].([]any)[0].(map[string]any)
		if s, isText := shard["Total GIL time"].(string); !isText || s == "" {
			t.Errorf("RESP%d: Total GIL time %#v", proto, shard["Total GIL time"])
			ok = false
		}
		if ok {
			passed++
		}
	}
	if !reflect.DeepEqual(withoutTimes(got[0].Profile), withoutTimes(got[1].Profile)) || !reflect.DeepEqual(got[0].Result, got[1].Result) {
		t.Error("RESP2 and RESP3 differ beyond timings")
	}
	t.Logf("ft_profile_search decoded under %d/2 protocols (timings not compared)", passed)
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
