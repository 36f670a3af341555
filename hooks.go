package redis

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/respkit/redis/resp"
)

// Hook is middleware around what a Client does: dialing, running a
// command, running a pipeline, checking out a pooled connection. Each func gets the call's description and
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
	// redirections included: on the shared connections, on a reserved
	// Conn (Client.Conn, Watch) and on pooled ones (blocking commands).
	// Pub/sub subscriptions are not commands in this sense. info's Addr, Attempts and Redirects are
	// filled in by the time next returns. next's error is nil for a null
	// reply (ErrNil comes from the typed result, later) and an *Error for
	// a server error reply. A cluster client's hooks also see the
	// commands it sends to learn the topology (CLUSTER SHARDS).
	Command func(ctx context.Context, info *CommandCall, next func(context.Context) error) error
	// Pipeline wraps one pipeline's or transaction's Exec. next returns
	// Exec's error: the first command's, each command keeps its own.
	Pipeline func(ctx context.Context, info *PipelineCall, next func(context.Context) error) error
	// Acquire wraps checking out an exclusive connection from a server's
	// pool (blocking commands, Client.Conn, Watch, pub/sub), dialing one
	// if needed: the time next takes is the wait for a connection, and
	// its error is, for instance, a pool timeout (ErrPoolTimeout).
	// Ordinary commands share multiplexed connections and never wait here.
	Acquire func(ctx context.Context, info AcquireCall, next func(context.Context) error) error
}

// AcquireCall describes a checkout from a server's connection pool.
type AcquireCall struct {
	Addr string
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

// acquireHook composes the Acquire hooks of hooks for the connection
// layer, or nil when there are none.
func acquireHook(hooks []Hook) func(ctx context.Context, addr string, get func(context.Context) error) error {
	var as []func(context.Context, AcquireCall, func(context.Context) error) error
	for _, k := range hooks {
		if k.Acquire != nil {
			as = append(as, k.Acquire)
		}
	}
	if len(as) == 0 {
		return nil
	}
	return func(ctx context.Context, addr string, get func(context.Context) error) error {
		return chain(as, ctx, AcquireCall{Addr: addr}, get)
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
	var v resp.Value
	err := c.hooks.runCommand(ctx, cmd, func(ctx context.Context) error {
		var err error
		v, err = c.runAttempts(ctx, cmd)
		return err
	})
	if err != nil {
		return resp.Value{}, err
	}
	return v, nil
}

// runCommand runs run, which sends cmd, through the Command hooks.
func (h *hookChain) runCommand(ctx context.Context, cmd *Cmd, run func(context.Context) error) error {
	call := &struct { // one allocation for both
		info CommandCall
		tr   trace
	}{info: CommandCall{Name: cmd.name, Slot: NoSlot}}
	info, tr := &call.info, &call.tr
	if s, err := cmd.Slot(); err == nil {
		info.Slot = s
	}
	if h.args && cmd.err == nil {
		if args := splitCommand(nil, cmd.enc); len(args) > 0 {
			info.Args = args[1:]
		}
	}
	return chain(h.command, context.WithValue(ctx, traceKey{}, tr), info, func(ctx context.Context) error {
		err := run(ctx)
		info.Addr, info.Attempts, info.Redirects = tr.server(), int(tr.attempts.Load()), int(tr.redirects.Load())
		return err
	})
}

// runPipeline runs exec, which sends cmds, through the Pipeline hooks.
func (h *hookChain) runPipeline(ctx context.Context, cmds []*Cmd, tx bool, exec func(context.Context) error) error {
	info := &PipelineCall{Names: make([]string, len(cmds)), Tx: tx}
	for i, c := range cmds {
		info.Names[i] = c.name
	}
	tr := &trace{}
	return chain(h.pipeline, context.WithValue(ctx, traceKey{}, tr), info, func(ctx context.Context) error {
		err := exec(ctx)
		info.Addr, info.Attempts, info.Redirects = tr.server(), int(tr.attempts.Load()), int(tr.redirects.Load())
		return err
	})
}
