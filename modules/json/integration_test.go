package redisjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	redisjson "github.com/respkit/redis/modules/json"
	"github.com/respkit/redis/redistest"
)

// The tests in this file run against a server with the JSON module
// (RedisJSON, or valkey-json) named by $REDIS_MODULES_URL, once per
// protocol; without one they skip, saying why. The CI server (plain
// Redis) has no modules, so there they skip; TestUnknownCommand runs on
// such a plain server instead.

// moduleClient returns a Client of the module server speaking proto, and
// a prefix (with a hash tag, so that a cluster keeps the test's keys
// together) under which the test's keys are deleted when it ends.
func moduleClient(t *testing.T, proto int) (*redisjson.Client, string) {
	t.Helper()
	raw := redistest.ModuleServer(t, "ReJSON", "json")
	opts, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatalf("%s: %v", redistest.ModulesURLEnv, err)
	}
	opts.Protocol = proto
	rdb := redis.NewClient(opts)
	prefix := "redisjson-test:{" + moduletest.RunID() + "}:"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, k := range []string{"user:1", "user:2", "user:3", "str", "cart"} {
			rdb.Do(ctx, "DEL", prefix+k)
		}
		rdb.Close()
	})
	return redisjson.New(rdb), prefix
}

// user is a document of the store.
type user struct {
	Name    string            `json:"name"`
	Age     int               `json:"age"`
	Tags    []string          `json:"tags"`
	Active  bool              `json:"active"`
	Address *address          `json:"address,omitempty"`
	Extra   map[string]string `json:"extra,omitempty"`
}

type address struct {
	City string `json:"city"`
	Zip  string `json:"zip"`
}

func TestIntegrationDocumentStore(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		j, p := moduleClient(t, proto)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		alice := user{Name: "Alice <admin>", Age: 30, Tags: []string{"a"}, Active: true, Address: &address{City: "Paris", Zip: "75001"}}
		if err := j.Set(ctx, p+"user:1", "$", alice); err != nil {
			t.Fatal(err)
		}

		// Round trips: a legacy path gives the value, a JSONPath an array
		// of matches.
		got, err := redisjson.Get[user](ctx, j, p+"user:1", ".")
		if err != nil || !reflect.DeepEqual(got, alice) {
			t.Fatalf("Get[user] .: %+v, %v", got, err)
		}
		all, err := redisjson.Get[[]user](ctx, j, p+"user:1", "$")
		if err != nil || len(all) != 1 || !reflect.DeepEqual(all[0], alice) {
			t.Fatalf("Get[[]user] $: %+v, %v", all, err)
		}
		city, err := redisjson.Get[[]string](ctx, j, p+"user:1", "$.address.city")
		if err != nil || !reflect.DeepEqual(city, []string{"Paris"}) {
			t.Errorf("Get $.address.city: %v, %v", city, err)
		}
		if _, err := redisjson.Get[user](ctx, j, p+"missing", "."); !errors.Is(err, redis.ErrNil) {
			t.Errorf("Get of a missing key: %v, want redis.ErrNil", err)
		}

		// NX and XX.
		if err := j.Set(ctx, p+"user:1", "$", alice, redisjson.SetOptions{NX: true}); !errors.Is(err, redis.ErrNil) {
			t.Errorf("Set NX on an existing key: %v, want redis.ErrNil", err)
		}
		if err := j.Set(ctx, p+"user:1", "$.age", 31, redisjson.SetOptions{XX: true}); err != nil {
			t.Errorf("Set XX $.age: %v", err)
		}

		// Numbers keep integer and float apart.
		n, err := j.NumIncrBy(ctx, p+"user:1", "$.age", 1)
		if err != nil || len(n) != 1 || n[0].V != "32" {
			t.Errorf("NumIncrBy $.age 1: %v, %v", n, err)
		}
		n, err = j.NumIncrBy(ctx, p+"user:1", ".age", 0.5)
		if err != nil || len(n) != 1 {
			t.Fatalf("NumIncrBy .age 0.5: %v, %v", n, err)
		}
		if f, _ := n[0].V.Float64(); f != 32.5 {
			t.Errorf("NumIncrBy .age 0.5: %v", n)
		}
		if _, err := n[0].V.Int64(); err == nil {
			t.Errorf("32.5 read as an integer")
		}
		if err := j.Set(ctx, p+"user:1", "$.age", 30); err != nil {
			t.Fatal(err)
		}

		// Arrays, strings, booleans, objects, per match and legacy.
		if l, err := j.ArrAppend(ctx, p+"user:1", "$.tags", "b", "c"); err != nil || !reflect.DeepEqual(l, ints(3)) {
			t.Errorf("ArrAppend: %v, %v", l, err)
		}
		if l, err := j.ArrLen(ctx, p+"user:1", ".tags"); err != nil || !reflect.DeepEqual(l, ints(3)) {
			t.Errorf("ArrLen .tags: %v, %v", l, err)
		}
		if l, err := j.ArrLen(ctx, p+"user:1", "$.*"); err != nil || len(l) != 5 || !l[2].Valid || l[2].V != 3 || l[0].Valid {
			t.Errorf("ArrLen $.*: %v, %v", l, err)
		}
		if i, err := j.ArrIndex(ctx, p+"user:1", "$.tags", "c"); err != nil || !reflect.DeepEqual(i, ints(2)) {
			t.Errorf("ArrIndex: %v, %v", i, err)
		}
		if l, err := j.ArrInsert(ctx, p+"user:1", "$.tags", 0, "z"); err != nil || !reflect.DeepEqual(l, ints(4)) {
			t.Errorf("ArrInsert: %v, %v", l, err)
		}
		if v, err := j.ArrPop(ctx, p+"user:1", "$.tags"); err != nil || !reflect.DeepEqual(v, raws(`"c"`)) {
			t.Errorf("ArrPop: %v, %v", v, err)
		}
		if v, err := j.ArrPopAt(ctx, p+"user:1", ".tags", 0); err != nil || !reflect.DeepEqual(v, raws(`"z"`)) {
			t.Errorf("ArrPopAt: %v, %v", v, err)
		}
		if l, err := j.ArrTrim(ctx, p+"user:1", "$.tags", 0, 0); err != nil || !reflect.DeepEqual(l, ints(1)) {
			t.Errorf("ArrTrim: %v, %v", l, err)
		}
		if l, err := j.StrAppend(ctx, p+"user:1", "$.address.zip", "-X"); err != nil || !reflect.DeepEqual(l, ints(7)) {
			t.Errorf("StrAppend: %v, %v", l, err)
		}
		if l, err := j.StrLen(ctx, p+"user:1", ".name"); err != nil || !reflect.DeepEqual(l, ints(len(alice.Name))) {
			t.Errorf("StrLen: %v, %v", l, err)
		}
		if b, err := j.Toggle(ctx, p+"user:1", "$.active"); err != nil || !reflect.DeepEqual(b, bools(false)) {
			t.Errorf("Toggle $: %v, %v", b, err)
		}
		if b, err := j.Toggle(ctx, p+"user:1", ".active"); err != nil || !reflect.DeepEqual(b, bools(true)) {
			t.Errorf("Toggle .: %v, %v", b, err)
		}
		if k, err := j.ObjKeys(ctx, p+"user:1", "$.address"); err != nil || !reflect.DeepEqual(k, keyLists([]string{"city", "zip"})) {
			t.Errorf("ObjKeys: %v, %v", k, err)
		}
		if l, err := j.ObjLen(ctx, p+"user:1", "."); err != nil || !reflect.DeepEqual(l, ints(5)) {
			t.Errorf("ObjLen: %v, %v", l, err)
		}
		if ty, err := j.Type(ctx, p+"user:1", "$.*"); err != nil || !reflect.DeepEqual(ty, types(redisjson.TypeString, redisjson.TypeInteger, redisjson.TypeArray, redisjson.TypeBoolean, redisjson.TypeObject)) {
			t.Errorf("Type $.*: %v, %v", ty, err)
		}
		if ty, err := j.Type(ctx, p+"user:1", ".age"); err != nil || !reflect.DeepEqual(ty, types(redisjson.TypeInteger)) {
			t.Errorf("Type .age: %v, %v", ty, err)
		}
		if r, err := j.Resp(ctx, p+"user:1", "$.address"); err != nil || !reflect.DeepEqual(r, []any{map[string]any{"city": "Paris", "zip": "75001-X"}}) {
			t.Errorf("Resp: %#v, %v", r, err)
		}
		if m, err := j.DebugMemory(ctx, p+"user:1", "$.tags"); err != nil || len(m) != 1 || !m[0].Valid || m[0].V <= 0 {
			t.Errorf("DebugMemory: %v, %v", m, err)
		}

		// MGET keeps a missing key visible.
		bob := user{Name: "Bob", Age: 40, Tags: []string{}}
		if err := j.Set(ctx, p+"user:2", "$", bob); err != nil {
			t.Fatal(err)
		}
		users, err := redisjson.Run(ctx, j, redisjson.MGetAs[user](".", p+"user:2", p+"missing", p+"user:1"))
		if err != nil || len(users) != 3 || !users[0].Valid || users[0].V.Name != "Bob" || users[1].Valid || !users[2].Valid || users[2].V.Name != alice.Name {
			t.Errorf("MGetAs .: %+v, %v", users, err)
		}
		names, err := j.MGet(ctx, "$.name", p+"user:1", p+"missing", p+"user:2")
		if err != nil || !reflect.DeepEqual(names, raws(`["Alice <admin>"]`, nil, `["Bob"]`)) {
			t.Errorf("MGet $.name: %v, %v", names, err)
		}

		// MSET, MERGE (RedisJSON 2.6), CLEAR, DEL, FORGET.
		err = j.MSet(ctx, redisjson.MSetEntry{Key: p + "user:3", Path: "$", Value: bob}, redisjson.MSetEntry{Key: p + "user:2", Path: "$.age", Value: 41})
		if err != nil {
			t.Errorf("MSet: %v", err)
		}
		err = j.Merge(ctx, p+"user:2", "$", map[string]any{"age": nil, "extra": map[string]string{"k": "v"}})
		var se *redis.Error
		switch {
		case errors.As(err, &se) && strings.Contains(se.Msg, "unknown command"):
			t.Log("the server has no JSON.MERGE (valkey-json)")
		case err != nil:
			t.Errorf("Merge: %v", err)
		default:
			if b, err := redisjson.Get[user](ctx, j, p+"user:2", "."); err != nil || b.Age != 0 || b.Extra["k"] != "v" {
				t.Errorf("after Merge: %+v, %v", b, err)
			}
		}
		if n, err := j.Clear(ctx, p+"user:1", "$.tags"); err != nil || n != 1 {
			t.Errorf("Clear: %v, %v", n, err)
		}
		if n, err := j.Forget(ctx, p+"user:1", "$.address"); err != nil || n != 1 {
			t.Errorf("Forget: %v, %v", n, err)
		}
		if n, err := j.Del(ctx, p+"user:3", ""); err != nil || n != 1 {
			t.Errorf("Del: %v, %v", n, err)
		}
		if n, err := j.Del(ctx, p+"user:3", ""); err != nil || n != 0 {
			t.Errorf("Del again: %v, %v", n, err)
		}

		// Server errors arrive as *redis.Error.
		if err := j.Redis().Do(ctx, "SET", p+"str", "x").Err(); err != nil {
			t.Fatal(err)
		}
		if _, err := j.Get(ctx, p+"str", "$"); !errors.As(err, &se) {
			t.Errorf("Get of a string key: %v, want a *redis.Error", err)
		}
		if _, err := j.Get(ctx, p+"user:1", "$["); !errors.As(err, &se) {
			t.Errorf("Get with a bad path: %v, want a *redis.Error", err)
		}
	})
}

func TestIntegrationPipelineAndTransaction(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		j, p := moduleClient(t, proto)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for _, tx := range []bool{false, true} {
			pl := j.Redis().Pipeline()
			if tx {
				pl = j.Redis().TxPipeline()
			}
			set := redis.Queue(pl, redisjson.Set(p+"cart", "$", map[string]any{"items": []string{"apple"}, "total": 1}))
			add := redis.Queue(pl, redisjson.ArrAppend(p+"cart", "$.items", "pear"))
			incr := redis.Queue(pl, redisjson.NumIncrBy(p+"cart", "$.total", 1))
			get := redis.Queue(pl, redisjson.GetAs[[]struct {
				Items []string `json:"items"`
				Total int      `json:"total"`
			}](p+"cart", "$"))
			missing := redis.Queue(pl, redisjson.GetAs[json.RawMessage](p+"missing", "$"))
			if err := pl.Exec(ctx); err != nil && !errors.Is(err, redis.ErrNil) {
				t.Fatalf("tx=%v: Exec: %v", tx, err)
			}
			if _, err := set.Result(); err != nil {
				t.Errorf("tx=%v: Set: %v", tx, err)
			}
			if l, err := add.Result(); err != nil || !reflect.DeepEqual(l, ints(2)) {
				t.Errorf("tx=%v: ArrAppend: %v, %v", tx, l, err)
			}
			if n, err := incr.Result(); err != nil || !reflect.DeepEqual(n, nums("2")) {
				t.Errorf("tx=%v: NumIncrBy: %v, %v", tx, n, err)
			}
			if c, err := get.Result(); err != nil || len(c) != 1 || c[0].Total != 2 || !reflect.DeepEqual(c[0].Items, []string{"apple", "pear"}) {
				t.Errorf("tx=%v: Get: %+v, %v", tx, c, err)
			}
			if _, err := missing.Result(); !errors.Is(err, redis.ErrNil) {
				t.Errorf("tx=%v: Get of a missing key: %v", tx, err)
			}
		}
	})
}

// TestUnknownCommand runs the commands on a plain Redis (no JSON module):
// the server's "unknown command" reply must come back as a *redis.Error
// with code ERR, alone, in a pipeline and on a reserved connection.
func TestUnknownCommand(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
		defer rdb.Close()
		j := redisjson.New(rdb)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		check := func(what string, err error) {
			t.Helper()
			var se *redis.Error
			if !errors.As(err, &se) || !errors.Is(err, &redis.Error{Msg: "ERR"}) || !strings.Contains(se.Msg, "unknown command") || !strings.Contains(se.Msg, "JSON.") {
				t.Errorf("%s: %v (%T), want the server's unknown command error as a *redis.Error", what, err, err)
			}
		}
		check("Set", j.Set(ctx, "doc", "$", map[string]int{"a": 1}))
		_, err := redisjson.Get[map[string]int](ctx, j, "doc", "$")
		check("Get", err)
		_, err = j.ArrLen(ctx, "doc", "$.a")
		check("ArrLen", err)

		p := rdb.Pipeline()
		r1 := redis.Queue(p, redisjson.MGet("$", "a", "b"))
		r2 := redis.Queue(p, redisjson.Type("a", "$"))
		check("pipeline Exec", p.Exec(ctx))
		_, err = r1.Result()
		check("pipeline MGet", err)
		_, err = r2.Result()
		check("pipeline Type", err)

		cn, err := rdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer cn.Close()
		_, err = redis.RunOn(ctx, cn, redisjson.DebugHelp())
		check("RunOn DebugHelp", err)

		// The connection is still good after the errors.
		if err := rdb.Do(ctx, "PING").Err(); err != nil {
			t.Errorf("PING after the errors: %v", err)
		}
	})
}

// TestIntegrationCachedGet: JSON.GET through a client-side cache (a
// redis.Client from Cached) is served from memory after the first read,
// and a JSON.SET by another client invalidates it.
func TestIntegrationCachedGet(t *testing.T) {
	moduletest.EachProtocol(t, func(t *testing.T, proto int) {
		writer, p := moduleClient(t, proto)
		opts, err := redis.ParseURL(redistest.ModuleServer(t, "ReJSON", "json"))
		if err != nil {
			t.Fatal(err)
		}
		opts.Protocol, opts.Cache = proto, &redis.CacheOptions{}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		cached := redisjson.New(rdb.Cached(0))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		key := p + "user:3"
		if err := writer.Set(ctx, key, "$", user{Name: "Ada", Age: 36}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			got, err := redisjson.Get[user](ctx, cached, key, ".")
			if err != nil || got.Name != "Ada" {
				t.Fatalf("cached Get = %+v, %v", got, err)
			}
		}
		if st := rdb.Cache().Stats(); st.Hits != 2 || st.Misses != 1 {
			t.Fatalf("three cached JSON.GETs: %+v, want 2 hits and 1 miss", st)
		}
		if err := writer.Set(ctx, key, "$.age", 37); err != nil {
			t.Fatal(err)
		}
		for end := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
			got, err := redisjson.Get[user](ctx, cached, key, ".")
			if err == nil && got.Age == 37 {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("cached Get 2 s after JSON.SET: %+v, %v", got, err)
			}
		}
	})
}
