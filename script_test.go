package redis_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

var scriptIncrBy = redis.NewScript(`return redis.call("INCRBY", KEYS[1], ARGV[1])`)
var scriptGet = redis.NewScript(`return redis.call("GET", KEYS[1])`)

func TestScriptFallbackAfterFlush(t *testing.T) {
	ctx := context.Background()
	srv := redistest.Start(t, redistest.Config{}) // SCRIPT FLUSH: own server
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto})
			defer c.Close()
			k := key(t, "n")
			if err := c.ScriptFlush(ctx); err != nil {
				t.Fatal(err)
			}
			if ok, err := scriptIncrBy.Exists(ctx, c); err != nil || ok {
				t.Fatalf("Exists after flush = %v, %v", ok, err)
			}
			// Direct: EVALSHA fails with NOSCRIPT, EVAL runs and loads it.
			res, err := scriptIncrBy.Run(ctx, c, []string{k}, 5)
			if n, _ := res.Int64(); err != nil || n != 5 {
				t.Fatalf("Run after flush = %d, %v", n, err)
			}
			if ok, err := scriptIncrBy.Exists(ctx, c); err != nil || !ok {
				t.Fatalf("Exists after the fallback = %v, %v; the EVAL should have loaded it", ok, err)
			}
			res, err = scriptIncrBy.Run(ctx, c, []string{k}, 2)
			if n, _ := res.Int64(); err != nil || n != 7 {
				t.Fatalf("Run by digest = %d, %v", n, err)
			}
			res, err = scriptGet.RunRO(ctx, c, []string{k})
			if s, _ := res.Text(); err != nil || s != "7" {
				t.Fatalf("RunRO = %q, %v", s, err)
			}

			// In a pipeline, after another flush: Exec loads the script first.
			if err := c.ScriptFlush(ctx); err != nil {
				t.Fatal(err)
			}
			p := c.Pipeline()
			a := scriptIncrBy.Queue(p, []string{k}, 1)
			b := scriptIncrBy.Queue(p, []string{k}, 1)
			g := scriptGet.QueueRO(p, []string{k})
			if err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			n1, _ := a.Val().Int64()
			n2, _ := b.Val().Int64()
			s, _ := g.Val().Text()
			if n1 != 8 || n2 != 9 || s != "9" {
				t.Fatalf("pipelined scripts: %d %d %q", n1, n2, s)
			}

			// And in a transaction.
			if err := c.ScriptFlush(ctx); err != nil {
				t.Fatal(err)
			}
			tx := c.TxPipeline()
			r := scriptIncrBy.Queue(tx, []string{k}, 10)
			if err := tx.Exec(ctx); err != nil {
				t.Fatal(err)
			}
			if n, _ := r.Val().Int64(); n != 19 {
				t.Fatalf("script in a transaction = %d", n)
			}
			if err := scriptIncrBy.Load(ctx, c); err != nil {
				t.Fatal(err)
			}
			if scriptIncrBy.Hash() != "" && len(scriptIncrBy.Hash()) != 40 {
				t.Fatalf("Hash %q is not a SHA1 in hex", scriptIncrBy.Hash())
			}
		})
	}
}
