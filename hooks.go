package redis

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/respkit/redis/resp"
)

// Hook is middleware around what a Client does: dialing, running a
// command, running a pipeline. Each func gets the call's description and
// next, the rest of the chain; it must call next exactly once (or fail the
// call with an error of its own) and return what it wants the caller to
// see, normally next's error. Options.Hooks installs hooks when the client
// is made and they cannot change afterwards; the first is the outermost. A
// nil func leaves that step alone.
//
// Hooks see names, slots, servers, timings, errors, retries and
// redirections, never argument values, unless Options.HookArgs opts in. A
// client without hooks pays nothing for them.
type Hook struct {
	// Dial wraps opening one connection, handshake included (HELLO, AUTH,
	// SELECT, ...). It runs for every connection a client opens: the
	// multiplexed ones, pooled ones for blocking commands, and those of
	// every node of a cluster or Sentinel-managed group.
	Dial func(ctx context.Context, info DialCall, next func(context.Context) error) error
	// Command wraps one command run through the client, retries and
	// redirections included. info's Addr, Attempts and Redirects are
	// filled in by the time next returns. next's error is nil for a null
	// reply (ErrNil comes from the typed result, later) and an *Error for
	// a server error reply. A cluster client's hooks also see the
	// commands it sends to learn the topology (CLUSTER SHARDS).
	Command func(ctx context.Context, info *CommandCall, next func(context.Context) error) error
	// Pipeline wraps one pipeline's or transaction's Exec. next returns
	// Exec's error: the first command's, each command keeps its own.
	Pipeline func(ctx context.Context, info *PipelineCall, next func(context.Context) error) error
}

// DialCall describes a connection being opened.
type DialCall struct {
	Network string // "tcp" or "unix"
	Addr    string
}

// CommandCall describes one command for a Command hook.
type CommandCall struct {
	// Name is the command's name in upper case ("GET", "CLIENT KILL").
	Name string
	// Slot is the hash slot of the command's keys, or NoSlot for a
	// command without keys (or whose keys span several slots).
	Slot int
	// Args holds the command's arguments after its name, as sent; nil
	// unless Options.HookArgs is set. Do not modify or keep them.
	Args [][]byte
	// Filled in while next runs:

	// Addr is the server that answered (the last one tried); "" when the
	// command was never sent.
	Addr string
	// Attempts counts the times the client sent the command: 1, plus one
	// per retry.
	Attempts int
	// Redirects counts the MOVED and ASK redirections a cluster client
	// followed.
	Redirects int
}

// PipelineCall describes one pipeline or transaction for a Pipeline hook.
type PipelineCall struct {
	// Names holds the queued commands' names, in order.
	Names []string
	// Tx is set for a transaction (MULTI ... EXEC).
	Tx bool
	// Filled in while next runs:

	// Addr is a server that answered; a cluster pipeline that spans
	// several servers reports one of them.
	Addr string
	// Attempts counts the sends of the batch that was sent most often: 1,
	// plus one per retry.
	Attempts int
	// Redirects counts the MOVED and ASK redirections followed.
	Redirects int
}

// hookChain is a client's hooks, each kind composed once.
type hookChain struct {
	command  []func(context.Context, *CommandCall, func(context.Context) error) error
	pipeline []func(context.Context, *PipelineCall, func(context.Context) error) error
	args     bool
}

func newHookChain(o *Options) *hookChain {
	h := &hookChain{args: o.HookArgs}
	for _, k := range o.Hooks {
		if k.Command != nil {
			h.command = append(h.command, k.Command)
		}
		if k.Pipeline != nil {
			h.pipeline = append(h.pipeline, k.Pipeline)
		}
	}
	if len(h.command) == 0 && len(h.pipeline) == 0 {
		return nil
	}
	tracing.Store(true)
	return h
}

// dialHook composes the Dial hooks of hooks into one func for the
// connection layer, or nil when there are none.
func dialHook(hooks []Hook, network string) func(ctx context.Context, addr string, dial func(context.Context) error) error {
	var ds []func(context.Context, DialCall, func(context.Context) error) error
	for _, k := range hooks {
		if k.Dial != nil {
			ds = append(ds, k.Dial)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	return func(ctx context.Context, addr string, dial func(context.Context) error) error {
		return chain(ds, ctx, DialCall{Network: network, Addr: addr}, dial)
	}
}

// chain runs hooks around last, the first outermost.
func chain[I any](hooks []func(context.Context, I, func(context.Context) error) error, ctx context.Context, info I, last func(context.Context) error) error {
	if len(hooks) == 0 {
		return last(ctx)
	}
	return hooks[0](ctx, info, func(ctx context.Context) error {
		return chain(hooks[1:], ctx, info, last)
	})
}

// A trace travels in the context of a hooked call, for the transports
// below the client to report the servers they use and the redirections
// they follow (TraceServer, TraceRedirect).
type trace struct {
	mu        sync.Mutex
	addr      string
	redirects atomic.Int32
	attempts  atomic.Int32 // the most sends of one command or batch
}

type traceKey struct{}

// tracing is set once any client has hooks: until then TraceServer and
// TraceRedirect return at once, without looking in the context.
var tracing atomic.Bool

func traceOf(ctx context.Context) *trace {
	if !tracing.Load() {
		return nil
	}
	t, _ := ctx.Value(traceKey{}).(*trace)
	return t
}

// TraceServer tells the hooks of the call ctx belongs to that a command
// went to the server at addr. Transports call it; it costs nothing when no
// client has hooks.
func TraceServer(ctx context.Context, addr string) {
	if t := traceOf(ctx); t != nil {
		t.mu.Lock()
		t.addr = addr
		t.mu.Unlock()
	}
}

// TraceRedirect tells the hooks of the call ctx belongs to that a
// transport followed a redirection (MOVED or ASK).
func TraceRedirect(ctx context.Context) {
	if t := traceOf(ctx); t != nil {
		t.redirects.Add(1)
	}
}

// traceAttempt notes that the client is sending a command (or a batch)
// for the n-th time.
func traceAttempt(ctx context.Context, n int) {
	if t := traceOf(ctx); t != nil {
		for {
			old := t.attempts.Load()
			if int32(n) <= old || t.attempts.CompareAndSwap(old, int32(n)) {
				return
			}
		}
	}
}

func (t *trace) server() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addr
}

// runHooked runs cmd through the client's Command hooks.
func (c *Client) runHooked(ctx context.Context, cmd *Cmd) (resp.Value, error) {
	call := &struct { // one allocation for both
		info CommandCall
		tr   trace
	}{info: CommandCall{Name: cmd.name, Slot: NoSlot}}
	info, tr := &call.info, &call.tr
	if s, err := cmd.Slot(); err == nil {
		info.Slot = s
	}
	if c.hooks.args && cmd.err == nil {
		if args := splitCommand(nil, cmd.enc); len(args) > 0 {
			info.Args = args[1:]
		}
	}
	var v resp.Value
	err := chain(c.hooks.command, context.WithValue(ctx, traceKey{}, tr), info, func(ctx context.Context) error {
		var err error
		v, err = c.runAttempts(ctx, cmd)
		info.Addr, info.Attempts, info.Redirects = tr.server(), int(tr.attempts.Load()), int(tr.redirects.Load())
		return err
	})
	if err != nil {
		return resp.Value{}, err
	}
	return v, nil
}
