package redis_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/respkit/redis"
)

func TestWatchRetriesAfterConflict(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := key(t, "counter")
		if err := c.Set(ctx, k, 10); err != nil {
			t.Fatal(err)
		}
		attempts := 0
		err := c.Watch(ctx, func(tx *redis.Tx) error {
			attempts++
			v, err := c.Get(ctx, k)
			if err != nil {
				return err
			}
			if attempts == 1 {
				// A second client changes the watched key in between.
				if _, err := c.Incr(ctx, k); err != nil {
					return err
				}
			}
			n, _ := strconv.Atoi(v)
			return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
				p.Set(k, n*2)
				return nil
			})
		}, k)
		if err != nil {
			t.Fatal(err)
		}
		if attempts != 2 {
			t.Fatalf("fn ran %d times, want 2 (one conflict, one success)", attempts)
		}
		if v, _ := c.Get(ctx, k); v != "22" {
			t.Fatalf("counter = %s, want 22 (11 doubled)", v)
		}
		// The reserved connections went back to the pool: no connection
		// was closed for a finished transaction.
		st := c.PoolStats()
		if st.TotalConns != 1 {
			t.Fatalf("pool holds %d connections after two transactions, want 1 (reused)", st.TotalConns)
		}
	})
}

func TestWatchGivesUpAndPassesErrors(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	o.WatchAttempts = 3
	c := redis.NewClient(&o)
	defer c.Close()
	k := key(t, "k")
	runs := 0
	err := c.Watch(ctx, func(tx *redis.Tx) error {
		runs++
		c.Incr(ctx, k) // always conflicts
		return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
			p.Set(k, "mine")
			return nil
		})
	}, k)
	if !errors.Is(err, redis.ErrTxFailed) || runs != 3 {
		t.Fatalf("err %v after %d runs, want ErrTxFailed after 3", err, runs)
	}
	if v, _ := c.Get(ctx, k); v != "3" {
		t.Fatalf("value %q: a failed transaction wrote", v)
	}
	mine := errors.New("mine")
	if err := c.Watch(ctx, func(tx *redis.Tx) error { return mine }, k); err != mine {
		t.Fatalf("fn's error came back as %v", err)
	}
	if err := c.Watch(ctx, func(tx *redis.Tx) error { return nil }); err == nil {
		t.Fatal("Watch without keys was accepted")
	}
}

func TestWatchConcurrentIncrements(t *testing.T) {
	ctx := context.Background()
	o := commandOptions(t)
	o.WatchAttempts = 1000
	c := redis.NewClient(&o)
	defer c.Close()
	k := key(t, "n")
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				errs <- c.Watch(ctx, func(tx *redis.Tx) error {
					v, err := c.Get(ctx, k)
					if err != nil && !errors.Is(err, redis.ErrNil) {
						return err
					}
					n, _ := strconv.Atoi(v)
					return tx.Pipelined(ctx, func(p *redis.Pipeline) error {
						p.Set(k, n+1)
						return nil
					})
				}, k)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := c.Get(ctx, k); v != strconv.Itoa(workers*each) {
		t.Fatalf("counter = %s after %d optimistic increments, want %d", v, workers*each, workers*each)
	}
}
