package redis_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

func TestPipelineMixed(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		const n = 10000
		p := c.Pipeline()
		type queued struct {
			set  *redis.Reply[struct{}]
			get  *redis.Reply[string]
			incr *redis.Reply[int64]
			bad  *redis.Reply[int64]  // INCR on a non-number: WRONGTYPE-like error
			raw  *redis.Result        // raw Do
			miss *redis.Reply[string] // GET of a missing key: ErrNil
		}
		qs := make([]queued, n/6)
		for i := range qs {
			k := key(t, strconv.Itoa(i))
			qs[i] = queued{
				set:  p.Set(k, "v"+strconv.Itoa(i)),
				get:  p.Get(k),
				incr: p.Incr(k + ":n"),
				bad:  p.Incr(k),
				raw:  p.Do("STRLEN", k),
				miss: p.Get(k + ":missing"),
			}
		}
		conflict := p.Set(key(t, "x"), "v", redis.SetOptions{NX: true, XX: true})
		if p.Len() != len(qs)*6+1 {
			t.Fatalf("Len = %d", p.Len())
		}
		if _, err := qs[0].get.Result(); err == nil {
			t.Fatal("a reply was readable before Exec")
		}
		err := p.Exec(ctx)
		var rerr *redis.Error
		if !errors.As(err, &rerr) {
			t.Fatalf("Exec = %v, want the first command error (a server error)", err)
		}
		for i, q := range qs {
			v := "v" + strconv.Itoa(i)
			if err := q.set.Err(); err != nil {
				t.Fatalf("%d: SET: %v", i, err)
			}
			if got, err := q.get.Result(); err != nil || got != v {
				t.Fatalf("%d: GET = %q, %v", i, got, err)
			}
			if got, err := q.incr.Result(); err != nil || got != 1 {
				t.Fatalf("%d: INCR = %d, %v", i, got, err)
			}
			if _, err := q.bad.Result(); !errors.As(err, &rerr) || rerr.Code() != "ERR" {
				t.Fatalf("%d: INCR on a string: %v, want an ERR reply", i, err)
			}
			if got, err := q.raw.Int64(); err != nil || got != int64(len(v)) {
				t.Fatalf("%d: STRLEN = %d, %v", i, got, err)
			}
			if _, err := q.miss.Result(); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("%d: GET missing: %v, want ErrNil", i, err)
			}
		}
		if err := conflict.Err(); err == nil || !errors.Is(err, conflict.Err()) {
			t.Fatal("SET with NX and XX was not refused")
		}
		if _, err := c.Get(ctx, key(t, "x")); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("the refused SET ran: %v", err)
		}
		// The pipeline is empty and reusable.
		if p.Len() != 0 {
			t.Fatalf("Len after Exec = %d", p.Len())
		}
		r := p.Get(key(t, "0"))
		if err := p.Exec(ctx); err != nil || r.Val() != "v0" {
			t.Fatalf("reused pipeline: %q, %v", r.Val(), err)
		}
		// A command that changes connection state is refused.
		sel := p.Do("SELECT", 1)
		if err := p.Exec(ctx); err == nil || sel.Err() == nil {
			t.Fatal("SELECT was pipelined on a shared connection")
		}
	})
}

func TestPipelinedAndQueue(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		var get *redis.Reply[string]
		err := c.Pipelined(ctx, func(p *redis.Pipeline) error {
			redis.Queue(p, redis.Set(key(t, "k"), 42))
			get = redis.Queue(p, redis.Get(key(t, "k")))
			return nil
		})
		if err != nil || get.Val() != "42" {
			t.Fatalf("Pipelined: %q, %v", get.Val(), err)
		}
		stop := errors.New("stop")
		if err := c.Pipelined(ctx, func(p *redis.Pipeline) error {
			p.Del(key(t, "k"))
			return stop
		}); err != stop {
			t.Fatalf("Pipelined returned %v, want fn's error", err)
		}
		if v, err := c.Get(ctx, key(t, "k")); err != nil || v != "42" {
			t.Fatalf("a pipeline whose fn failed was sent: %q, %v", v, err)
		}
	})
}

func TestTxPipeline(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "n")
		tx := c.TxPipeline()
		a := tx.Incr(k)
		b := tx.Incr(k)
		g := tx.Get(k)
		if err := tx.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if a.Val() != 1 || b.Val() != 2 || g.Val() != "2" {
			t.Fatalf("transaction replies %d %d %q", a.Val(), b.Val(), g.Val())
		}

		// A runtime error inside EXEC belongs to its command only.
		s := key(t, "s")
		tx.Set(s, "text")
		bad := tx.Incr(s)
		ok := tx.Incr(k)
		err := tx.Exec(ctx)
		var rerr *redis.Error
		if !errors.As(err, &rerr) || !errors.As(bad.Err(), &rerr) || ok.Val() != 3 || ok.Err() != nil {
			t.Fatalf("Exec %v; bad %v; ok %d, %v", err, bad.Err(), ok.Val(), ok.Err())
		}

		// A command refused when queued aborts the whole transaction.
		before := tx.Incr(k)
		unknown := tx.Do("NOSUCHCOMMAND", "x")
		after := tx.Incr(k)
		err = tx.Exec(ctx)
		if !errors.As(unknown.Err(), &rerr) || rerr.Code() != "ERR" {
			t.Fatalf("unknown command: %v", unknown.Err())
		}
		if !errors.Is(before.Err(), redis.ErrExecAbort) || !errors.Is(after.Err(), redis.ErrExecAbort) {
			t.Fatalf("other commands: %v, %v; want EXECABORT", before.Err(), after.Err())
		}
		if err == nil {
			t.Fatal("Exec of an aborted transaction returned nil")
		}
		if n, _ := c.Get(ctx, k); n != "3" {
			t.Fatalf("aborted transaction ran: counter %s, want 3", n)
		}

		// A command that cannot be built aborts before anything is sent.
		tx.Incr(k)
		tx.Set(k, "x", redis.SetOptions{NX: true, XX: true})
		if err := tx.Exec(ctx); err == nil {
			t.Fatal("transaction with a bad command was sent")
		}
		if n, _ := c.Get(ctx, k); n != "3" {
			t.Fatalf("counter %s after a refused transaction, want 3", n)
		}
	})
}

// TestPipelineLarge runs 100,000 commands in one pipeline and logs the
// memory it took (BenchmarkPipeline100k measures the same per command).
func TestPipelineLarge(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	c := redis.NewClient(&o)
	defer c.Close()
	k := key(t, "v")
	if err := c.Set(ctx, k, "0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	const n = 100000
	p := c.Pipeline()
	replies := make([]*redis.Reply[string], n)
	for i := range replies {
		replies[i] = p.Get(k)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	for i, r := range replies {
		if r.Val() != "0123456789abcdef" {
			t.Fatalf("reply %d = %q, %v", i, r.Val(), r.Err())
		}
	}
	t.Logf("Exec of %d GETs allocated %.1f B per command (%d allocations per command)",
		n, float64(after.TotalAlloc-before.TotalAlloc)/n, (after.Mallocs-before.Mallocs)/n)
}

func BenchmarkPipeline100k(b *testing.B) {
	ctx := context.Background()
	c, done := benchClient(b)
	defer done()
	k := "bench:k"
	c.Set(ctx, k, "0123456789abcdef")
	const n = 100000
	b.ReportAllocs()
	for b.Loop() {
		p := c.Pipeline()
		for range n {
			p.Get(k)
		}
		if err := p.Exec(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/cmd")
}

// TestNewCommand checks the public way to define a typed command outside
// this package: keys come from the command table, a bad argument or a
// CommandError is reported where the command runs and never sent.
func TestNewCommand(t *testing.T) {
	ctx := context.Background()
	strlen := func(v resp.Value, err error) (int64, error) { return redis.ResultOf(v, err).Int64() }
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "nc")
		if err := c.Set(ctx, k, "hello"); err != nil {
			t.Fatal(err)
		}
		cmd := redis.NewCommand(strlen, "STRLEN", k)
		if keys := cmd.Keys(); len(keys) != 1 || keys[0] != k || cmd.Flags()&redis.FlagReadonly == 0 {
			t.Fatalf("NewCommand(STRLEN): keys %q, flags %v", keys, cmd.Flags())
		}
		if n, err := redis.RunCommand(ctx, c, cmd); err != nil || n != 5 {
			t.Fatalf("RunCommand(STRLEN) = %d, %v", n, err)
		}
		bad := redis.NewCommand(strlen, "STRLEN", struct{}{})
		refused := redis.CommandError("STRLEN", errors.New("refused by the builder"), strlen)
		p := c.Pipeline()
		r1 := redis.Queue(p, cmd)
		r2 := redis.Queue(p, bad)
		r3 := redis.Queue(p, refused)
		_ = p.Exec(ctx)
		if n, err := r1.Result(); err != nil || n != 5 {
			t.Fatalf("pipelined STRLEN = %d, %v", n, err)
		}
		if err := r2.Err(); err == nil || !strings.Contains(err.Error(), "STRLEN") {
			t.Fatalf("a bad argument gave %v, want an error naming STRLEN", err)
		}
		if err := r3.Err(); err == nil || err.Error() != "refused by the builder" {
			t.Fatalf("CommandError gave %v", err)
		}
		if err := redis.NewCommand(strlen).Err(); err == nil {
			t.Fatal("NewCommand without arguments built a command")
		}
		// ResultOf: an error element and a null element of an array reply.
		if err := redis.ResultOf(resp.ErrorValue("WRONGTYPE not a list"), nil).Err(); !errors.Is(err, redis.ErrWrongType) {
			t.Fatalf("ResultOf(error value).Err() = %v, want WRONGTYPE", err)
		}
		if err := redis.ResultOf(resp.NullValue(), nil).Err(); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("ResultOf(null).Err() = %v, want ErrNil", err)
		}
		if err := redis.ResultOf(resp.IntValue(1), nil).Err(); err != nil {
			t.Fatalf("ResultOf(1).Err() = %v", err)
		}
	})
}

// TestPipelineStorageReuse checks that pipelines sharing pooled storage
// (a fresh Pipeline per batch takes what an earlier one gave back) never
// share replies: each Reply keeps its own value after later pipelines
// ran, whether fresh or reused, alone or in a transaction.
func TestPipelineStorageReuse(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		var kept [][]*redis.Reply[string]
		for round := range 20 {
			p := c.Pipeline()
			if round%3 == 2 {
				p = c.TxPipeline()
			}
			var replies []*redis.Reply[string]
			for i := range 5 + round*13 { // sizes across slab chunk boundaries
				k := key(t, strconv.Itoa(round)+":"+strconv.Itoa(i))
				p.Set(k, strconv.Itoa(round*1000+i))
				replies = append(replies, p.Get(k))
			}
			if err := p.Exec(ctx); err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			if p.Len() != 0 {
				t.Fatalf("round %d: %d commands left after Exec", round, p.Len())
			}
			kept = append(kept, replies)
			// The same pipeline again, after its storage went back.
			again := p.Get(key(t, strconv.Itoa(round)+":0"))
			if err := p.Exec(ctx); err != nil || again.Val() != strconv.Itoa(round*1000) {
				t.Fatalf("round %d: reused pipeline: %q, %v", round, again.Val(), err)
			}
		}
		for round, replies := range kept {
			for i, r := range replies {
				if v, err := r.Result(); err != nil || v != strconv.Itoa(round*1000+i) {
					t.Fatalf("round %d reply %d = %q, %v after later pipelines ran", round, i, v, err)
				}
			}
		}
	})
}
