package redis_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// ciTimeout bounds every call in these tests, so that a hang shows up as a
// failure naming the call instead of the test binary's timeout.
const ciTimeout = 20 * time.Second

func ciCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), ciTimeout)
	t.Cleanup(cancel)
	return ctx
}

// ciClient returns a client closed when the test ends.
func ciClient(t *testing.T, o redis.Options) *redis.Client {
	t.Helper()
	c := redis.NewClient(&o)
	t.Cleanup(func() { c.Close() })
	return c
}

// ciEachProtocol runs body under RESP2 and RESP3 for clients whose address
// is not srv.Addr() (forProtocols always dials srv.Addr()).
func ciEachProtocol(t *testing.T, body func(t *testing.T, proto int)) {
	t.Helper()
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) { body(t, proto) })
	}
}

// ciClientInfo runs CLIENT INFO and returns its fields.
func ciClientInfo(t *testing.T, ctx context.Context, c *redis.Client) map[string]string {
	t.Helper()
	s, err := c.Do(ctx, "CLIENT", "INFO").Text()
	if err != nil {
		t.Fatalf("CLIENT INFO: %v", err)
	}
	m := map[string]string{}
	for _, f := range strings.Fields(s) {
		k, v, _ := strings.Cut(f, "=")
		m[k] = v
	}
	if m["id"] == "" {
		t.Fatalf("CLIENT INFO = %q: no id field", s)
	}
	return m
}

func ciExpectInfo(t *testing.T, ctx context.Context, c *redis.Client, want map[string]string) {
	t.Helper()
	info := ciClientInfo(t, ctx, c)
	for k, v := range want {
		if info[k] != v {
			t.Errorf("CLIENT INFO %s=%q, want %q (all: %v)", k, info[k], v, info)
		}
	}
}

func ciWhoAmI(t *testing.T, ctx context.Context, c *redis.Client) string {
	t.Helper()
	who, err := c.Do(ctx, "ACL", "WHOAMI").Text()
	if err != nil {
		t.Fatalf("ACL WHOAMI: %v", err)
	}
	return who
}

// ciSetGet writes a value under key and reads it back.
func ciSetGet(t *testing.T, ctx context.Context, c *redis.Client, key string) {
	t.Helper()
	val := "value of " + key
	if err := c.Set(ctx, key, val); err != nil {
		t.Fatalf("SET %s: %v", key, err)
	}
	got, err := c.Get(ctx, key)
	if err != nil || got != val {
		t.Fatalf("GET %s = %q, %v; want %q", key, got, err, val)
	}
}

// ciNoHang fails the test when err is the test's own deadline, which means
// the call hung instead of failing.
func ciNoHang(t *testing.T, what string, err error) {
	t.Helper()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		t.Fatalf("%s hung until the test deadline: %v", what, err)
	}
}

func ciProtoString(p int) string { return fmt.Sprint(p) }

func TestTLS(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{TLS: true})
	forProtocols(t, srv, redis.Options{TLSConfig: srv.TLSConfig()}, func(t *testing.T, c *redis.Client) {
		ctx := ciCtx(t)
		ciSetGet(t, ctx, c, "tls:"+t.Name())
		ciExpectInfo(t, ctx, c, map[string]string{"resp": ciProtoString(c.Options().Protocol)})
	})

	// The server's certificate is signed by the test CA, which the
	// system pool does not hold.
	t.Run("UnknownCA", func(t *testing.T) {
		ciEachProtocol(t, func(t *testing.T, proto int) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, TLSConfig: &tls.Config{ServerName: "localhost"}})
			err := c.Ping(ctx)
			if err == nil {
				t.Fatal("PING over TLS without the CA succeeded")
			}
			ciNoHang(t, "PING", err)
			if !strings.Contains(err.Error(), "certificate") {
				t.Errorf("error %q does not mention the certificate", err)
			}
			var ce *redis.ConnError
			if !errors.As(err, &ce) {
				t.Errorf("error %v (%T) is not a *redis.ConnError", err, err)
			}
			key := "tls:unknownca:" + t.Name()
			err = c.Set(ctx, key, "x")
			if err == nil {
				t.Fatal("SET over TLS without the CA succeeded")
			}
			ciNoHang(t, "SET", err)
			if redis.MayHaveRun(err) {
				t.Errorf("MayHaveRun(%v) = true for a SET whose connection never completed the TLS handshake", err)
			}
		})
	})
}

func TestTLSURL(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{TLS: true})
	u := srv.URL()
	if !strings.HasPrefix(u, "rediss://") {
		t.Fatalf("srv.URL() = %q, want rediss://", u)
	}
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", u, err)
	}
	if o.TLSConfig == nil {
		t.Fatalf("ParseURL(%q).TLSConfig = nil", u)
	}
	if o.TLSConfig.ServerName != "127.0.0.1" {
		t.Errorf("ParseURL(%q).TLSConfig.ServerName = %q, want 127.0.0.1", u, o.TLSConfig.ServerName)
	}
	if o.Addr != srv.Addr() {
		t.Errorf("ParseURL(%q).Addr = %q, want %q", u, o.Addr, srv.Addr())
	}

	// As parsed, the system roots do not trust the test CA.
	t.Run("WithoutCA", func(t *testing.T) {
		ctx := ciCtx(t)
		c := ciClient(t, *o)
		err := c.Ping(ctx)
		if err == nil {
			t.Fatal("PING with the system roots succeeded against the test CA")
		}
		ciNoHang(t, "PING", err)
		if !strings.Contains(err.Error(), "certificate") {
			t.Errorf("error %q does not mention the certificate", err)
		}
	})

	withCA := *o
	withCA.TLSConfig = o.TLSConfig.Clone()
	withCA.TLSConfig.RootCAs = srv.CACertPool()
	forProtocols(t, srv, withCA, func(t *testing.T, c *redis.Client) {
		ctx := ciCtx(t)
		ciSetGet(t, ctx, c, "tlsurl:"+t.Name())
	})
}

func TestMTLS(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{TLS: true, TLSAuthClients: "yes"})
	forProtocols(t, srv, redis.Options{TLSConfig: srv.ClientTLSConfig()}, func(t *testing.T, c *redis.Client) {
		ctx := ciCtx(t)
		ciSetGet(t, ctx, c, "mtls:"+t.Name())
	})

	t.Run("NoClientCert", func(t *testing.T) {
		ciEachProtocol(t, func(t *testing.T, proto int) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, TLSConfig: srv.TLSConfig()})
			err := c.Ping(ctx)
			if err == nil {
				t.Fatal("PING without a client certificate succeeded")
			}
			ciNoHang(t, "PING", err)
			// Under TLS 1.3 the server checks the client certificate after
			// the client's side of the handshake is done, so the refusal
			// arrives either as the alert ("tls: certificate required") or,
			// when the client writes first, as a reset connection: the text
			// is not checked, only that the call fails promptly.
			var ce *redis.ConnError
			if !errors.As(err, &ce) {
				t.Errorf("error %v (%T) is not a *redis.ConnError", err, err)
			}
			// The next call fails the same way: nothing is left half-open.
			key := "mtls:nocert:" + t.Name()
			err = c.Set(ctx, key, "x")
			if err == nil {
				t.Fatal("SET without a client certificate succeeded")
			}
			ciNoHang(t, "SET", err)
			// The SET never reached the server: its connection was
			// refused while it was being set up.
			if redis.MayHaveRun(err) {
				t.Errorf("MayHaveRun(%v) = true for a SET that was never sent (the connection failed during its handshake)", err)
			}
			if errors.Is(err, redis.ErrOutcomeUnknown) {
				t.Errorf("SET error %v wraps ErrOutcomeUnknown, but the SET was never sent", err)
			}
			withCert := ciClient(t, redis.Options{Addr: srv.Addr(), TLSConfig: srv.ClientTLSConfig()})
			if v, err := withCert.Get(ctx, key); !errors.Is(err, redis.ErrNil) {
				t.Errorf("GET %s with a certificate = %q, %v; want ErrNil (the refused SET must not have run)", key, v, err)
			}
		})
	})
}

func TestUnixSocket(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{UnixSocket: true})
	if !strings.HasPrefix(srv.SocketPath(), "/") {
		t.Fatalf("SocketPath() = %q, want an absolute path", srv.SocketPath())
	}
	ciEachProtocol(t, func(t *testing.T, proto int) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.SocketPath(), Protocol: proto})
		if n := c.Options().Network; n != "unix" {
			t.Errorf("Options().Network = %q, want unix (inferred from the leading /)", n)
		}
		ciSetGet(t, ctx, c, "unix:"+t.Name())
		// Redis flags clients connected over a unix socket with U.
		info := ciClientInfo(t, ctx, c)
		if !strings.Contains(info["flags"], "U") {
			t.Errorf("CLIENT INFO flags=%q, want U (unix socket); all: %v", info["flags"], info)
		}
		if info["db"] != "0" || info["resp"] != ciProtoString(proto) {
			t.Errorf("CLIENT INFO db=%q resp=%q, want 0 and %d", info["db"], info["resp"], proto)
		}
	})
}

func TestUnixURL(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{UnixSocket: true})
	u := "unix://" + srv.SocketPath() + "?db=3"
	o, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", u, err)
	}
	if o.Network != "unix" || o.Addr != srv.SocketPath() || o.DB != 3 {
		t.Fatalf("ParseURL(%q) = Network %q Addr %q DB %d", u, o.Network, o.Addr, o.DB)
	}
	db0 := ciClient(t, redis.Options{Addr: srv.SocketPath()})
	db3tcp := ciClient(t, redis.Options{Addr: srv.Addr(), DB: 3})
	ciEachProtocol(t, func(t *testing.T, proto int) {
		ctx := ciCtx(t)
		po := *o
		po.Protocol = proto
		c := ciClient(t, po)
		info := ciClientInfo(t, ctx, c)
		if info["db"] != "3" {
			t.Errorf("CLIENT INFO db=%q, want 3; all: %v", info["db"], info)
		}
		if !strings.Contains(info["flags"], "U") {
			t.Errorf("CLIENT INFO flags=%q, want U (unix socket)", info["flags"])
		}
		key := "unixurl:" + t.Name()
		ciSetGet(t, ctx, c, key)
		if v, err := db0.Get(ctx, key); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GET %s in db 0 = %q, %v; want ErrNil (the key belongs to db 3)", key, v, err)
		}
		if v, err := db3tcp.Get(ctx, key); err != nil || v != "value of "+key {
			t.Errorf("GET %s in db 3 over TCP = %q, %v", key, v, err)
		}
	})
}

// ciACLConfig is a server with a password for the default user and two ACL
// users.
func ciACLConfig() redistest.Config {
	return redistest.Config{
		Password: "adminpw",
		Users: []redistest.User{
			{Name: "alice", Password: "pw", Rules: []string{"~*", "+@all"}},
			{Name: "reader", Password: "r", Rules: []string{"~*", "+@read", "+ping", "+hello", "+client"}},
		},
	}
}

func TestACL(t *testing.T) {
	srv := redistest.Start(t, ciACLConfig())
	ciEachProtocol(t, func(t *testing.T, proto int) {
		key := "acl:" + t.Name()
		t.Run("Alice", func(t *testing.T) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, Username: "alice", Password: "pw"})
			if err := c.Set(ctx, key, "by alice"); err != nil {
				t.Fatalf("SET as alice: %v", err)
			}
			if who := ciWhoAmI(t, ctx, c); who != "alice" {
				t.Errorf("ACL WHOAMI = %q, want alice", who)
			}
			ciExpectInfo(t, ctx, c, map[string]string{"user": "alice", "resp": ciProtoString(proto)})
		})
		t.Run("Reader", func(t *testing.T) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, Username: "reader", Password: "r"})
			if v, err := c.Get(ctx, key); err != nil || v != "by alice" {
				t.Fatalf("GET as reader = %q, %v; want %q", v, err, "by alice")
			}
			err := c.Set(ctx, key, "by reader")
			if !errors.Is(err, redis.ErrNoPerm) {
				t.Fatalf("SET as reader: err = %v, want NOPERM", err)
			}
			if v, err := c.Get(ctx, key); err != nil || v != "by alice" {
				t.Fatalf("GET after refused SET = %q, %v; want %q", v, err, "by alice")
			}
			// reader may not run ACL WHOAMI; CLIENT INFO names the user.
			ciExpectInfo(t, ctx, c, map[string]string{"user": "reader"})
		})
		t.Run("WrongPassword", func(t *testing.T) {
			for _, o := range []redis.Options{
				{Username: "alice", Password: "nope"},
				{Password: "nope"},
			} {
				ctx := ciCtx(t)
				o.Addr, o.Protocol = srv.Addr(), proto
				c := ciClient(t, o)
				err := c.Ping(ctx)
				ciNoHang(t, "PING", err)
				if !errors.Is(err, redis.ErrWrongPass) {
					t.Errorf("user %q, wrong password: err = %v, want WRONGPASS", o.Username, err)
				}
				var he *redis.HandshakeError
				if !errors.As(err, &he) {
					t.Errorf("user %q, wrong password: err = %v (%T), want a *redis.HandshakeError", o.Username, err, err)
				} else if he.Step != "HELLO" && he.Step != "AUTH" {
					t.Errorf("HandshakeError.Step = %q, want HELLO or AUTH", he.Step)
				}
				if strings.Contains(err.Error(), "nope") {
					t.Errorf("error %q reveals the password", err)
				}
			}
		})
		t.Run("NoPassword", func(t *testing.T) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto})
			err := c.Ping(ctx)
			ciNoHang(t, "PING", err)
			if !errors.Is(err, redis.ErrNoAuth) {
				t.Fatalf("PING without a password: err = %v, want NOAUTH", err)
			}
			if _, err := c.Get(ctx, key); !errors.Is(err, redis.ErrNoAuth) {
				t.Fatalf("GET without a password: err = %v, want NOAUTH", err)
			}
		})
		t.Run("DefaultUser", func(t *testing.T) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, Password: "adminpw"})
			if v, err := c.Get(ctx, key); err != nil || v != "by alice" {
				t.Fatalf("GET as default = %q, %v", v, err)
			}
			ciSetGet(t, ctx, c, key+":default")
			if who := ciWhoAmI(t, ctx, c); who != "default" {
				t.Errorf("ACL WHOAMI = %q, want default", who)
			}
		})
	})
}

// TestACLUsernameOnly: an ACL user without a password (nopass) is selected
// by Username alone; Options documents that Username and Password
// authenticate each connection.
func TestACLUsernameOnly(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{
		Users: []redistest.User{{Name: "guest", Rules: []string{"~guest:*", "+@all"}}},
	})
	ciEachProtocol(t, func(t *testing.T, proto int) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, Username: "guest"})
		if who := ciWhoAmI(t, ctx, c); who != "guest" {
			t.Errorf("ACL WHOAMI with Options{Username: \"guest\"} = %q, want guest", who)
		}
	})
}

// ciCreds is a CredentialsProvider that counts its calls and returns the
// password currently set.
type ciCreds struct {
	calls atomic.Int64
	mu    sync.Mutex
	user  string
	pass  string
	err   error
}

func (p *ciCreds) provide(ctx context.Context) (string, string, error) {
	p.calls.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.user, p.pass, p.err
}

func (p *ciCreds) set(pass string) {
	p.mu.Lock()
	p.pass = pass
	p.mu.Unlock()
}

func TestCredentialsProvider(t *testing.T) {
	ciEachProtocol(t, func(t *testing.T, proto int) {
		// A server per protocol: the password is rotated below.
		srv := redistest.Start(t, ciACLConfig())
		ctx := ciCtx(t)
		admin := ciClient(t, redis.Options{Addr: srv.Addr(), Password: "adminpw"})
		if err := admin.Ping(ctx); err != nil {
			t.Fatalf("admin PING: %v", err)
		}
		creds := &ciCreds{user: "alice", pass: "pw"}
		c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, CredentialsProvider: creds.provide})

		key := "creds:" + t.Name()
		if err := c.Set(ctx, key, "v1"); err != nil {
			t.Fatalf("SET: %v", err)
		}
		if who := ciWhoAmI(t, ctx, c); who != "alice" {
			t.Fatalf("ACL WHOAMI = %q, want alice", who)
		}
		if n := creds.calls.Load(); n != 1 {
			t.Fatalf("provider called %d times for one connection, want 1", n)
		}

		// getEventually reads key a few times (the first call after a
		// kill may or may not fail, depending on when the client notices
		// the closed connection) and checks every value it got.
		getEventually := func(what string) {
			t.Helper()
			var lastErr error
			for range 5 {
				v, err := c.Get(ctx, key)
				if err == nil {
					if v != "v1" {
						t.Fatalf("%s: GET = %q, want v1", what, v)
					}
					return
				}
				lastErr = err
				ciNoHang(t, "GET", err)
			}
			t.Fatalf("%s: GET failed 5 times, last: %v", what, lastErr)
		}

		// Kill alice's connection: the next command redials and asks the
		// provider again.
		killed, err := admin.Do(ctx, "CLIENT", "KILL", "USER", "alice").Int64()
		if err != nil || killed != 1 {
			t.Fatalf("CLIENT KILL USER alice = %d, %v; want 1", killed, err)
		}
		getEventually("after kill")
		if n := creds.calls.Load(); n < 2 {
			t.Fatalf("provider called %d times after a redial, want at least 2", n)
		}

		// Rotate alice's password; the provider hands out the new one.
		if err := admin.Do(ctx, "ACL", "SETUSER", "alice", "resetpass", ">pw2").Err(); err != nil {
			t.Fatalf("ACL SETUSER: %v", err)
		}
		creds.set("pw2")
		before := creds.calls.Load()
		if _, err := admin.Do(ctx, "CLIENT", "KILL", "USER", "alice").Int64(); err != nil {
			t.Fatalf("CLIENT KILL USER alice: %v", err)
		}
		getEventually("after rotation")
		if n := creds.calls.Load(); n <= before {
			t.Fatalf("provider called %d times, no more than the %d before the rotation", n, before)
		}
		if who := ciWhoAmI(t, ctx, c); who != "alice" {
			t.Fatalf("ACL WHOAMI after rotation = %q, want alice", who)
		}
		if err := c.Set(ctx, key+":after", "v2"); err != nil {
			t.Fatalf("SET after rotation: %v", err)
		}

		// The old password really is gone.
		old := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, Username: "alice", Password: "pw"})
		if err := old.Ping(ctx); !errors.Is(err, redis.ErrWrongPass) {
			t.Fatalf("PING with alice's old password: err = %v, want WRONGPASS", err)
		}
	})
}

func TestCredentialsProviderError(t *testing.T) {
	srv := redistest.Start(t, ciACLConfig())
	errVault := errors.New("vault unreachable")
	ciEachProtocol(t, func(t *testing.T, proto int) {
		ctx := ciCtx(t)
		creds := &ciCreds{err: errVault}
		c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: proto, CredentialsProvider: creds.provide})
		err := c.Ping(ctx)
		ciNoHang(t, "PING", err)
		if !errors.Is(err, errVault) {
			t.Fatalf("PING with a failing provider: err = %v, want it to wrap %v", err, errVault)
		}
		if creds.calls.Load() == 0 {
			t.Fatal("provider never called")
		}
	})
}

func TestProtocol(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	for _, tc := range []struct{ opt, want int }{{2, 2}, {3, 3}, {0, 3}} {
		t.Run(fmt.Sprintf("Protocol%d", tc.opt), func(t *testing.T) {
			ctx := ciCtx(t)
			c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: tc.opt})
			h, err := c.Hello(ctx)
			if err != nil {
				t.Fatalf("HELLO: %v", err)
			}
			if h.Proto != tc.want {
				t.Errorf("HELLO proto = %d, want %d (%+v)", h.Proto, tc.want, h)
			}
			ciExpectInfo(t, ctx, c, map[string]string{"resp": ciProtoString(tc.want)})
			ciSetGet(t, ctx, c, "proto:"+t.Name())
		})
	}
}

// ciHelloDisabled is the server argument that removes HELLO, as on servers
// before 6.0.
var ciHelloDisabled = []string{"--rename-command", "HELLO", ""}

func TestHelloFallback(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{Args: ciHelloDisabled})

	t.Run("Default", func(t *testing.T) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.Addr()})
		ciSetGet(t, ctx, c, "fallback:"+t.Name())
		ciExpectInfo(t, ctx, c, map[string]string{"resp": "2"})
		// The server really does not know HELLO.
		if _, err := c.Hello(ctx); err == nil || !strings.Contains(err.Error(), "unknown command") {
			t.Fatalf("HELLO on a server without it: err = %v, want unknown command", err)
		}
	})
	t.Run("Protocol2", func(t *testing.T) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: 2})
		ciSetGet(t, ctx, c, "fallback:"+t.Name())
		ciExpectInfo(t, ctx, c, map[string]string{"resp": "2"})
	})
	t.Run("DB", func(t *testing.T) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.Addr(), DB: 4})
		ciExpectInfo(t, ctx, c, map[string]string{"resp": "2", "db": "4"})
		key := "fallback:" + t.Name()
		ciSetGet(t, ctx, c, key)
		db0 := ciClient(t, redis.Options{Addr: srv.Addr()})
		if v, err := db0.Get(ctx, key); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GET %s in db 0 = %q, %v; want ErrNil", key, v, err)
		}
	})
	t.Run("Protocol3", func(t *testing.T) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.Addr(), Protocol: 3})
		err := c.Ping(ctx)
		if err == nil {
			t.Fatal("PING with Protocol 3 on a server without HELLO succeeded")
		}
		ciNoHang(t, "PING", err)
		if !strings.Contains(err.Error(), "does not support RESP3") {
			t.Errorf("error %q does not say the server does not support RESP3", err)
		}
		var he *redis.HandshakeError
		if !errors.As(err, &he) || he.Step != "HELLO" {
			t.Errorf("error %v (%T) is not a HandshakeError at step HELLO", err, err)
		}
	})

	t.Run("Password", func(t *testing.T) {
		cfg := ciACLConfig()
		cfg.Args = ciHelloDisabled
		psrv := redistest.Start(t, cfg)
		for _, proto := range []int{0, 2} {
			t.Run(fmt.Sprintf("Protocol%d", proto), func(t *testing.T) {
				ctx := ciCtx(t)
				def := ciClient(t, redis.Options{Addr: psrv.Addr(), Protocol: proto, Password: "adminpw"})
				ciSetGet(t, ctx, def, "fallback:"+t.Name())
				if who := ciWhoAmI(t, ctx, def); who != "default" {
					t.Errorf("ACL WHOAMI = %q, want default", who)
				}
				ciExpectInfo(t, ctx, def, map[string]string{"resp": "2", "user": "default"})

				alice := ciClient(t, redis.Options{Addr: psrv.Addr(), Protocol: proto, Username: "alice", Password: "pw"})
				ciSetGet(t, ctx, alice, "fallback:alice:"+t.Name())
				if who := ciWhoAmI(t, ctx, alice); who != "alice" {
					t.Errorf("ACL WHOAMI = %q, want alice", who)
				}

				bad := ciClient(t, redis.Options{Addr: psrv.Addr(), Protocol: proto, Username: "alice", Password: "nope"})
				err := bad.Ping(ctx)
				ciNoHang(t, "PING", err)
				var he *redis.HandshakeError
				if !errors.Is(err, redis.ErrWrongPass) || !errors.As(err, &he) || he.Step != "AUTH" {
					t.Errorf("wrong password: err = %v (%T), want a WRONGPASS HandshakeError at step AUTH", err, err)
				}

				none := ciClient(t, redis.Options{Addr: psrv.Addr(), Protocol: proto})
				if err := none.Ping(ctx); !errors.Is(err, redis.ErrNoAuth) {
					t.Errorf("no password: err = %v, want NOAUTH", err)
				}
			})
		}
	})
}

func TestClientName(t *testing.T) {
	const name = "tour-client"
	check := func(t *testing.T, ctx context.Context, c *redis.Client, resp string) {
		t.Helper()
		got, err := c.Do(ctx, "CLIENT", "GETNAME").Text()
		if err != nil || got != name {
			t.Fatalf("CLIENT GETNAME = %q, %v; want %q", got, err, name)
		}
		ciExpectInfo(t, ctx, c, map[string]string{"name": name, "resp": resp})
	}

	// RESP3 sets the name with HELLO ... SETNAME, RESP2 with CLIENT SETNAME.
	srv := redistest.Start(t, redistest.Config{})
	forProtocols(t, srv, redis.Options{ClientName: name}, func(t *testing.T, c *redis.Client) {
		check(t, ciCtx(t), c, ciProtoString(c.Options().Protocol))
	})

	t.Run("Password", func(t *testing.T) {
		psrv := redistest.Start(t, redistest.Config{Password: "adminpw"})
		forProtocols(t, psrv, redis.Options{ClientName: name, Password: "adminpw"}, func(t *testing.T, c *redis.Client) {
			check(t, ciCtx(t), c, ciProtoString(c.Options().Protocol))
		})
	})

	t.Run("Fallback", func(t *testing.T) {
		fsrv := redistest.Start(t, redistest.Config{Args: ciHelloDisabled})
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: fsrv.Addr(), ClientName: name})
		check(t, ctx, c, "2")
	})

	t.Run("FallbackPassword", func(t *testing.T) {
		fsrv := redistest.Start(t, redistest.Config{Args: ciHelloDisabled, Password: "adminpw"})
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: fsrv.Addr(), ClientName: name, Password: "adminpw"})
		check(t, ctx, c, "2")
	})

	t.Run("NoName", func(t *testing.T) {
		ctx := ciCtx(t)
		c := ciClient(t, redis.Options{Addr: srv.Addr()})
		if got, err := c.Do(ctx, "CLIENT", "GETNAME").Text(); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("CLIENT GETNAME without ClientName = %q, %v; want ErrNil (no name)", got, err)
		}
	})
}

func TestDB(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{})
	db0 := ciClient(t, redis.Options{Addr: srv.Addr()})
	db5 := ciClient(t, redis.Options{Addr: srv.Addr(), DB: 5})
	forProtocols(t, srv, redis.Options{DB: 5}, func(t *testing.T, c *redis.Client) {
		ctx := ciCtx(t)
		ciExpectInfo(t, ctx, c, map[string]string{"db": "5"})
		key := "db:" + t.Name()
		ciSetGet(t, ctx, c, key)
		if v, err := db0.Get(ctx, key); !errors.Is(err, redis.ErrNil) {
			t.Errorf("GET %s in db 0 = %q, %v; want ErrNil", key, v, err)
		}
		if v, err := db5.Get(ctx, key); err != nil || v != "value of "+key {
			t.Errorf("GET %s through another db 5 client = %q, %v", key, v, err)
		}
	})
	ctx := ciCtx(t)
	ks, err := db0.Do(ctx, "INFO", "keyspace").Text()
	if err != nil {
		t.Fatalf("INFO keyspace: %v", err)
	}
	if !strings.Contains(ks, "db5:keys=2,") || strings.Contains(ks, "db0:") {
		t.Errorf("INFO keyspace = %q, want exactly db5 with 2 keys", ks)
	}
}
