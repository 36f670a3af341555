package sentinel

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/redact"
)

// ReadFrom says which servers serve read-only commands.
type ReadFrom uint8

// Read routing policies. Writes always go to the primary.
const (
	// ReadPrimary sends every command to the primary. The default.
	ReadPrimary ReadFrom = iota
	// ReadReplicaRandom sends read-only commands to a random healthy
	// replica: one the sentinels do not flag s_down, o_down or
	// disconnected and whose link to the primary is up. With none, reads
	// go to the primary. Replicas lag: a read may miss a write just
	// acknowledged.
	ReadReplicaRandom
	// ReadReplicaRoundRobin is ReadReplicaRandom taking the healthy
	// replicas in turn.
	ReadReplicaRoundRobin
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
	}
	return fmt.Sprintf("ReadFrom(%d)", uint8(r))
}

// Options configure a client of a primary that Redis Sentinel monitors.
// MasterName and at least one of SentinelAddrs are needed; every other
// field's zero value works.
//
// The embedded redis.Options apply to the connections to the data nodes
// (the primary and its replicas: credentials, TLS, protocol, timeouts,
// pools) and give the client's retry policy; their Addr and Network are
// not used. The sentinels have credentials of their own. Their Logger
// receives the records of the data nodes' connections, of the sentinels'
// (with server=sentinel) and the failovers followed (component=sentinel).
type Options struct {
	// MasterName is the name the sentinels monitor the primary under
	// ("mymaster" in their configuration).
	MasterName string
	// SentinelAddrs are "host:port" addresses of sentinels. Any one that
	// answers is enough; the others are learnt from it.
	SentinelAddrs []string

	redis.Options

	// SentinelUsername and SentinelPassword authenticate to the
	// sentinels (their requirepass / ACL), separately from the data
	// nodes' Username and Password. Default: none.
	SentinelUsername, SentinelPassword string
	// SentinelTLSConfig enables TLS to the sentinels. Default: nil, plain
	// TCP, whatever TLSConfig says for the data nodes.
	SentinelTLSConfig *tls.Config

	// ReadFrom says which servers serve read-only commands. Default
	// ReadPrimary.
	ReadFrom ReadFrom

	// SentinelTimeout bounds each question to one sentinel (the primary's
	// address, the list of replicas) before the next sentinel is asked.
	// Default 1 s.
	SentinelTimeout time.Duration
	// MinResolveInterval is the least time between two rounds of
	// questions to the sentinels, however many failures call for one.
	// Default 50 ms.
	MinResolveInterval time.Duration
}

// withDefaults returns a copy with every default filled in.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	c.SentinelAddrs = append([]string(nil), c.SentinelAddrs...)
	if c.SentinelTimeout <= 0 {
		c.SentinelTimeout = time.Second
	}
	if c.MinResolveInterval <= 0 {
		c.MinResolveInterval = 50 * time.Millisecond
	}
	return c
}

// printableOptions has the fields of Options and none of its methods.
type printableOptions struct {
	MasterName         string
	SentinelAddrs      []string
	Options            redis.Options // prints with the password redacted
	SentinelUsername   string
	SentinelPassword   string
	SentinelTLSConfig  *tls.Config
	ReadFrom           ReadFrom
	SentinelTimeout    time.Duration
	MinResolveInterval time.Duration
}

func (o Options) printable() printableOptions {
	p := printableOptions{o.MasterName, o.SentinelAddrs, o.Options, o.SentinelUsername, o.SentinelPassword,
		o.SentinelTLSConfig, o.ReadFrom, o.SentinelTimeout, o.MinResolveInterval}
	if p.SentinelPassword != "" {
		p.SentinelPassword = redact.Secret
	}
	return p
}

// Format implements fmt.Formatter: every verb prints the options as fmt
// would print the struct, with both passwords redacted.
func (o Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.printable(), "sentinel.Options")
}

// String returns the options as %+v prints them, passwords redacted.
func (o Options) String() string { return fmt.Sprintf("%+v", o.printable()) }

// GoString returns the options as %#v prints them, passwords redacted.
func (o Options) GoString() string { return redact.GoString(o.printable(), "sentinel.Options") }

// LogValue implements slog.LogValuer: the options as String returns them.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }
