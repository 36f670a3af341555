package redis

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
)

// Script is a Lua script run by its SHA1 digest (EVALSHA), so that its
// source crosses the network only when the server does not have it yet:
// on a NOSCRIPT error Run sends EVAL with the source, which also loads it.
// A Script is immutable and safe for concurrent use.
//
//	var incrBy = redis.NewScript(`return redis.call("INCRBY", KEYS[1], ARGV[1])`)
//	res, err := incrBy.Run(ctx, rdb, []string{"counter"}, 5)
//	n, err := res.Int64()
type Script struct {
	src, sha string
}

// NewScript returns a script for the Lua source src.
func NewScript(src string) *Script {
	sum := sha1.Sum([]byte(src))
	return &Script{src: src, sha: hex.EncodeToString(sum[:])}
}

// Hash returns the script's SHA1 digest in hex, as EVALSHA takes it.
func (s *Script) Hash() string { return s.sha }

// Source returns the script's Lua source.
func (s *Script) Source() string { return s.src }

// Run runs the script with EVALSHA, falling back to EVAL when the server
// does not have it (NOSCRIPT). keys are the keys the script touches (they
// route the call on a cluster); args are its other arguments. The Result
// holds the script's reply.
func (s *Script) Run(ctx context.Context, c *Client, keys []string, args ...any) (Result, error) {
	r, err := c.EvalSHA(ctx, s.sha, keys, args...)
	if errors.Is(err, ErrNoScript) {
		return c.Eval(ctx, s.src, keys, args...)
	}
	return r, err
}

// RunRO is Run with EVALSHA_RO and EVAL_RO (Redis 7.0): the script may
// only read, so it can run on a replica.
func (s *Script) RunRO(ctx context.Context, c *Client, keys []string, args ...any) (Result, error) {
	r, err := c.EvalSHARO(ctx, s.sha, keys, args...)
	if errors.Is(err, ErrNoScript) {
		return c.EvalRO(ctx, s.src, keys, args...)
	}
	return r, err
}

// Load sends SCRIPT LOAD with the source, so later runs find it.
func (s *Script) Load(ctx context.Context, c *Client) error {
	sha, err := c.ScriptLoad(ctx, s.src)
	if err == nil && sha != s.sha {
		return fmt.Errorf("redis: SCRIPT LOAD returned digest %s, want %s", sha, s.sha)
	}
	return err
}

// Exists reports whether the server has the script (SCRIPT EXISTS).
func (s *Script) Exists(ctx context.Context, c *Client) (bool, error) {
	ok, err := c.ScriptExists(ctx, s.sha)
	if err != nil {
		return false, err
	}
	if len(ok) != 1 {
		return false, fmt.Errorf("redis: SCRIPT EXISTS returned %d answers for 1 script", len(ok))
	}
	return ok[0], nil
}

// Queue queues the script in a pipeline with EVALSHA. Before the
// pipeline is sent, Exec asks the server which of its scripts it lacks
// (SCRIPT EXISTS) and loads those (SCRIPT LOAD), so a NOSCRIPT cannot
// happen inside the pipeline (unless a SCRIPT FLUSH runs in between).
func (s *Script) Queue(p *Pipeline, keys []string, args ...any) *Reply[Result] {
	p.needScript(s)
	return p.EvalSHA(s.sha, keys, args...)
}

// QueueRO is Queue with EVALSHA_RO.
func (s *Script) QueueRO(p *Pipeline, keys []string, args ...any) *Reply[Result] {
	p.needScript(s)
	return p.EvalSHARO(s.sha, keys, args...)
}

func (p *Pipeline) needScript(s *Script) {
	for _, x := range p.scripts {
		if x.sha == s.sha {
			return
		}
	}
	p.scripts = append(p.scripts, s)
}

// loadScripts makes sure the server has every script queued in the
// pipeline: one SCRIPT EXISTS for all, then SCRIPT LOAD for the missing.
func (p *Pipeline) loadScripts(ctx context.Context) error {
	shas := make([]string, len(p.scripts))
	for i, s := range p.scripts {
		shas[i] = s.sha
	}
	var have []bool
	var err error
	if p.c != nil {
		have, err = p.c.ScriptExists(ctx, shas...)
	} else {
		have, err = p.cn.runExists(ctx, shas)
	}
	if err != nil {
		return fmt.Errorf("redis: loading the pipeline's scripts: %w", err)
	}
	if len(have) != len(shas) {
		return fmt.Errorf("redis: SCRIPT EXISTS returned %d answers for %d scripts", len(have), len(shas))
	}
	for i, ok := range have {
		if ok {
			continue
		}
		cmd := ScriptLoad(p.scripts[i].src)
		if p.c != nil {
			_, err = RunCommand(ctx, p.c, cmd)
		} else {
			_, err = RunOn(ctx, p.cn, cmd)
		}
		if err != nil {
			return fmt.Errorf("redis: loading the pipeline's scripts: %w", err)
		}
	}
	return nil
}

func (cn *Conn) runExists(ctx context.Context, shas []string) ([]bool, error) {
	return RunOn(ctx, cn, ScriptExists(shas...))
}
