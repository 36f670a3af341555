package redis

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"time"

	"github.com/respkit/redis/internal/redact"
	"github.com/respkit/redis/resp"
)

// Options configure a Client. The zero value connects to localhost:6379
// over TCP with RESP3 and sensible defaults; every field documents its own.
// ParseURL fills the same struct from a redis://, rediss:// or unix:// URL.
//
// Options never print the password: fmt (every verb, %v, %+v and %#v
// included), String, GoString and log/slog show Password as "<redacted>"
// when it is set. A struct that embeds Options inherits this Format
// method, which prints the embedded Options only; such a struct should
// define its own.
type Options struct {
	// Addr is "host:port", or a Unix socket path (starting with "/", or
	// with Network "unix"). Default "localhost:6379".
	Addr string
	// Network is "tcp" or "unix". Default: "unix" when Addr starts with
	// "/", otherwise "tcp".
	Network string
	// Dialer, when set, opens network connections instead of net.Dialer,
	// for proxies or custom transports.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLSConfig enables TLS. Client certificates in it are presented for
	// mutual TLS. When ServerName is empty, the host part of Addr is used.
	TLSConfig *tls.Config

	// Username and Password authenticate each new connection (ACL user,
	// or the default user when Username is empty). Ignored when
	// CredentialsProvider is set.
	Username, Password string
	// CredentialsProvider, when set, is called for every new connection
	// and returns the username and password to use, so that rotating
	// credentials (such as short-lived tokens) work.
	CredentialsProvider func(ctx context.Context) (username, password string, err error)
	// DB is the database selected on every connection. Default 0.
	DB int
	// Protocol is 2 or 3. Default (0): RESP3, falling back to RESP2 when
	// the server does not know HELLO. Results have the same Go types under
	// both.
	Protocol int
	// ClientName is set on every connection (CLIENT SETNAME). Default none.
	ClientName string
	// DisableIdentity stops the client from sending CLIENT SETINFO with
	// its library name and version.
	DisableIdentity bool
	// ReadOnly sends READONLY on every new connection, which lets a
	// cluster replica serve reads (cluster.Options.ReadFrom sets it for
	// the connections it opens). Default false; a server outside cluster
	// mode refuses it, and connecting then fails.
	ReadOnly bool

	// DialTimeout bounds connecting plus the handshake. Default 5 s.
	DialTimeout time.Duration
	// ReadTimeout bounds the wait for each reply. Default 3 s; -1 means
	// no limit. Blocking commands (BLPOP, XREAD BLOCK, WAIT, ...) get their
	// own block time on top. A context deadline applies as well. On a
	// shared connection a caller that times out gives up only its own
	// reply: the connection stays up and the callers behind it are
	// delayed, not failed. A timed-out command is not retried (see
	// RetryPolicy.RetryTimeouts): the server is slow or stuck.
	ReadTimeout time.Duration
	// StallTimeout declares a shared connection dead when it owes replies
	// and has received nothing at all for this long; its callers then fail
	// and it is replaced. A slow reply that keeps arriving never trips it.
	// Default: 10 s or 2 × ReadTimeout, whichever is longer (none when
	// ReadTimeout is -1); -1 disables.
	StallTimeout time.Duration
	// WriteTimeout bounds each write. Default: ReadTimeout; -1 means no
	// limit.
	WriteTimeout time.Duration

	// MuxConns is the number of connections shared by concurrent callers
	// (auto-pipelining). Default 1, which a single connection saturates
	// well; raise it for many cores.
	MuxConns int
	// PoolSize is the most exclusive connections (for blocking commands,
	// transactions and pub/sub) open at once. Default 10 per GOMAXPROCS.
	PoolSize int
	// MinIdleConns exclusive connections are kept idle. Default 0.
	MinIdleConns int
	// PoolTimeout bounds the wait for an exclusive connection when all are
	// in use. Default ReadTimeout + 1 s (4 s by default).
	PoolTimeout time.Duration
	// ConnMaxIdleTime closes exclusive connections idle this long.
	// Default 30 minutes; -1 means never.
	ConnMaxIdleTime time.Duration
	// ConnMaxLifetime closes exclusive connections this old. Default: no
	// limit.
	ConnMaxLifetime time.Duration
	// HealthCheckAfter makes the pool PING an exclusive connection idle at
	// least this long before handing it out. Default 1 s; -1 disables.
	HealthCheckAfter time.Duration

	// Retry says when and how failed commands are retried. The zero value
	// makes 3 attempts with exponential backoff and jitter.
	Retry RetryPolicy

	// Hooks wrap what the client does (dialing, commands, pipelines), the
	// first outermost; see Hook. They are fixed when the client is made.
	Hooks []Hook
	// HookArgs gives Command hooks the commands' arguments
	// (CommandCall.Args). Off by default: arguments may hold secrets and
	// personal data.
	HookArgs bool

	// Logger, when set, receives the client's records through log/slog:
	// connections dialed, closed (Debug), failed or found dead, dials
	// failed (Warn, at most one a second per server while they go on), a
	// server reached again after failed dials (Info); on a PubSub,
	// resubscriptions after a reconnect and dropped messages (Warn, drops
	// at most once a second per PubSub); on cluster and Sentinel clients,
	// slot map changes and failovers followed (Info). Records carry
	// attributes (component, addr, ...), never passwords, command
	// arguments or keys; nothing is logged per command. Default nil:
	// silent, at no cost.
	Logger *slog.Logger

	// WatchAttempts is how many times Client.Watch runs a transaction
	// whose watched keys keep changing before it returns ErrTxFailed,
	// waiting Retry.Backoff between runs. 0 means 10.
	WatchAttempts int

	// Limits bound what the client accepts from the server (bulk size,
	// aggregate length, nesting). Zero fields take resp's defaults.
	Limits resp.Limits

	// Cache, when set, turns on server-assisted client-side caching: one
	// cache for the client, shared by its connections, which ask the
	// server (Redis 6 or later) to track what they read. Reads go through
	// it on a client from Client.Cached. Under RESP3 the server's
	// invalidations arrive on the connections themselves; with Protocol 2
	// a connection of their own per server subscribes to them.
	Cache *CacheOptions

	cache *Cache // the cache of Cache, shared with clients built from copies (AttachCache)
}

// withDefaults returns a copy with every default filled in.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Addr == "" {
		c.Addr = "localhost:6379"
	}
	if c.Network == "" {
		c.Network = "tcp"
		if strings.HasPrefix(c.Addr, "/") {
			c.Network = "unix"
		}
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = 3 * time.Second
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = c.ReadTimeout
	}
	if c.StallTimeout == 0 {
		c.StallTimeout = -1 // no read limit: replies may take any time
		if c.ReadTimeout > 0 {
			c.StallTimeout = max(10*time.Second, 2*c.ReadTimeout)
		}
	}
	if c.MuxConns <= 0 {
		c.MuxConns = 1
	}
	if c.PoolSize <= 0 {
		c.PoolSize = 10 * runtime.GOMAXPROCS(0)
	}
	if c.PoolTimeout <= 0 {
		c.PoolTimeout = max(c.ReadTimeout, 0) + time.Second
	}
	c.Retry = c.Retry.withDefaults()
	if c.WatchAttempts <= 0 {
		c.WatchAttempts = 10
	}
	return c
}

// credentials returns the handshake's credential source.
func (o *Options) credentials() func(ctx context.Context) (string, string, error) {
	if o.CredentialsProvider != nil {
		return o.CredentialsProvider
	}
	if o.Username == "" && o.Password == "" {
		return nil
	}
	user, pass := o.Username, o.Password
	return func(context.Context) (string, string, error) { return user, pass, nil }
}

// redactedSecret is printed in place of a password.
const redactedSecret = redact.Secret

// printableOptions has the fields of Options and none of its methods, so
// that fmt prints it field by field.
type printableOptions Options

// printable returns a copy with the password replaced by redactedSecret.
// Funcs (Dialer, CredentialsProvider) print as addresses, and pointers
// nested in a struct (TLSConfig) as addresses too, so nothing they hold is
// printed.
func (o Options) printable() printableOptions {
	p := printableOptions(o)
	if p.Password != "" {
		p.Password = redactedSecret
	}
	return p
}

// Format implements fmt.Formatter: every verb prints the options as fmt
// would print the struct, with the password redacted. %#v prints Go
// syntax for redis.Options.
func (o Options) Format(f fmt.State, verb rune) {
	redact.Format(f, verb, o.printable(), "redis.Options")
}

// String returns the options as %+v prints them, with the password
// redacted.
func (o Options) String() string { return fmt.Sprintf("%+v", o.printable()) }

// GoString returns the options as %#v prints them, with the password
// redacted.
func (o Options) GoString() string { return redact.GoString(o.printable(), "redis.Options") }

// LogValue implements slog.LogValuer: the options as String returns them.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }
