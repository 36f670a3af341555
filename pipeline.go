package redis

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/respkit/redis/resp"
)

// Reply is the result of a command queued in a Pipeline, available once
// Exec has returned.
type Reply[T any] struct {
	val    T
	err    error
	done   bool
	decode func(resp.Value, error) (T, error)
}

func (r *Reply[T]) set(v resp.Value, err error) error {
	r.val, r.err = r.decode(v, err)
	r.done = true
	return r.err
}

// errNotExecuted is the error of a Reply read before its pipeline ran.
var errNotExecuted = errors.New("redis: the pipeline has not been executed")

// Result returns the command's decoded reply and its error: a server
// error reply as *Error, a null as ErrNil, a failure of the pipeline's
// connection as the connection error.
func (r *Reply[T]) Result() (T, error) {
	if !r.done {
		var zero T
		return zero, errNotExecuted
	}
	return r.val, r.err
}

// Val returns the decoded reply, or T's zero value when the command failed.
func (r *Reply[T]) Val() T { return r.val }

// Err returns the command's error, or nil.
func (r *Reply[T]) Err() error {
	if !r.done {
		return errNotExecuted
	}
	return r.err
}

// sink receives one command's reply when its pipeline runs, and returns
// the command's error.
type sink interface{ set(resp.Value, error) error }

// resultSink fills a Result queued with Pipeline.Do.
type resultSink struct{ r *Result }

func (s resultSink) set(v resp.Value, err error) error {
	if err == nil && v.IsError() {
		err = v.Err()
	}
	*s.r = Result{val: v, err: err}
	return err
}

// pipelineBatch is how many commands of a pipeline go to the transport at
// once. Replies are decoded batch by batch, so a pipeline of any length
// never holds more than this many raw replies.
const pipelineBatch = 16384

// maxKeptCmds bounds the command records a pipeline's pooled storage
// keeps for the next pipeline (about 1.7 MB at most).
const maxKeptCmds = 16384

// Pipeline queues commands and sends them together with Exec: one round
// trip for up to pipelineBatch commands, replies decoded as they are read.
// Each queued command returns a *Reply (or, for Do, a *Result) that holds
// its own value and error after Exec; one failed command does not affect
// the others.
//
// A TxPipeline wraps the commands in MULTI and EXEC, so they run
// atomically.
//
// A Pipeline is not safe for concurrent use. After Exec it is empty and
// can be reused.
type Pipeline struct {
	c       *Client // nil for a pipeline on a reserved connection
	cn      *Conn   // the reserved connection, or nil
	tx      bool
	buf     []byte   // every queued command's encoding, back to back
	keys    []string // every queued command's keys, back to back
	cmds    []*Cmd   // metadata (from a slab); enc is set from ends when the pipeline runs
	ends    []int    // end offset of each command in buf
	sinks   []sink
	slabs   []any     // *slab[T] for each result type queued
	scripts []*Script // scripts queued with Script.Queue, loaded before sending

	cmdStore          [][]Cmd // chunks of command records, reused after Exec
	cmdChunk, cmdNext int     // where newCmd takes the next record

	// Reused by Exec.
	batch []*Cmd
	idx   []int
	out   []resp.Value

	// store is the empty shell of the pooled storage the slices above
	// came from, given back with them after Exec (see takeStore).
	store *pipeStore
}

// pipeStore is the storage a Pipeline reuses from one batch to the next:
// its buffers, command records, index slices and the slabs its replies
// come from (a slab hands out each value once: the replies a caller keeps
// are never handed out again, the rest of a chunk serves later pipelines). Exec gives it to pipeStores when it is done
// and the next queued command takes one back, so that a program that
// builds a fresh Pipeline for every batch, as most do, reuses the storage
// of earlier pipelines instead of allocating its own.
type pipeStore struct {
	buf      []byte
	keys     []string
	cmds     []*Cmd
	ends     []int
	sinks    []sink
	cmdStore [][]Cmd
	batch    []*Cmd
	idx      []int
	out      []resp.Value
	slabs    []any
}

var pipeStores = sync.Pool{New: func() any { return new(pipeStore) }}

// takeStore installs pooled storage in an empty pipeline.
func (p *Pipeline) takeStore() {
	s := pipeStores.Get().(*pipeStore)
	p.buf, p.keys, p.cmds, p.ends, p.sinks = s.buf, s.keys, s.cmds, s.ends, s.sinks
	p.cmdStore, p.batch, p.idx, p.out, p.slabs = s.cmdStore, s.batch, s.idx, s.out, s.slabs
	*s = pipeStore{}
	p.store = s
}

// ensureStore takes pooled storage for a pipeline that has none (a new
// one, or one emptied by Exec).
func (p *Pipeline) ensureStore() {
	if p.store == nil {
		p.takeStore()
	}
}

// releaseStore gives an emptied pipeline's storage back to the pool.
func (p *Pipeline) releaseStore() {
	s := p.store
	if s == nil {
		return // nothing was queued since the last release
	}
	*s = pipeStore{buf: p.buf, keys: p.keys, cmds: p.cmds, ends: p.ends, sinks: p.sinks,
		cmdStore: p.cmdStore, batch: p.batch, idx: p.idx, out: p.out, slabs: p.slabs}
	p.buf, p.keys, p.cmds, p.ends, p.sinks = nil, nil, nil, nil, nil
	p.cmdStore, p.batch, p.idx, p.out, p.slabs, p.store = nil, nil, nil, nil, nil, nil
	pipeStores.Put(s)
}

// Pipeline returns an empty pipeline on the client.
func (c *Client) Pipeline() *Pipeline { return &Pipeline{c: c} }

// TxPipeline returns an empty transaction: its commands are sent between
// MULTI and EXEC and run atomically, with no other client's command in
// between.
func (c *Client) TxPipeline() *Pipeline { return &Pipeline{c: c, tx: true} }

// Pipelined queues commands with fn and executes them. It returns fn's
// error (and then sends nothing), or else Exec's.
func (c *Client) Pipelined(ctx context.Context, fn func(p *Pipeline) error) error {
	p := c.Pipeline()
	if err := fn(p); err != nil {
		return err
	}
	return p.Exec(ctx)
}

// TxPipelined is Pipelined for a transaction (MULTI ... EXEC).
func (c *Client) TxPipelined(ctx context.Context, fn func(p *Pipeline) error) error {
	p := c.TxPipeline()
	if err := fn(p); err != nil {
		return err
	}
	return p.Exec(ctx)
}

// Len returns the number of queued commands.
func (p *Pipeline) Len() int { return len(p.cmds) }

// Do queues a command given as its arguments, as for Client.Do. The
// returned Result is filled in by Exec.
func (p *Pipeline) Do(args ...any) *Result {
	r := take[Result](p)
	b := getBuilder()
	if err := b.raw(args); err != nil {
		b.c.err = err
	}
	b.finish()
	p.add(b, resultSink{r})
	return r
}

// Queue adds a command value (built by the constructors named after each
// command) to the pipeline and returns its typed Reply.
func Queue[T any](p *Pipeline, cmd Command[T]) *Reply[T] {
	r := take[Reply[T]](p)
	r.decode = cmd.decode
	p.addCmd(cmd.Cmd, r)
	return r
}

// queue finishes a builder's command into the pipeline; the generated
// Pipeline methods call it.
func queue[T any](p *Pipeline, b *builder, decode func(resp.Value, error) (T, error)) *Reply[T] {
	r := take[Reply[T]](p)
	r.decode = decode
	b.finish()
	p.add(b, r)
	return r
}

// slab hands out values of one type from chunks, so that queuing a
// command does not cost an allocation of its own. Values handed out are
// never reused: callers keep them after Exec.
type slab[T any] struct {
	free []T
	next int // size of the next chunk: 8, doubling up to 256
}

// take returns a zeroed *T from the pipeline's slab for T. A pipeline
// uses few result types, so finding the slab is a short scan.
func take[T any](p *Pipeline) *T {
	p.ensureStore()
	var s *slab[T]
	for _, x := range p.slabs {
		if t, ok := x.(*slab[T]); ok {
			s = t
			break
		}
	}
	if s == nil {
		s = new(slab[T])
		p.slabs = append(p.slabs, s)
	}
	if len(s.free) == 0 {
		s.next = min(max(s.next*2, 8), 256)
		s.free = make([]T, s.next)
	}
	v := &s.free[0]
	s.free = s.free[1:]
	return v
}

func (p *Pipeline) add(b *builder, s sink) {
	p.addCmd(&b.c, s)
	putBuilder(b)
}

func (p *Pipeline) addCmd(c *Cmd, s sink) {
	p.ensureStore()
	meta := p.newCmd()
	*meta = *c
	meta.enc = nil
	if len(c.keys) > 0 {
		// The keys of a pooled builder's command are reused by the next
		// command: the pipeline keeps its own copy.
		start := len(p.keys)
		p.keys = append(p.keys, c.keys...)
		meta.keys = p.keys[start:len(p.keys):len(p.keys)]
	}
	if meta.err == nil && meta.flags&FlagConnState != 0 && p.cn == nil {
		meta.err = fmt.Errorf("redis: %s changes the state of the connection it runs on and cannot be pipelined on the client's shared connections; use Client.Conn", meta.name)
	}
	if meta.err == nil {
		if need := len(p.buf) + len(c.enc); need > cap(p.buf) {
			p.buf = append(make([]byte, 0, max(2*cap(p.buf), need, 512)), p.buf...)
		}
		p.buf = append(p.buf, c.enc...)
	}
	p.cmds = append(grow(p.cmds), meta)
	p.ends = append(grow(p.ends), len(p.buf))
	p.sinks = append(grow(p.sinks), s)
}

// newCmd returns a command record for the next queued command. Records
// are internal (callers never see them), so they are reused after Exec:
// a reused pipeline queues without allocating them again.
func (p *Pipeline) newCmd() *Cmd {
	for p.cmdChunk < len(p.cmdStore) {
		ch := p.cmdStore[p.cmdChunk]
		if p.cmdNext < len(ch) {
			c := &ch[p.cmdNext]
			p.cmdNext++
			return c
		}
		p.cmdChunk, p.cmdNext = p.cmdChunk+1, 0
	}
	size := 16
	if n := len(p.cmdStore); n > 0 {
		size = min(2*len(p.cmdStore[n-1]), pipelineBatch)
	}
	p.cmdStore = append(p.cmdStore, make([]Cmd, size))
	p.cmdChunk, p.cmdNext = len(p.cmdStore)-1, 1
	return &p.cmdStore[p.cmdChunk][0]
}

// grow makes room for one more element, doubling the capacity (append
// grows large slices by a quarter, which for a long pipeline allocates
// several times the final size in all).
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	n := make([]T, len(s), max(2*cap(s), 16))
	copy(n, s)
	return n
}

func (p *Pipeline) reset() {
	for i := 0; i <= p.cmdChunk && i < len(p.cmdStore); i++ {
		clear(p.cmdStore[i]) // drop references to keys, names and errors
	}
	p.cmdChunk, p.cmdNext = 0, 0
	kept := 0
	for i, ch := range p.cmdStore {
		if kept += len(ch); kept > maxKeptCmds {
			p.cmdStore = p.cmdStore[:i] // keep up to 16+32+...+8192 records
			break
		}
	}
	clear(p.cmds)
	clear(p.sinks)
	p.scripts = p.scripts[:0]
	clear(p.keys)
	p.keys = p.keys[:0]
	p.buf, p.cmds, p.ends, p.sinks = p.buf[:0], p.cmds[:0], p.ends[:0], p.sinks[:0]
	if cap(p.buf) > 1<<20 {
		p.buf = nil
	}
	p.releaseStore()
}

// Exec sends every queued command and fills in their replies. It returns
// nil when every command succeeded, else the first command's error (each
// Reply has its own). A command that could not be built (a bad argument)
// is not sent and gets its build error; the others run. The pipeline is
// empty afterwards.
func (p *Pipeline) Exec(ctx context.Context) error {
	if h := p.hooks(); h != nil && len(h.pipeline) > 0 && len(p.cmds) > 0 {
		return h.runPipeline(ctx, p.cmds, p.tx, p.exec)
	}
	return p.exec(ctx)
}

// hooks returns the hooks of the client the pipeline runs on.
func (p *Pipeline) hooks() *hookChain {
	if p.cn != nil {
		return p.cn.hooks
	}
	return p.c.hooks
}

func (p *Pipeline) exec(ctx context.Context) error {
	defer p.reset()
	if len(p.cmds) == 0 {
		return nil
	}
	if closed := p.closedErr(); closed != nil {
		for _, s := range p.sinks {
			s.set(resp.Value{}, closed)
		}
		return closed
	}
	if len(p.scripts) > 0 {
		if err := p.loadScripts(ctx); err != nil {
			for _, s := range p.sinks {
				s.set(resp.Value{}, err)
			}
			return err
		}
	}
	start := 0
	for i := range p.cmds {
		p.cmds[i].enc = p.buf[start:p.ends[i]:p.ends[i]]
		start = p.ends[i]
	}
	if p.tx {
		return p.execTx(ctx)
	}
	// The error returned is the first in command order, whatever order
	// the replies are filled in (build errors before the batch around
	// them is sent).
	var first error
	firstAt := len(p.cmds)
	note := func(i int, err error) {
		if i < firstAt && err != nil && err != ErrNil {
			first, firstAt = err, i
		}
	}
	n := min(len(p.cmds), pipelineBatch)
	if cap(p.out) < n {
		p.batch, p.idx, p.out = make([]*Cmd, 0, n), make([]int, 0, n), make([]resp.Value, n)
	}
	batch, idx, out := p.batch[:0], p.idx[:0], p.out[:n]
	flush := func() {
		if len(batch) == 0 {
			return
		}
		errs := p.run(ctx, batch, out[:len(batch)])
		for j, i := range idx {
			var err error
			if errs != nil {
				err = errs[j]
			}
			v := out[j]
			if err == nil && v.IsError() {
				v, err = resp.Value{}, replyErr(batch[j], v)
			}
			note(i, p.sinks[i].set(v, err))
		}
		clear(out[:len(batch)])
		batch, idx = batch[:0], idx[:0]
	}
	for i, c := range p.cmds {
		if c.err != nil {
			note(i, p.sinks[i].set(resp.Value{}, c.err))
			continue
		}
		batch = append(batch, c)
		idx = append(idx, i)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	return first
}

func (p *Pipeline) closedErr() error {
	switch {
	case p.cn != nil && p.cn.closed:
		return errConnClosed
	case p.c != nil && p.c.closed.Load():
		return ErrClosed
	}
	return nil
}

// run sends a batch: through the client's transport, with retries, or on
// the reserved connection.
func (p *Pipeline) run(ctx context.Context, cmds []*Cmd, out []resp.Value) []error {
	if p.c != nil {
		return p.c.runMulti(ctx, cmds, out)
	}
	if p.cn.hooks != nil {
		traceAttempt(ctx, 1) // never retried
	}
	if err := p.cn.doMulti(ctx, cmds, out); err != nil {
		errs := make([]error, len(cmds))
		for i, cmd := range cmds {
			if out[i].Type() == 0 { // no reply before the failure
				errs[i] = failedOnConn(cmd, err)
			}
		}
		return errs
	}
	return nil
}

// runMulti runs a batch through the transport, retrying the commands
// whose replies are missing after a failure when every one of them may be
// repeated (never sent, or read-only). On failure it returns one error per
// command. Replies read before a failure keep their values, wherever they
// are in the batch (a cluster transport runs parts of it on different
// servers), and a retry sends only the commands without one.
func (c *Client) runMulti(ctx context.Context, cmds []*Cmd, out []resp.Value) []error {
	if c.view != nil {
		return c.runMultiCached(ctx, cmds, out)
	}
	return c.runMultiUncached(ctx, cmds, out)
}

// runMultiUncached is runMulti without the cache.
func (c *Client) runMultiUncached(ctx context.Context, cmds []*Cmd, out []resp.Value) []error {
	if c.o.cache != nil {
		defer func() {
			for _, cmd := range cmds {
				c.o.cache.wrote(cmd)
			}
		}()
	}
	if c.hooks != nil {
		traceAttempt(ctx, 1)
	}
	err := c.t.DoMulti(ctx, cmds, out)
	if err == nil {
		return nil
	}
	errs := make([]error, len(cmds))
	var missing []int // indexes of the commands without a reply
	for attempt := 1; ; attempt++ {
		missing = missing[:0]
		for i := range cmds {
			if out[i].Type() == 0 {
				missing = append(missing, i)
			} else {
				errs[i] = nil // a retry brought its reply
			}
		}
		if len(missing) == 0 {
			return nil
		}
		retry := true
		for _, i := range missing {
			var again bool
			again, errs[i] = c.o.Retry.decide(ctx, cmds[i], err, attempt)
			retry = retry && again
		}
		if !retry {
			return errs
		}
		if err := c.o.Retry.sleep(ctx, attempt); err != nil {
			for _, i := range missing {
				errs[i] = err
			}
			return errs
		}
		if c.hooks != nil {
			traceAttempt(ctx, attempt+1)
		}
		again := make([]*Cmd, len(missing))
		got := make([]resp.Value, len(missing))
		for j, i := range missing {
			again[j] = cmds[i]
		}
		err = c.t.DoMulti(ctx, again, got)
		for j, i := range missing {
			out[i] = got[j]
		}
		if err == nil {
			return nil // every reply arrived: the loop would find none missing
		}
	}
}

var (
	multiCmd = func() *Cmd { b := new(builder); b.begin(cmdMULTI); return b.finish() }()
	execCmd  = func() *Cmd { b := new(builder); b.begin(cmdEXEC); return b.finish() }()
)

// execTx runs the pipeline as MULTI, the commands, EXEC, in one write on
// one connection: the multiplexer writes the whole sequence contiguously,
// so no other caller's command can land inside the transaction.
func (p *Pipeline) execTx(ctx context.Context) error {
	var first error
	note := func(err error) {
		if first == nil && err != nil && err != ErrNil {
			first = err
		}
	}
	cmds := make([]*Cmd, 0, len(p.cmds)+2)
	idx := make([]int, 0, len(p.cmds))
	cmds = append(cmds, multiCmd)
	for i, c := range p.cmds {
		if c.err != nil {
			// A command that cannot be built aborts the transaction
			// before anything is sent, as the server would.
			for j, s := range p.sinks {
				if j == i {
					s.set(resp.Value{}, c.err)
				} else {
					s.set(resp.Value{}, fmt.Errorf("%w: %s could not be built: %v", ErrExecAbort, c.name, c.err))
				}
			}
			return c.err
		}
		if c.flags&FlagBlocking != 0 {
			c.flags &^= FlagBlocking // inside MULTI nothing blocks
		}
		cmds = append(cmds, c)
		idx = append(idx, i)
	}
	cmds = append(cmds, execCmd)
	out := make([]resp.Value, len(cmds))
	errs := p.run(ctx, cmds, out)
	if errs != nil {
		// EXEC's reply is missing: its failure is every command's.
		for _, i := range idx {
			p.sinks[i].set(resp.Value{}, errs[len(errs)-1])
		}
		note(errs[len(errs)-1])
		return first
	}
	if err := out[0].Err(); err != nil {
		for _, i := range idx {
			p.sinks[i].set(resp.Value{}, err)
		}
		return err
	}
	exec := out[len(out)-1]
	switch {
	case exec.IsError():
		// EXECABORT: commands refused when queued carry their own
		// error, the others EXEC's.
		for j, i := range idx {
			if q := out[j+1]; q.IsError() {
				note(p.sinks[i].set(q, nil))
			} else {
				p.sinks[i].set(exec, nil)
			}
		}
		note(exec.Err())
		return first
	case exec.IsNull():
		for _, i := range idx {
			p.sinks[i].set(resp.Value{}, ErrTxFailed)
		}
		return ErrTxFailed
	}
	replies := exec.Elems()
	if len(replies) != len(idx) {
		err := fmt.Errorf("%w: EXEC returned %d replies for %d commands", resp.ErrProtocol, len(replies), len(idx))
		for _, i := range idx {
			p.sinks[i].set(resp.Value{}, err)
		}
		return err
	}
	for j, i := range idx {
		note(p.sinks[i].set(replies[j], nil))
	}
	return first
}
