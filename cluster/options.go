package cluster

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/redact"
)

// ReadFrom says which servers serve read-only commands.
type ReadFrom uint8

// Read routing policies. Writes, and reads that are part of a
// transaction, always go to the primary.
const (
	// ReadPrimary sends every command to the primary of its slot: reads
	// see every acknowledged write. The default.
	ReadPrimary ReadFrom = iota
	// ReadReplicaRandom sends read-only commands to a random replica of
	// the slot's shard (the primary when it has none online). Replicas
	// lag: a read may miss a write just acknowledged.
	ReadReplicaRandom
	// ReadReplicaRoundRobin sends read-only commands to the shard's
	// replicas in turn.
	ReadReplicaRoundRobin
	// ReadLowestLatency sends read-only commands to the server of the
	// shard, primary or replica, with the lowest measured round trip; a
	// server within 20 % of the fastest counts as fast, and reads are
	// spread over those, so one server is not loaded for a small edge.
	ReadLowestLatency
)

// String returns the policy's name, such as "ReadReplicaRandom".
func (r ReadFrom) String() string {
	switch r {
	case ReadPrimary:
		return "ReadPrimary"
	case ReadReplicaRandom:
		return "ReadReplicaRandom"
	case ReadReplicaRoundRobin:
		return "ReadReplicaRoundRobin"
	case ReadLowestLatency:
		return "ReadLowestLatency"
	}
	return fmt.Sprintf("ReadFrom(%d)", uint8(r))
}

// Options configure a cluster client. The zero value of every field
// works, except Addrs, which needs at least one node.
//
// The embedded redis.Options apply to the connections to every node
// (credentials, TLS, protocol, timeouts, pool sizes) and give the
// client's retry policy; their Addr and Network are not used: the nodes
// come from Addrs and from the cluster itself. A node the cluster reports
// is dialled with the same TLS settings and credentials as the seeds.
// Their Logger receives the records of every node's connections and the
// slot map's changes (component=cluster).
type Options struct {
	// Addrs are "host:port" addresses of some nodes of the cluster
	// (seeds); any one that answers is enough to discover the others.
	Addrs []string

	redis.Options

	// ReadFrom says which servers serve read-only commands. Default
	// ReadPrimary.
	ReadFrom ReadFrom

	// MaxRedirects is the most MOVED and ASK redirections one command
	// follows before the caller gets an error. Default 5; -1 follows
	// none.
	MaxRedirects int

	// RefreshInterval is how often the client re-reads the slot map in
	// the background, besides the reads a MOVED reply or a connection
	// failure trigger. Default 10 s; -1 disables the background reads.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two reads of the slot
	// map, however many redirections and failures call for one, so that
	// a failover cannot start a storm of CLUSTER SHARDS. Default 50 ms.
	MinRefreshInterval time.Duration

	// TryAgainTimeout bounds how long a command refused with TRYAGAIN,
	// CLUSTERDOWN or LOADING (a slot in migration, a failover, a node
	// loading its data) is tried again when its context has no deadline;
	// with a deadline, it is tried again until the deadline. Default 5 s.
	TryAgainTimeout time.Duration

	// SplitMultiKey lets MGET, MSET, DEL, UNLINK, EXISTS, TOUCH and the
	// other commands the command table marks as multi-shard take keys in
	// different slots: the command is split into one command per slot,
	// sent to the slots' nodes, and the replies merged (MGET's values in
	// the order of its keys, DEL's counts summed, ...). The parts run
	// independently: the whole is NOT atomic, and a failure may leave some
	// parts done. Default false: keys in different slots are an error
	// (*redis.CrossSlotError) found before anything is sent.
	SplitMultiKey bool
}

// withDefaults returns a copy with every default filled in.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	c.Addrs = append([]string(nil), c.Addrs...)
	if c.MaxRedirects == 0 {
		c.MaxRedirects = 5
	} else if c.MaxRedirects < 0 {
		c.MaxRedirects = 0
	}
	if c.RefreshInterval == 0 {
		c.RefreshInterval = 10 * time.Second
	}
	if c.MinRefreshInterval <= 0 {
		c.MinRefreshInterval = 50 * time.Millisecond
	}
	if c.TryAgainTimeout <= 0 {
		c.TryAgainTimeout = 5 * time.Second
	}
	return c
}

// printableOptions has the fields of Options and none of its methods.
type printableOptions struct {
	Addrs              []string
	Options            redis.Options // prints with the password redacted
	ReadFrom           ReadFrom
	MaxRedirects       int
	RefreshInterval    time.Duration
	MinRefreshInterval time.Duration
	TryAgainTimeout    time.Duration
	SplitMultiKey      bool
}

func (o Options) printable() printableOptions {
	return printableOptions{o.Addrs, o.Options, o.ReadFrom, o.MaxRedirects, o.RefreshInterval,
		o.MinRefreshInterval, o.TryAgainTimeout, o.SplitMultiKey}
}

// Format implements fmt.Formatter: every verb prints the options as fmt
// would print the struct, with the password of the embedded
// redis.Options redacted.
func (o Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.printable(), "cluster.Options")
}

// String returns the options as %+v prints them, passwords redacted.
func (o Options) String() string { return fmt.Sprintf("%+v", o.printable()) }

// GoString returns the options as %#v prints them, passwords redacted.
func (o Options) GoString() string { return redact.GoString(o.printable(), "cluster.Options") }

// LogValue implements slog.LogValuer: the options as String returns them.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }
