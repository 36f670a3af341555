package redis_test

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
)

// FuzzParseURL: ParseURL never panics; the Options of a URL it accepts are
// sane (an address the dialer can use, a known protocol, no negative
// counts or durations below the documented -1, TLS exactly for rediss://);
// and a password never shows, neither in an error nor in the printed
// Options. The fuzzer controls the whole URL (raw) and, separately, what
// follows a known password in the user information (tail), so the
// password check always knows what the password is.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"redis://example.com:7000", "redis://", "redis://alice:s3cret@example.com:6380/2", "redis://:pw@h",
		"redis://bob:p%40ss%3Aw%2Fd@h", "redis://[::1]:7000/3", "redis://h/15", "rediss://user:pw@secure.example.com:6380/1",
		"unix:///tmp/r.sock?db=2", "unix://:pw@/tmp/r.sock?protocol=2", "redis://h?client_name=my%20app",
		"rediss://u:p@h:1234?db=9&protocol=2&client_name=svc&dial_timeout=1s&read_timeout=2.5&write_timeout=-1",
		"redis://h?pool_size=25&min_idle_conns=3&mux_conns=4&max_attempts=5&conn_max_idle_time=-1&conn_max_lifetime=1h30m&pool_timeout=4",
		"redis://h?read_timeout=1e300", "redis://h?dial_timeout=NaN", "redis://h?db=1&db=2", "redis://h:99999",
		"redis://a:b#c@h", "redis://a:b/c@h", "redis://a:b?c@h/", "REDISS://H", "redis://h/1?db=2", "unix://", "//h",
	} {
		f.Add(s, "@h:6379/1?protocol=3")
	}
	f.Add("", "/x@h")
	f.Add("", "?db=1@h")
	f.Add("", "#@h")
	f.Fuzz(func(t *testing.T, raw, tail string) {
		o, err := redis.ParseURL(raw)
		if err == nil {
			checkParsedOptions(t, raw, o)
			if u, perr := url.Parse(raw); perr == nil {
				if _, qerr := url.ParseQuery(u.RawQuery); qerr != nil {
					t.Fatalf("ParseURL(%q) accepted a malformed query (%v): its parameters are silently dropped", raw, qerr)
				}
			}
		}

		const canary = "Zq9pW4kV"
		if strings.Contains(tail, canary) {
			return
		}
		u := "redis://user:" + canary + tail
		if !strings.Contains(tail, "@") {
			return // no user information: the "password" is a port or a path
		}
		o, err = redis.ParseURL(u)
		if err != nil {
			if strings.Contains(err.Error(), canary) {
				t.Fatalf("ParseURL(%q): the error shows the password: %v", u, err)
			}
			return
		}
		checkParsedOptions(t, u, o)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if s := fmt.Sprintf(verb, o); strings.Contains(s, canary) {
				t.Fatalf("ParseURL(%q) printed with %s shows the password: %s", u, verb, s)
			}
			if s := fmt.Sprintf(verb, *o); strings.Contains(s, canary) {
				t.Fatalf("ParseURL(%q) printed by value with %s shows the password: %s", u, verb, s)
			}
		}
	})
}

func checkParsedOptions(t *testing.T, raw string, o *redis.Options) {
	t.Helper()
	if o == nil {
		t.Fatalf("ParseURL(%q) returned nil Options and no error", raw)
	}
	switch o.Network {
	case "tcp":
		host, port, err := net.SplitHostPort(o.Addr)
		if err != nil || host == "" {
			t.Fatalf("ParseURL(%q): Addr %q is not host:port: %v", raw, o.Addr, err)
		}
		if strings.Contains(host, ":") && net.ParseIP(host) == nil {
			t.Fatalf("ParseURL(%q): host %q has a colon but is no IPv6 address (an unescaped \":\" or \"?\" in a password?)", raw, host)
		}
		if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			t.Fatalf("ParseURL(%q): port %q out of range", raw, port)
		}
	case "unix":
		if o.Addr == "" {
			t.Fatalf("ParseURL(%q): unix socket without a path", raw)
		}
	default:
		t.Fatalf("ParseURL(%q): network %q", raw, o.Network)
	}
	if o.Protocol != 0 && o.Protocol != 2 && o.Protocol != 3 {
		t.Fatalf("ParseURL(%q): protocol %d", raw, o.Protocol)
	}
	if o.DB < 0 || o.PoolSize < 0 || o.MinIdleConns < 0 || o.MuxConns < 0 || o.Retry.MaxAttempts < 0 {
		t.Fatalf("ParseURL(%q): a negative count in %+v", raw, *o)
	}
	for name, d := range map[string]time.Duration{
		"DialTimeout": o.DialTimeout, "PoolTimeout": o.PoolTimeout, "ConnMaxLifetime": o.ConnMaxLifetime,
	} {
		if d < 0 {
			t.Fatalf("ParseURL(%q): %s %v", raw, name, d)
		}
	}
	for name, d := range map[string]time.Duration{
		"ReadTimeout": o.ReadTimeout, "WriteTimeout": o.WriteTimeout, "ConnMaxIdleTime": o.ConnMaxIdleTime,
	} {
		if d < -1 {
			t.Fatalf("ParseURL(%q): %s %v (only -1 may be negative)", raw, name, d)
		}
	}
	scheme, _, _ := strings.Cut(raw, ":")
	wantTLS := strings.EqualFold(scheme, "rediss")
	if (o.TLSConfig != nil) != wantTLS {
		t.Fatalf("ParseURL(%q): TLSConfig %v for scheme %q", raw, o.TLSConfig != nil, scheme)
	}
	if o.TLSConfig != nil && (o.TLSConfig.InsecureSkipVerify || o.TLSConfig.MinVersion < tls.VersionTLS12) {
		t.Fatalf("ParseURL(%q): weak TLS config", raw)
	}
}
