package keyspace

import (
	"context"
	"fmt"
	"strings"

	"github.com/respkit/redis"
)

// allClasses is what the flag A stands for in notify-keyspace-events: the
// event classes other than key misses (m) and new keys (n).
const allClasses = "g$lshzxetd"

// mergeFlags returns the notify-keyspace-events value that enables what
// current does and what want asks for, and whether it differs from
// current. Flags are single characters; A stands for allClasses.
func mergeFlags(current, want string) (merged string, changed bool) {
	has := map[rune]bool{}
	expand := func(s string) {
		for _, r := range s {
			if r == 'A' {
				for _, c := range allClasses {
					has[c] = true
				}
				continue
			}
			has[r] = true
		}
	}
	expand(current)
	before := len(has)
	expand(want)
	if len(has) == before {
		return current, false
	}
	var sb strings.Builder
	for _, r := range "KE" {
		if has[r] {
			sb.WriteRune(r)
			delete(has, r)
		}
	}
	all := true
	for _, c := range allClasses {
		all = all && has[c]
	}
	if all {
		sb.WriteByte('A')
		for _, c := range allClasses {
			delete(has, c)
		}
	}
	// The rest in the order Redis documents them, then any flag this
	// package does not know (a newer server's), in the order given.
	for _, r := range allClasses + "mn" {
		if has[r] {
			sb.WriteRune(r)
			delete(has, r)
		}
	}
	for _, r := range current + want {
		if has[r] {
			sb.WriteRune(r)
			delete(has, r)
		}
	}
	return sb.String(), true
}

// configure adds the watcher's flags to the notify-keyspace-events of the
// server c talks to.
func (w *Watcher) configure(ctx context.Context, c *redis.Client, node string) error {
	if w.flags == "" {
		return nil
	}
	cur, err := c.ConfigGet(ctx, "notify-keyspace-events")
	if err == nil {
		merged, changed := mergeFlags(cur["notify-keyspace-events"], w.flags)
		if !changed {
			return nil
		}
		err = c.ConfigSet(ctx, "notify-keyspace-events", merged)
	}
	if err != nil {
		return &ConfigError{Node: node, Flags: w.flags, Err: err}
	}
	return nil
}

// ConfigError says that a server could not be made to publish the
// notifications Options.Notify asks for: CONFIG GET or CONFIG SET of
// notify-keyspace-events failed (a server that forbids CONFIG, an ACL
// that denies it, a flag the server does not know, a lost connection).
type ConfigError struct {
	Node  string // the server's address on a cluster; empty otherwise
	Flags string // the flags the watcher asked for
	Err   error  // the failure
}

// Error describes the failure and the server it happened on.
func (e *ConfigError) Error() string {
	on := ""
	if e.Node != "" {
		on = " on " + e.Node
	}
	return fmt.Sprintf("keyspace: enabling notify-keyspace-events %q%s: %v", e.Flags, on, e.Err)
}

// Unwrap returns the failure.
func (e *ConfigError) Unwrap() error { return e.Err }
