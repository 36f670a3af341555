// Package logtest collects log/slog records in memory, for tests that
// check what a client logs.
package logtest

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Record is one collected record.
type Record struct {
	Time    time.Time
	Level   slog.Level
	Message string
	// Attrs are the record's attributes, those added with Logger.With
	// first, by key (group names joined with "."), values as text.
	Attrs map[string]string
	// Text is the whole record as slog.TextHandler formats it.
	Text string
}

// Recorder keeps records. It is safe for concurrent use.
type Recorder struct {
	mu   sync.Mutex // guards recs
	recs []Record
}

// New returns a Recorder and a Logger that records every level into it.
func New() (*Recorder, *slog.Logger) {
	r := &Recorder{}
	return r, slog.New(&handler{r: r})
}

// Records returns the records so far, oldest first.
func (r *Recorder) Records() []Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.recs)
}

// Find returns the records with message msg whose attributes include
// every key and value of want.
func (r *Recorder) Find(msg string, want map[string]string) []Record {
	var out []Record
	for _, rec := range r.Records() {
		if rec.Message != msg {
			continue
		}
		ok := true
		for k, v := range want {
			ok = ok && rec.Attrs[k] == v
		}
		if ok {
			out = append(out, rec)
		}
	}
	return out
}

// Wait polls Find until it returns a record or d has passed, and
// returns what it found last.
func (r *Recorder) Wait(d time.Duration, msg string, want map[string]string) []Record {
	deadline := time.Now().Add(d)
	for {
		found := r.Find(msg, want)
		if len(found) > 0 || time.Now().After(deadline) {
			return found
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// handler is a slog.Handler that appends to a Recorder.
type handler struct {
	r      *Recorder
	attrs  []slog.Attr
	groups []string // WithGroup names, outermost first
	ops    []func(slog.Handler) slog.Handler
}

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

func (h *handler) Handle(ctx context.Context, rec slog.Record) error {
	out := Record{Time: rec.Time, Level: rec.Level, Message: rec.Message, Attrs: map[string]string{}}
	prefix := ""
	for _, g := range h.groups {
		prefix += g + "."
	}
	for _, a := range h.attrs {
		flatten(out.Attrs, "", a) // keys of With come before any later group
	}
	rec.Attrs(func(a slog.Attr) bool {
		flatten(out.Attrs, prefix, a)
		return true
	})
	var buf bytes.Buffer
	var th slog.Handler = slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	for _, op := range h.ops {
		th = op(th)
	}
	if err := th.Handle(ctx, rec); err != nil {
		return err
	}
	out.Text = buf.String()
	h.r.mu.Lock()
	h.r.recs = append(h.r.recs, out)
	h.r.mu.Unlock()
	return nil
}

// flatten stores a's value, or its members for a group, under prefix.
func flatten(m map[string]string, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, ga := range v.Group() {
			flatten(m, p, ga)
		}
		return
	}
	m[prefix+a.Key] = v.String()
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.ops = append(slices.Clip(h.ops), func(th slog.Handler) slog.Handler { return th.WithAttrs(as) })
	prefix := ""
	for _, g := range h.groups {
		prefix += g + "."
	}
	for _, a := range as {
		c.attrs = append(slices.Clip(c.attrs), slog.Attr{Key: prefix + a.Key, Value: a.Value})
	}
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.ops = append(slices.Clip(h.ops), func(th slog.Handler) slog.Handler { return th.WithGroup(name) })
	c.groups = append(slices.Clip(h.groups), name)
	return &c
}
