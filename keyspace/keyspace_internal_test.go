package keyspace

import (
	"strconv"
	"strings"
	"testing"

	"github.com/respkit/redis"
)

func TestMergeFlags(t *testing.T) {
	for _, tc := range []struct {
		current, want string
		merged        string
		changed       bool
	}{
		{"", "K", "K", true},
		{"", "Kg$x", "Kg$x", true},
		{"AKE", "KEA", "AKE", false},
		{"AKE", "Kx", "AKE", false}, // x is part of A
		{"Ex", "Kg", "KEgx", true},
		{"Kgx", "K", "Kgx", false},
		{"K", "Ag$lshzxetd", "KA", true},
		{"KA", "m", "KAm", true},
		{"Ex", "Kq", "KExq", true}, // a flag this package does not know is kept
		{"", "", "", false},
	} {
		merged, changed := mergeFlags(tc.current, tc.want)
		if merged != tc.merged || changed != tc.changed {
			t.Errorf("mergeFlags(%q, %q) = %q, %v; want %q, %v", tc.current, tc.want, merged, changed, tc.merged, tc.changed)
		}
	}
}

func TestPatterns(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DB: 2})
	defer c.Close()
	for _, tc := range []struct {
		o     Options
		want  []string
		flags string
	}{
		{Options{}, []string{"__keyspace@2__:*"}, ""},
		{Options{Keys: "user:*", Notify: "g"}, []string{"__keyspace@2__:user:*"}, "Kg"},
		{Options{Channels: Keyevent, Events: []string{"del", "expired", "del"}, DBs: []int{0, 1}, Notify: "KEA"},
			[]string{"__keyevent@0__:del", "__keyevent@0__:expired", "__keyevent@1__:del", "__keyevent@1__:expired"}, "KEA"},
		{Options{Channels: Keyspace | Keyevent, AllDBs: true, Notify: "x"}, []string{"__keyevent@*__:*", "__keyspace@*__:*"}, "EKx"},
		{Options{Channels: Keyevent, Events: []string{"odd*name"}}, []string{`__keyevent@2__:odd\*name`}, ""},
	} {
		w := &Watcher{c: c}
		if err := w.setOptions(tc.o); err != nil {
			t.Errorf("%+v: %v", tc.o, err)
			continue
		}
		if len(w.patterns) != len(tc.want) {
			t.Errorf("%+v: patterns %q, want %q", tc.o, w.patterns, tc.want)
			continue
		}
		for i := range tc.want {
			if w.patterns[i] != tc.want[i] {
				t.Errorf("%+v: patterns %q, want %q", tc.o, w.patterns, tc.want)
				break
			}
		}
		if w.flags != tc.flags {
			t.Errorf("%+v: flags %q, want %q", tc.o, w.flags, tc.flags)
		}
	}
}

func TestParse(t *testing.T) {
	w := &Watcher{}
	for _, tc := range []struct {
		channel, payload string
		ev               Event
		ok               bool
	}{
		{"__keyspace@0__:user:1", "set", Event{Key: "user:1", Event: "set"}, true},
		{"__keyspace@12__:a__:b", "del", Event{Key: "a__:b", Event: "del", DB: 12}, true},
		{"__keyevent@3__:expired", "k", Event{Key: "k", Event: "expired", DB: 3}, true},
		{"__keyspace@3__:", "set", Event{Key: "", Event: "set", DB: 3}, true}, // the empty key
		{"__keyspace@x__:k", "set", Event{}, false},
		{"__keyspace@-1__:k", "set", Event{}, false},
		{"__keyspace@+1__:k", "set", Event{}, false},
		{"__keyspace@01__:k", "set", Event{}, false},
		{"__keyspace@__:k", "set", Event{}, false},
		{"__keyspace@9999999999__:k", "set", Event{}, false},
		{"__keyspace@1:k", "set", Event{}, false},
		{"news", "hello", Event{}, false},
	} {
		ev, ok := w.parse(redis.Message{Kind: redis.KindPatternMessage, Channel: tc.channel, Payload: tc.payload})
		if ev != tc.ev || ok != tc.ok {
			t.Errorf("parse(%q, %q) = %+v, %v; want %+v, %v", tc.channel, tc.payload, ev, ok, tc.ev, tc.ok)
		}
	}
	w.only = map[string]bool{"del": true}
	if _, ok := w.parse(redis.Message{Channel: "__keyspace@0__:k", Payload: "set"}); ok {
		t.Error("an event outside Events was kept")
	}
}

// TestQueue checks the bound, the merging of gap markers and the draining
// after the end.
func TestQueue(t *testing.T) {
	q := newQueue(2)
	ev := func(k string) Event { return Event{Key: k, Event: "set"} }
	if !q.push(ev("a")) || !q.push(ev("b")) {
		t.Fatal("refused an event below the bound")
	}
	if q.push(ev("c")) {
		t.Fatal("took an event beyond the bound")
	}
	q.push(Event{Gap: true, Node: "n1"})
	q.push(Event{Gap: true, Node: "n1"})
	if got, _, _ := q.take(); got.Key != "a" {
		t.Fatalf("took %+v, want a", got)
	}
	q.push(ev("d"))
	q.push(Event{Gap: true, Node: "n1"})
	q.push(Event{Gap: true, Node: "n2"})
	var got []Event
	for {
		e, ok, _ := q.take()
		if !ok {
			break
		}
		got = append(got, e)
	}
	want := []Event{ev("b"), {Gap: true, Node: "n1"}, ev("d"), {Gap: true}}
	if len(got) != len(want) {
		t.Fatalf("took %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("took %+v, want %+v", got, want)
		}
	}
	q.push(ev("e"))
	q.end()
	if q.push(ev("f")) {
		t.Fatal("took an event after the end")
	}
	if e, ok, _ := q.take(); !ok || e.Key != "e" {
		t.Fatalf("after the end: %+v, %v; want the event held", e, ok)
	}
	if _, ok, ended := q.take(); ok || !ended {
		t.Fatalf("empty after the end: ok %v, ended %v", ok, ended)
	}
}

// FuzzParse checks that parse never panics and that what it accepts is
// exactly what Redis publishes: the channel and payload rebuilt from the
// event are the ones parsed.
func FuzzParse(f *testing.F) {
	for _, seed := range [][2]string{
		{"__keyspace@0__:user:1", "set"},
		{"__keyevent@15__:expired", "k"},
		{"__keyspace@3__:a__:b", "del"},
		{"__keyspace@01__:k", "set"},
		{"__keyevent@__:x", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	w := &Watcher{}
	f.Fuzz(func(t *testing.T, channel, payload string) {
		ev, ok := w.parse(redis.Message{Kind: redis.KindPatternMessage, Channel: channel, Payload: payload})
		if !ok {
			return
		}
		db := strconv.Itoa(ev.DB)
		var ch, pl string
		if strings.HasPrefix(channel, "__keyspace@") {
			ch, pl = "__keyspace@"+db+"__:"+ev.Key, ev.Event
		} else {
			ch, pl = "__keyevent@"+db+"__:"+ev.Event, ev.Key
		}
		if ch != channel || pl != payload || ev.Gap || ev.Node != "" {
			t.Fatalf("parse(%q, %q) = %+v, which is published as (%q, %q)", channel, payload, ev, ch, pl)
		}
	})
}
