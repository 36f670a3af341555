package redis_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

// canary is a password that must never be printed.
const canary = "canary-5e1f0a-do-not-print"

// assertNoCanary fails when s contains the canary.
func assertNoCanary(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, canary) || strings.Contains(s, "do-not-print") {
		t.Errorf("%s prints the password: %s", what, s)
	}
}

// printed returns every way fmt and slog may print v.
func printed(v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	out["Sprintln"] = fmt.Sprintln(v)
	if s, ok := v.(fmt.Stringer); ok {
		out["String()"] = s.String()
	}
	if s, ok := v.(fmt.GoStringer); ok {
		out["GoString()"] = s.GoString()
	}
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "v", v)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("x", "v", v)
	out["slog text"] = text.String()
	out["slog json"] = js.String()
	// As a field of the caller's own struct, and in a slice.
	out["in a struct"] = fmt.Sprintf("%+v", struct{ V any }{v})
	out["in a slice"] = fmt.Sprintf("%v", []any{v})
	return out
}

func assertNotPrinted(t *testing.T, name string, v any) {
	t.Helper()
	for how, s := range printed(v) {
		assertNoCanary(t, name+" "+how, s)
	}
}

func TestSecurityOptionsNeverPrintPassword(t *testing.T) {
	o := redis.Options{
		Addr:     "127.0.0.1:1",
		Username: "alice",
		Password: canary,
		CredentialsProvider: func(context.Context) (string, string, error) {
			return "alice", canary, nil
		},
	}
	assertNotPrinted(t, "Options", o)
	assertNotPrinted(t, "*Options", &o)

	u, err := redis.ParseURL("redis://alice:" + canary + "@127.0.0.1:6390/2?client_name=app")
	if err != nil {
		t.Fatal(err)
	}
	if u.Password != canary {
		t.Fatalf("ParseURL password = %q", u.Password)
	}
	assertNotPrinted(t, "ParseURL options", u)
	assertNotPrinted(t, "ParseURL options value", *u)

	// The redacted form still tells whether a password is set, and keeps
	// the fields that are not secret.
	s := fmt.Sprintf("%+v", u)
	for _, want := range []string{"127.0.0.1:6390", "alice", "<redacted>", "app"} {
		if !strings.Contains(s, want) {
			t.Errorf("%%+v of options = %s; want it to mention %q", s, want)
		}
	}
	if g := fmt.Sprintf("%#v", o); !strings.HasPrefix(g, "redis.Options{") {
		t.Errorf("%%#v of options = %s; want redis.Options{...}", g)
	}
	if s := fmt.Sprintf("%+v", redis.Options{}); strings.Contains(s, "<redacted>") {
		t.Errorf("options without a password print %s; want no redaction marker", s)
	}
}

func TestSecurityClientNeverPrintsPassword(t *testing.T) {
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", Username: "alice", Password: canary})
	defer c.Close()
	assertNotPrinted(t, "Client", c)
	assertNotPrinted(t, "Client.Options()", c.Options())
	if s := fmt.Sprint(c); !strings.Contains(s, "127.0.0.1:1") {
		t.Errorf("Client prints %q; want its address", s)
	}
	u, err := redis.ParseURL("redis://:" + canary + "@127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	c2 := redis.NewClient(u)
	defer c2.Close()
	assertNotPrinted(t, "Client from ParseURL", c2)
	var nilClient *redis.Client
	_ = fmt.Sprint(nilClient) // must not panic
}

func TestSecurityParseURLErrorsRedactPassword(t *testing.T) {
	for _, raw := range []string{
		"redis://alice:" + canary + "@127.0.0.1:badport/0",
		"redis://alice:" + canary + "@127.0.0.1:99999",
		"redis://alice:" + canary + "@ho st:6379",
		"redis://alice:" + canary + "@[::1",
		"redis://alice:" + canary + "%zz@127.0.0.1",
		"redis://alice:" + canary + "@127.0.0.1/notadb",
		"redis://alice:" + canary + "@127.0.0.1/?db=x",
		"redis://alice:" + canary + "@127.0.0.1/?nosuch=1",
		"redis://alice:" + canary + "@127.0.0.1/1?db=2",
		"redis://alice:" + canary + "@127.0.0.1/?client_name=a@b&nosuch=1",
		"redis://alice:12/" + canary + "@127.0.0.1",           // unescaped "/" in the password
		"redis://alice:12?" + canary + "@127.0.0.1",           // unescaped "?"
		"redis://alice:12#" + canary + "@127.0.0.1",           // unescaped "#"
		"redis://alice:ab/" + canary + "@127.0.0.1",           // unescaped "/" making a bad port
		"redis://alice:p@ss:" + canary + "@127.0.0.1:bad",     // "@" and ":" in the password
		"unix://alice:" + canary + "@",                        // no socket path
		":" + canary + "@127.0.0.1",                           // no scheme
		"alice:" + canary + "@127.0.0.1:6379",                 // no scheme, looks like one
		"//alice:" + canary + "@127.0.0.1:6379",               // no scheme
		"rediss://alice:" + canary + "@127.0.0.1:6379?db=1/2", // bad parameter over TLS
		"http://alice:" + canary + "@127.0.0.1",               // wrong scheme
	} {
		o, err := redis.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) = %+v, want an error", strings.ReplaceAll(raw, canary, "CANARY"), o)
			continue
		}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			assertNoCanary(t, "ParseURL error "+verb, fmt.Sprintf(verb, err))
		}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			assertNoCanary(t, "ParseURL wrapped error", e.Error())
		}
	}
}

func TestSecurityErrorsNeverPrintPassword(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{
		Password: "the-right-default-password",
		Users:    []redistest.User{{Name: "alice", Password: "the-right-password", Rules: []string{"~*", "+@all"}}},
	})
	ctx := context.Background()
	check := func(t *testing.T, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("a wrong password was accepted")
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoCanary(t, "error "+verb, fmt.Sprintf(verb, err))
		}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			assertNoCanary(t, "wrapped error", fmt.Sprintf("%+v", e))
		}
	}
	for _, proto := range []int{2, 3} {
		for _, user := range []string{"", "alice", "nobody"} {
			t.Run(fmt.Sprintf("RESP%d/user=%q", proto, user), func(t *testing.T) {
				c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Protocol: proto, Username: user, Password: canary,
					Retry: redis.RetryPolicy{MaxAttempts: 1}})
				defer c.Close()
				err := c.Ping(ctx)
				check(t, err)
				_, err = c.Get(ctx, "k")
				check(t, err)
				assertNotPrinted(t, "client after a failed AUTH", c)
			})
		}
	}
	t.Run("URL", func(t *testing.T) {
		o, err := redis.ParseURL("redis://alice:" + canary + "@" + srv.Addr() + "/0?max_attempts=1")
		if err != nil {
			t.Fatal(err)
		}
		c := redis.NewClient(o)
		defer c.Close()
		check(t, c.Ping(ctx))
	})
	t.Run("dial failure", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		c := redis.NewClient(&redis.Options{Addr: addr, Password: canary, DialTimeout: time.Second,
			Retry: redis.RetryPolicy{MaxAttempts: 1}})
		defer c.Close()
		check(t, c.Ping(ctx))
	})
	t.Run("credentials provider failure", func(t *testing.T) {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Retry: redis.RetryPolicy{MaxAttempts: 1},
			CredentialsProvider: func(context.Context) (string, string, error) {
				return "alice", canary, errors.New("vault unavailable")
			}})
		defer c.Close()
		check(t, c.Ping(ctx))
	})
	t.Run("dial timeout", func(t *testing.T) {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: canary, Retry: redis.RetryPolicy{MaxAttempts: 1},
			Dialer: func(ctx context.Context, network, addr string) (net.Conn, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			}, DialTimeout: 50 * time.Millisecond})
		defer c.Close()
		check(t, c.Ping(ctx))
	})
}

// TestSecurityTLSFailsClosed: a TLS server whose certificate the client
// does not trust is refused with a certificate error, and the client never
// falls back to plaintext.
func TestSecurityTLSFailsClosed(t *testing.T) {
	srv := redistest.Start(t, redistest.Config{TLS: true})
	ctx := context.Background()
	t.Run("untrusted CA", func(t *testing.T) {
		// Trusts some other CA (the system roots), not the test CA.
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), Password: canary,
			TLSConfig: &tls.Config{ServerName: "localhost", MinVersion: tls.VersionTLS12},
			Retry:     redis.RetryPolicy{MaxAttempts: 1}})
		defer c.Close()
		err := c.Ping(ctx)
		var unknown x509.UnknownAuthorityError
		var verify *tls.CertificateVerificationError
		if !errors.As(err, &unknown) && !errors.As(err, &verify) {
			t.Fatalf("PING over TLS to an untrusted server: %v; want a certificate verification error", err)
		}
		assertNoCanary(t, "TLS error", fmt.Sprintf("%+v", err))
	})
	t.Run("wrong server name", func(t *testing.T) {
		cfg := srv.TLSConfig()
		cfg.ServerName = "not-the-server.example"
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), TLSConfig: cfg, Retry: redis.RetryPolicy{MaxAttempts: 1}})
		defer c.Close()
		err := c.Ping(ctx)
		var host x509.HostnameError
		var verify *tls.CertificateVerificationError
		if !errors.As(err, &host) && !errors.As(err, &verify) {
			t.Fatalf("PING over TLS with the wrong server name: %v; want a certificate verification error", err)
		}
	})
	t.Run("trusted", func(t *testing.T) {
		c := redis.NewClient(&redis.Options{Addr: srv.Addr(), TLSConfig: srv.TLSConfig()})
		defer c.Close()
		if err := c.Ping(ctx); err != nil {
			t.Fatalf("PING over TLS with the test CA: %v", err)
		}
	})

	// A plain listener records the first bytes of every connection: each
	// must be a TLS handshake record (0x16 0x03), never a RESP command.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var (
		mu    sync.Mutex
		first [][]byte
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 5)
			n, _ := nc.Read(buf)
			// Answer like a plaintext server would, then close.
			nc.Write([]byte("-ERR plaintext server\r\n"))
			nc.Close()
			mu.Lock()
			first = append(first, buf[:n])
			mu.Unlock()
		}
	}()
	o, err := redis.ParseURL("rediss://alice:" + canary + "@" + ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []*redis.Options{
		o,
		{Addr: ln.Addr().String(), Password: canary, TLSConfig: srv.TLSConfig(), Protocol: 2},
		{Addr: ln.Addr().String(), Password: canary, TLSConfig: srv.TLSConfig(), Protocol: 3},
	} {
		c := redis.NewClient(opts)
		if err := c.Ping(ctx); err == nil {
			t.Error("PING over TLS to a plaintext listener succeeded")
		} else {
			assertNoCanary(t, "TLS-to-plaintext error", fmt.Sprintf("%+v", err))
		}
		c.Close()
	}
	ln.Close()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(first) == 0 {
		t.Fatal("the client never connected to the listener")
	}
	for i, b := range first {
		if len(b) < 2 || b[0] != 0x16 || b[1] != 0x03 {
			t.Errorf("connection %d began with %q; want a TLS ClientHello (0x16 0x03)", i, b)
		}
	}
}
