package cluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/cmdinfo"
	"github.com/respkit/redis/resp"
)

// hop is where one command of a pipeline goes next.
type hop struct {
	srv *server
	ask bool // send ASKING first
}

// DoMulti runs a pipeline: its commands are grouped by the node serving
// them and each group is sent as one pipeline, the groups in parallel;
// replies land in out in the caller's order. Redirections and refusals
// are handled per command, in further rounds. A command that runs on
// several nodes (fanned out, or split by slot) runs on its own, after the
// commands before it and before those after it, so that the pipeline's
// order holds for every key. A batch with commands that change connection
// state (MULTI ... EXEC) runs as one unit on one node.
func (t *transport) DoMulti(ctx context.Context, cmds []*redis.Cmd, out []resp.Value) error {
	if len(cmds) != len(out) {
		return errors.New("cluster: DoMulti needs one reply slot per command")
	}
	for _, c := range cmds {
		if c.Flags()&redis.FlagConnState != 0 {
			return t.doUnit(ctx, cmds, out)
		}
	}
	var firstErr error
	note := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	// Each command's slot is found once, here, for every round.
	routes := make([]route, len(cmds))
	seg := make([]int, 0, len(cmds))
	for i, c := range cmds {
		var alone bool
		routes[i], alone = t.classify(ctx, c)
		if !alone {
			seg = append(seg, i)
			continue
		}
		if len(seg) > 0 {
			note(t.runSegment(ctx, cmds, out, seg, routes))
			seg = seg[:0]
		}
		v, err := t.Do(ctx, c)
		if err != nil {
			note(err)
			continue
		}
		out[i] = v
	}
	if len(seg) > 0 {
		note(t.runSegment(ctx, cmds, out, seg, routes))
	}
	return firstErr
}

// route is where a command of a pipeline goes: the slot whose node serves
// it, or why it cannot be sent (keys in different slots, a slot map that
// cannot be read).
type route struct {
	slot int
	err  error
}

// classify finds where cmd goes; alone reports a command that runs on
// several nodes (a command without keys whose policy fans it out, or a
// multi-shard one split by slot), which the pipeline runs on its own.
// Another command without keys is spread by its first argument.
func (t *transport) classify(ctx context.Context, cmd *redis.Cmd) (r route, alone bool) {
	s, err := t.slotOf(ctx, cmd)
	if err != nil {
		var cse *redis.CrossSlotError
		if errors.As(err, &cse) && t.o.SplitMultiKey {
			if info := t.info(ctx, cmd); info != nil && info.Request == cmdinfo.RequestMultiShard {
				return route{}, true
			}
		}
		return route{slot: redis.NoSlot, err: err}, false
	}
	if s == redis.NoSlot {
		info := t.info(ctx, cmd)
		if info != nil && (info.Request == cmdinfo.RequestAllShards || info.Request == cmdinfo.RequestAllNodes) {
			return route{}, true
		}
		s = spread(cmd)
	}
	return route{slot: s}, false
}

// runSegment runs the commands idx of cmds, none of which runs alone,
// where routes says.
func (t *transport) runSegment(ctx context.Context, cmds []*redis.Cmd, out []resp.Value, idx []int, routes []route) error {
	hops := make([]hop, len(cmds))
	redirects := make([]int, len(cmds))
	pending := append([]int(nil), idx...)
	var firstErr error
	var errMu sync.Mutex
	noteErr := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
	}
	var start time.Time
	tries := 0
	for len(pending) > 0 {
		groups := map[*server][]int{}
		var order []*server
		var waiting []int // refused or without an owner: try again after a pause
		for _, i := range pending {
			if hops[i].srv == nil {
				srv, err := t.serverOf(ctx, cmds[i], routes[i])
				var cse *redis.CrossSlotError
				var noOwner noOwnerError
				switch {
				case errors.As(err, &cse):
					out[i] = crossSlotReply(cse)
					continue
				case errors.As(err, &noOwner):
					waiting = append(waiting, i)
					continue
				case err != nil:
					return err // the slot map is unknown: nothing of the segment was sent
				}
				hops[i].srv = srv
			}
			srv := hops[i].srv
			if groups[srv] == nil {
				order = append(order, srv)
			}
			groups[srv] = append(groups[srv], i)
		}
		var wg sync.WaitGroup
		for gi, srv := range order {
			run := func() {
				if err := t.runGroup(ctx, srv, groups[srv], cmds, out, hops); err != nil {
					noteErr(err)
				}
			}
			if gi == len(order)-1 {
				run() // the last group (often the only one) in this goroutine
			} else {
				wg.Go(run)
			}
		}
		wg.Wait()
		// Commands redirected or refused go round again. (next starts as a
		// copy: waiting keeps growing below.)
		next := append([]int(nil), waiting...)
		for _, idx := range groups {
			for _, i := range idx {
				code := replyCode(out[i])
				switch {
				case code == "MOVED" || code == "ASK":
					r, ok := parseRedirect(out[i].String(), hops[i].srv.addr)
					if !ok || redirects[i] >= t.o.MaxRedirects {
						hops[i] = hop{}
						continue
					}
					redirects[i]++
					redis.TraceRedirect(ctx)
					if r.ask {
						t.asked.Add(1)
						srv, err := t.serverFor(r.addr)
						if err != nil {
							return err
						}
						hops[i] = hop{srv: srv, ask: true}
					} else {
						t.noteMoved(r)
						hops[i] = hop{}
					}
					out[i] = resp.Value{}
					next = append(next, i)
				case refused(code):
					t.refusedN.Add(1)
					if code == "CLUSTERDOWN" {
						t.refresh()
					}
					hops[i] = hop{}
					waiting = append(waiting, i)
					next = append(next, i)
				default:
					hops[i] = hop{}
				}
			}
		}
		if len(waiting) > 0 {
			if start.IsZero() {
				start = time.Now()
			}
			d, ok := t.tryAgainPause(ctx, start, tries)
			if !ok {
				// Out of time: the refusals stand as the replies.
				for _, i := range waiting {
					if out[i].Type() == 0 {
						out[i] = resp.ErrorValue("CLUSTERDOWN no node serves the slot of this command")
					}
				}
				next = removeAll(next, waiting)
			} else {
				tries++
				if err := sleepCtx(ctx, d); err != nil {
					return err
				}
				for _, i := range waiting {
					out[i] = resp.Value{}
				}
			}
		}
		pending = next
	}
	return firstErr
}

// removeAll returns s without the elements of drop.
func removeAll(s, drop []int) []int {
	gone := make(map[int]bool, len(drop))
	for _, d := range drop {
		gone[d] = true
	}
	out := s[:0]
	for _, x := range s {
		if !gone[x] {
			out = append(out, x)
		}
	}
	return out
}

// serverOf returns the server for a command of a pipeline on the route
// classify found: a replica for a read when ReadFrom allows, else the
// slot's primary.
func (t *transport) serverOf(ctx context.Context, cmd *redis.Cmd, r route) (*server, error) {
	if r.err != nil {
		return nil, r.err
	}
	if cmd.Flags()&redis.FlagReadonly != 0 {
		return t.readerFor(ctx, r.slot)
	}
	return t.primaryFor(ctx, r.slot)
}

// crossSlotReply is the reply put in a pipeline for a command whose keys
// span slots: the error a cluster node would give, found before sending.
func crossSlotReply(e *redis.CrossSlotError) resp.Value {
	return resp.ErrorValue(fmt.Sprintf("CROSSSLOT %s: keys %q (slot %d) and %q (slot %d) hash to different slots; nothing was sent", e.Command, e.Key, e.Slot, e.Other, e.OtherSlot))
}

// runGroup sends the commands idx of cmds to srv as one pipeline, with
// ASKING before those that were asked to, and stores their replies.
func (t *transport) runGroup(ctx context.Context, srv *server, idx []int, cmds []*redis.Cmd, out []resp.Value, hops []hop) error {
	asks := 0
	for _, i := range idx {
		if hops[i].ask {
			asks++
		}
	}
	n := len(idx) + asks
	sub := make([]*redis.Cmd, 0, n)
	got := make([]resp.Value, n)
	for _, i := range idx {
		if hops[i].ask {
			sub = append(sub, askingCmd)
		}
		sub = append(sub, cmds[i])
	}
	err := srv.t.DoMulti(ctx, sub, got)
	j := 0
	for _, i := range idx {
		if hops[i].ask {
			j++
		}
		out[i] = got[j]
		j++
	}
	if err != nil {
		return t.failed(srv, err)
	}
	return nil
}

// doUnit runs a batch that must stay on one connection (MULTI ... EXEC)
// on the primary serving the slot all its keys share. When the
// transaction was refused because its slot moved (MOVED or ASK for its
// commands, then EXECABORT), it is sent again where the slot went: it did
// not run.
func (t *transport) doUnit(ctx context.Context, cmds []*redis.Cmd, out []resp.Value) error {
	s := redis.NoSlot
	var firstKey string
	for _, c := range cmds {
		cs, err := t.slotOf(ctx, c)
		if err != nil {
			return err
		}
		if cs == redis.NoSlot {
			continue
		}
		key, _ := c.Key()
		if s == redis.NoSlot {
			s, firstKey = cs, key
		} else if cs != s {
			return &redis.CrossSlotError{Command: "MULTI", Key: firstKey, Slot: s, Other: key, OtherSlot: cs}
		}
	}
	var ask *server
	var start time.Time
	redirects, tries := 0, 0
	for {
		srv := ask
		if srv == nil {
			var err error
			if srv, err = t.primaryFor(ctx, s); err != nil {
				return err
			}
		}
		var err error
		if ask != nil {
			sub := append([]*redis.Cmd{askingCmd}, cmds...)
			got := make([]resp.Value, len(sub))
			err = srv.t.DoMulti(ctx, sub, got)
			copy(out, got[1:])
		} else {
			err = srv.t.DoMulti(ctx, cmds, out)
		}
		ask = nil
		if err != nil {
			return t.failed(srv, err)
		}
		code, v := unitRefusal(cmds, out)
		switch {
		case code == "":
			return nil
		case code == "MOVED" || code == "ASK":
			r, ok := parseRedirect(v.String(), srv.addr)
			if !ok || redirects >= t.o.MaxRedirects {
				return nil
			}
			redirects++
			redis.TraceRedirect(ctx)
			if r.ask {
				t.asked.Add(1)
				if ask, err = t.serverFor(r.addr); err != nil {
					return err
				}
			} else {
				t.noteMoved(r)
			}
		default: // refused
			t.refusedN.Add(1)
			if start.IsZero() {
				start = time.Now()
			}
			d, ok := t.tryAgainPause(ctx, start, tries)
			if !ok {
				return nil
			}
			tries++
			if err := sleepCtx(ctx, d); err != nil {
				return err
			}
		}
		clear(out)
	}
}

// unitRefusal returns the redirection or refusal that stopped a
// transaction from running, with the reply carrying it, or "" when it ran
// (or failed for another reason). Only a transaction whose EXEC failed
// counts: one that ran is never sent again.
func unitRefusal(cmds []*redis.Cmd, out []resp.Value) (string, resp.Value) {
	last := len(cmds) - 1
	if last < 0 || cmds[last].Name() != "EXEC" || !out[last].IsError() {
		return "", resp.Value{}
	}
	for _, v := range out {
		code := replyCode(v)
		if code == "MOVED" || code == "ASK" || refused(code) {
			return code, v
		}
	}
	return "", resp.Value{}
}

// Dedicated reserves a connection on the primary serving slot s (any
// primary for redis.AnySlot). MOVED replies seen on it update the slot
// map.
func (t *transport) Dedicated(ctx context.Context, s int) (redis.DedicatedConn, error) {
	srv, err := t.primaryFor(ctx, s)
	if err != nil {
		return nil, err
	}
	dc, err := srv.t.Dedicated(ctx, s)
	if err != nil {
		return nil, t.failed(srv, err)
	}
	return &dedicated{DedicatedConn: dc, t: t, srv: srv}, nil
}

// dedicated is a node's reserved connection that tells the transport of
// the redirections and failures it sees.
type dedicated struct {
	redis.DedicatedConn
	t   *transport
	srv *server
}

func (d *dedicated) Do(ctx context.Context, cmds []*redis.Cmd, out []resp.Value) error {
	if err := d.DedicatedConn.Do(ctx, cmds, out); err != nil {
		return d.t.failed(d.srv, err)
	}
	for _, v := range out {
		if replyCode(v) == "MOVED" {
			if r, ok := parseRedirect(v.String(), d.srv.addr); ok {
				d.t.noteMoved(r)
			}
		}
	}
	return nil
}

// Receive reads the next frame, as the node's connection does, and notes
// a MOVED reply (a sharded SUBSCRIBE sent to a node that no longer serves
// the slot) in the slot map. A failure other than a timeout asks for a
// read of the slot map.
func (d *dedicated) Receive(ctx context.Context, timeout time.Duration) (resp.Value, error) {
	v, err := d.DedicatedConn.Receive(ctx, timeout)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() || ctx.Err() != nil {
			return v, err
		}
		return v, d.t.failed(d.srv, err)
	}
	if replyCode(v) == "MOVED" {
		if r, ok := parseRedirect(v.String(), d.srv.addr); ok {
			d.t.noteMoved(r)
		}
	}
	return v, nil
}

// Addr returns the address of the node the connection is reserved on;
// a PubSub keeps one connection per node for shard channels.
func (d *dedicated) Addr() string { return d.srv.addr }
