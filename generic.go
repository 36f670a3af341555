package redis

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/respkit/redis/resp"
)

// Scan iterates over the keys of the database with SCAN, from cursor 0
// until the server says the iteration is complete, one page per request.
// opts (at most one) filter by pattern (Match) and type (Type) and hint
// the page size (Count).
//
//	for key, err := range rdb.Scan(ctx, redis.ScanOptions{Match: "user:*"}) {
//		if err != nil { ... }
//		...
//	}
//
// A key present during the whole iteration is yielded at least once; it
// may be yielded more than once. On an error the iterator yields "" with
// the error, once, and stops. Breaking out of the loop stops fetching
// pages. See ScanPage for the cursor-level command.
//
// On a cluster, Scan covers every primary in turn (ScanPage, whose cursor
// belongs to one server, runs on any one of them).
//
// Since Redis 2.8.0 (TYPE since 6.0.0).
func (c *Client) Scan(ctx context.Context, opts ...ScanOptions) iter.Seq2[string, error] {
	if _, ok := c.t.(ShardLister); ok {
		return scanShards(c, ctx, func(node *Client) iter.Seq2[string, error] { return node.Scan(ctx, opts...) })
	}
	return scanAll(ctx, func(ctx context.Context, cursor uint64) ([]string, uint64, error) {
		p, err := c.ScanPage(ctx, cursor, opts...)
		return p.Items, p.Cursor, err
	})
}

// asIdleTime reads OBJECT IDLETIME's reply, in seconds: ErrNil when the key
// does not exist.
func asIdleTime(v resp.Value, err error) (time.Duration, error) {
	n, err := asInt64(v, err)
	if err != nil {
		return 0, err
	}
	return time.Duration(n) * time.Second, nil
}

// MigrateOptions are MIGRATE's optional arguments. The zero value moves
// the one key given, failing if the target has it, without
// authentication.
type MigrateOptions struct {
	// Copy keeps the keys on this instance (COPY).
	Copy bool
	// Replace overwrites existing keys on the target (REPLACE).
	Replace bool
	// Username and Password authenticate to the target: AUTH2 username
	// password when Username is set (Redis 6.0), else AUTH password
	// (Redis 4.0.7) when Password is set. A Username needs a Password.
	Username, Password string
	// Keys moves these keys (KEYS, Redis 3.0.6); the key parameter must
	// then be empty.
	Keys []string
}

func appendMigrate(b *builder, host string, port int, key string, db int64, timeout time.Duration, opts []MigrateOptions) {
	b.begin(cmdMIGRATE)
	var o MigrateOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one MigrateOptions, got %d", len(opts))
	}
	switch {
	case key != "" && len(o.Keys) > 0:
		b.fail("key %q given together with Keys: pass an empty key to migrate Keys", key)
	case key == "" && len(o.Keys) == 0:
		b.fail("no key to migrate: give a key or Keys")
	case o.Username != "" && o.Password == "":
		b.fail("Username without Password")
	case timeout < 0:
		b.fail("negative timeout %v", timeout)
	}
	b.str(host)
	b.int(int64(port))
	if key != "" {
		b.key(key)
	} else {
		b.str("")
	}
	b.int(db)
	b.millis(timeout)
	if o.Copy {
		b.str("COPY")
	}
	if o.Replace {
		b.str("REPLACE")
	}
	switch {
	case o.Username != "":
		b.str("AUTH2")
		b.str(o.Username)
		b.str(o.Password)
	case o.Password != "":
		b.str("AUTH")
		b.str(o.Password)
	}
	if len(o.Keys) > 0 {
		b.str("KEYS")
		for _, k := range o.Keys {
			b.key(k)
		}
	}
}

// asMigrate reads MIGRATE's reply: OK when keys moved, NOKEY when none of
// them existed.
func asMigrate(v resp.Value, err error) (bool, error) {
	if err := check(v, err); err != nil {
		return false, err
	}
	if v.Type() == resp.SimpleString {
		switch v.String() {
		case "OK":
			return true, nil
		case "NOKEY":
			return false, nil
		}
	}
	return false, fmt.Errorf("redis: MIGRATE replied %#v, want OK or NOKEY", v)
}

// RestoreOptions are RESTORE's optional arguments. The zero value creates
// the key (failing if it exists) with the ttl given to Restore.
type RestoreOptions struct {
	// Replace overwrites an existing key (REPLACE).
	Replace bool
	// ExpireAt makes the key expire at this time (ABSTTL, Redis 5.0:
	// sent as Unix milliseconds in place of the ttl, which must then be
	// zero). Zero means none.
	ExpireAt time.Time
	// IdleTime sets the key's idle time (IDLETIME, Redis 5.0), in whole
	// seconds; zero sends nothing. It needs a non-LFU maxmemory-policy.
	IdleTime time.Duration
	// Freq sets the key's LFU access frequency counter (FREQ, Redis 5.0)
	// when not nil. It needs an LFU maxmemory-policy.
	Freq *int64
}

func appendRestore(b *builder, key string, ttl time.Duration, serialized string, opts []RestoreOptions) {
	b.begin(cmdRESTORE)
	var o RestoreOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one RestoreOptions, got %d", len(opts))
	}
	switch {
	case ttl < 0:
		b.fail("negative ttl %v", ttl)
	case ttl != 0 && !o.ExpireAt.IsZero():
		b.fail("ttl and ExpireAt both set")
	case o.IdleTime < 0:
		b.fail("negative IdleTime %v", o.IdleTime)
	case o.IdleTime != 0 && o.Freq != nil:
		b.fail("IdleTime and Freq both set")
	}
	b.key(key)
	if !o.ExpireAt.IsZero() {
		b.int(o.ExpireAt.UnixMilli())
	} else {
		b.millis(ttl)
	}
	b.str(serialized)
	if o.Replace {
		b.str("REPLACE")
	}
	if !o.ExpireAt.IsZero() {
		b.str("ABSTTL")
	}
	if o.IdleTime != 0 {
		b.str("IDLETIME")
		b.seconds(o.IdleTime)
	}
	if o.Freq != nil {
		b.str("FREQ")
		b.int(*o.Freq)
	}
}

// WaitAOFAcks is WAITAOF's reply: how many instances fsynced the
// connection's earlier writes to their append-only file.
type WaitAOFAcks struct {
	// Local is 1 when the instance the command ran on fsynced them, else
	// 0.
	Local int64
	// Replicas is the number of replicas that fsynced them.
	Replicas int64
}

func asWaitAOF(v resp.Value, err error) (WaitAOFAcks, error) {
	ns, err := asInt64s(v, err)
	if err != nil {
		return WaitAOFAcks{}, err
	}
	if len(ns) != 2 {
		return WaitAOFAcks{}, fmt.Errorf("redis: WAITAOF replied %d numbers, want 2", len(ns))
	}
	return WaitAOFAcks{Local: ns[0], Replicas: ns[1]}, nil
}
