package cluster

import (
	"bytes"
	"context"
	"fmt"
	"sync"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/internal/slot"
	"github.com/respkit/redis/resp"
)

// argv returns the arguments of cmd as sent.
func argv(cmd *redis.Cmd) ([][]byte, error) {
	v, err := resp.NewReader(bytes.NewReader(cmd.Bytes()), resp.Limits{}).Read()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, v.Len())
	for _, e := range v.Elems() {
		out = append(out, e.Bytes())
	}
	return out, nil
}

// info returns what the command table, or failing it the server's
// COMMAND INFO, says of cmd; nil when neither knows it.
func (t *transport) info(ctx context.Context, cmd *redis.Cmd) *cmdinfo.Info {
	name := cmd.Name()
	if info := cmdinfo.Lookup(name); info != nil {
		return info
	}
	t.infoMu.Lock()
	info, ok := t.infos[name]
	t.infoMu.Unlock()
	if ok {
		return info
	}
	srv, err := t.primaryFor(ctx, redis.NoSlot)
	if err != nil {
		return nil
	}
	v, err := srv.c.Do(ctx, "COMMAND", "INFO", name).Value()
	if err != nil {
		return nil // not cached: asked again next time
	}
	if v.Len() == 1 && !v.Elems()[0].IsNull() {
		info, err = cmdinfo.ParseCommandInfo(v.Elems()[0])
		if err != nil {
			info = nil
		}
	}
	t.infoMu.Lock()
	if len(t.infos) < 4096 {
		t.infos[name] = info
	}
	t.infoMu.Unlock()
	return info
}

// keysSlot returns the slot of the keys info finds in cmd.
func keysSlot(cmd *redis.Cmd, info *cmdinfo.Info) (int, error) {
	args, err := argv(cmd)
	if err != nil {
		return redis.NoSlot, err
	}
	var stack [8]int
	idx, err := info.KeyIndexes(stack[:0], args)
	if err != nil || len(idx) == 0 {
		return redis.NoSlot, nil // the server will say what is wrong
	}
	first := slot.OfBytes(args[idx[0]])
	for _, i := range idx[1:] {
		if s := slot.OfBytes(args[i]); s != first {
			return redis.NoSlot, &redis.CrossSlotError{Command: cmd.Name(), Key: string(args[idx[0]]), Other: string(args[i]), Slot: first, OtherSlot: s}
		}
	}
	return first, nil
}

// targets returns the servers a fanned-out command goes to: every primary
// for AllShards, every node for AllNodes.
func (t *transport) targets(ctx context.Context, info *cmdinfo.Info) ([]*server, error) {
	tp, err := t.topology(ctx)
	if err != nil {
		return nil, err
	}
	var out []*server
	for _, sh := range tp.shards {
		out = append(out, sh.primary)
		if info.Request == cmdinfo.RequestAllNodes {
			out = append(out, sh.replicas...)
		}
	}
	return out, nil
}

// fanOut runs cmd on every server its request policy names and merges the
// replies as its response policy says.
func (t *transport) fanOut(ctx context.Context, cmd *redis.Cmd, info *cmdinfo.Info) (resp.Value, error) {
	servers, err := t.targets(ctx, info)
	if err != nil {
		return resp.Value{}, err
	}
	replies := make([]resp.Value, len(servers))
	errs := make([]error, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() {
			replies[i], errs[i] = s.t.Do(ctx, cmd)
			if errs[i] != nil {
				errs[i] = t.failed(s, errs[i])
			}
		})
	}
	wg.Wait()
	return merge(cmd, info.Response, replies, errs)
}

// merge combines the replies of a fanned-out command. A failure of the
// connection to any node fails the whole (its part may or may not have
// run); error replies are merged as the policy says: AllSucceeded and the
// aggregates return the first error, OneSucceeded returns an error only
// when every node replied with one. Special (command-specific) merging
// takes the first reply that is not null.
func merge(cmd *redis.Cmd, policy cmdinfo.ResponsePolicy, replies []resp.Value, errs []error) (resp.Value, error) {
	for _, err := range errs {
		if err != nil {
			return resp.Value{}, err
		}
	}
	if policy == cmdinfo.ResponseOneSucceeded {
		for _, v := range replies {
			if !v.IsError() {
				return v, nil
			}
		}
		return replies[0], nil
	}
	for _, v := range replies {
		if v.IsError() {
			return v, nil
		}
	}
	switch policy {
	case cmdinfo.ResponseAllSucceeded:
		return replies[0], nil
	case cmdinfo.ResponseSpecial:
		// One node's reply stands for all (INFO, MEMORY STATS; use
		// ForEachShard for every node's), passing over nodes that have
		// nothing to say (RANDOMKEY on an empty shard).
		for _, v := range replies {
			if !v.IsNull() {
				return v, nil
			}
		}
		return replies[0], nil
	case cmdinfo.ResponseAggSum, cmdinfo.ResponseAggMin, cmdinfo.ResponseAggMax, cmdinfo.ResponseAggLogicalAnd, cmdinfo.ResponseAggLogicalOr:
		return aggregate(cmd, policy, replies)
	}
	// No policy: the replies are collections, concatenated (KEYS, ...),
	// or one reply stands for all.
	switch replies[0].Type() {
	case resp.Array, resp.Set, resp.Push:
		var all []resp.Value
		for _, v := range replies {
			all = append(all, v.Elems()...)
		}
		return resp.ArrayValue(all...), nil
	case resp.Map:
		var all []resp.Value
		for _, v := range replies {
			all = append(all, v.Elems()...)
		}
		return resp.MapValue(all...), nil
	}
	return replies[0], nil
}

// aggregate combines integer replies, or arrays of integers element by
// element (SCRIPT EXISTS), by sum, min, max, and or or.
func aggregate(cmd *redis.Cmd, policy cmdinfo.ResponsePolicy, replies []resp.Value) (resp.Value, error) {
	combine := func(a, b int64) int64 {
		switch policy {
		case cmdinfo.ResponseAggSum:
			return a + b
		case cmdinfo.ResponseAggMin:
			return min(a, b)
		case cmdinfo.ResponseAggMax:
			return max(a, b)
		case cmdinfo.ResponseAggLogicalAnd:
			if a != 0 && b != 0 {
				return 1
			}
			return 0
		default: // AggLogicalOr
			if a != 0 || b != 0 {
				return 1
			}
			return 0
		}
	}
	num := func(v resp.Value) (int64, error) {
		switch v.Type() {
		case resp.Integer:
			return v.Int(), nil
		case resp.Boolean:
			if v.Bool() {
				return 1, nil
			}
			return 0, nil
		}
		return 0, fmt.Errorf("cluster: %s: cannot aggregate a %v reply", cmd.Name(), v.Type())
	}
	first := replies[0]
	if first.Type() == resp.Array {
		acc := make([]int64, first.Len())
		for i, v := range replies {
			if v.Type() != resp.Array || v.Len() != len(acc) {
				return resp.Value{}, fmt.Errorf("cluster: %s: nodes replied with arrays of different lengths", cmd.Name())
			}
			for j, e := range v.Elems() {
				n, err := num(e)
				if err != nil {
					return resp.Value{}, err
				}
				if i == 0 {
					acc[j] = n
				} else {
					acc[j] = combine(acc[j], n)
				}
			}
		}
		out := make([]resp.Value, len(acc))
		for j, n := range acc {
			out[j] = resp.IntValue(n)
		}
		return resp.ArrayValue(out...), nil
	}
	var acc int64
	for i, v := range replies {
		n, err := num(v)
		if err != nil {
			return resp.Value{}, err
		}
		if i == 0 {
			acc = n
		} else {
			acc = combine(acc, n)
		}
	}
	return resp.IntValue(acc), nil
}

// split runs a multi-shard command (MGET, MSET, DEL, ...) whose keys span
// slots as one command per slot, and merges the replies: by the response
// policy, or for none (MGET) as one array in the order of the keys.
func (t *transport) split(ctx context.Context, cmd *redis.Cmd, info *cmdinfo.Info) (resp.Value, error) {
	args, err := argv(cmd)
	if err != nil {
		return resp.Value{}, err
	}
	var stack [16]int
	idx, err := info.KeyIndexes(stack[:0], args)
	if err != nil || len(idx) < 2 {
		return resp.Value{}, fmt.Errorf("cluster: %s: cannot split the command by slot: %v", cmd.Name(), err)
	}
	// Each key takes the arguments up to the next key with it (MSET's
	// value); the arguments before the first key are repeated in every
	// part, and none may follow the last key's group.
	step := idx[1] - idx[0]
	for i := 2; i < len(idx); i++ {
		if idx[i]-idx[i-1] != step {
			return resp.Value{}, fmt.Errorf("cluster: %s: keys are not evenly spaced; cannot split it by slot", cmd.Name())
		}
	}
	if len(args)-idx[len(idx)-1] != step {
		return resp.Value{}, fmt.Errorf("cluster: %s: arguments follow the keys; cannot split it by slot", cmd.Name())
	}
	type part struct {
		slot int
		keys []int // positions in idx
	}
	var parts []*part
	bySlot := map[int]*part{}
	for k, i := range idx {
		s := slot.OfBytes(args[i])
		p := bySlot[s]
		if p == nil {
			p = &part{slot: s}
			bySlot[s] = p
			parts = append(parts, p)
		}
		p.keys = append(p.keys, k)
	}
	replies := make([]resp.Value, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for pi, p := range parts {
		sub := make([]any, 0, idx[0]+len(p.keys)*step)
		sub = append(sub, string(args[0])) // the name must be a string
		for _, a := range args[1:idx[0]] {
			sub = append(sub, a)
		}
		for _, k := range p.keys {
			for _, a := range args[idx[k] : idx[k]+step] {
				sub = append(sub, a)
			}
		}
		subCmd, err := redis.NewCmd(sub...)
		if err != nil {
			return resp.Value{}, err
		}
		wg.Go(func() { replies[pi], errs[pi] = t.doSlot(ctx, subCmd, p.slot) })
	}
	wg.Wait()
	if info.Response != cmdinfo.ResponseDefault {
		return merge(cmd, info.Response, replies, errs)
	}
	for pi, err := range errs {
		if err != nil {
			return resp.Value{}, err
		}
		if replies[pi].IsError() {
			return replies[pi], nil
		}
	}
	out := make([]resp.Value, len(idx))
	for pi, p := range parts {
		elems := replies[pi].Elems()
		if len(elems) != len(p.keys) {
			return resp.Value{}, fmt.Errorf("cluster: %s: a part with %d keys got %d replies", cmd.Name(), len(p.keys), len(elems))
		}
		for j, k := range p.keys {
			out[k] = elems[j]
		}
	}
	return resp.ArrayValue(out...), nil
}
