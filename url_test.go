package redis

import (
	"crypto/tls"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	type tlsWant struct {
		serverName string
		minVersion uint16
	}
	tests := []struct {
		name    string
		url     string
		want    Options  // compared without TLSConfig
		wantTLS *tlsWant // nil: TLSConfig must be nil
	}{
		{
			name: "host and port",
			url:  "redis://example.com:7000",
			want: Options{Addr: "example.com:7000", Network: "tcp"},
		},
		{
			name: "default port",
			url:  "redis://example.com",
			want: Options{Addr: "example.com:6379", Network: "tcp"},
		},
		{
			name: "default host",
			url:  "redis://:7001",
			want: Options{Addr: "localhost:7001", Network: "tcp"},
		},
		{
			name: "default host and port",
			url:  "redis://",
			want: Options{Addr: "localhost:6379", Network: "tcp"},
		},
		{
			name: "user and password",
			url:  "redis://alice:s3cret@example.com:6380/2",
			want: Options{Addr: "example.com:6380", Network: "tcp", Username: "alice", Password: "s3cret", DB: 2},
		},
		{
			name: "username only",
			url:  "redis://alice@example.com",
			want: Options{Addr: "example.com:6379", Network: "tcp", Username: "alice"},
		},
		{
			name: "password only",
			url:  "redis://:pw@h",
			want: Options{Addr: "h:6379", Network: "tcp", Password: "pw"},
		},
		{
			name: "escaped password",
			url:  "redis://bob:p%40ss%3Aw%2Fd@h",
			want: Options{Addr: "h:6379", Network: "tcp", Username: "bob", Password: "p@ss:w/d"},
		},
		{
			name: "IPv6 with db",
			url:  "redis://[::1]:7000/3",
			want: Options{Addr: "[::1]:7000", Network: "tcp", DB: 3},
		},
		{
			name: "IPv6 default port",
			url:  "redis://[::1]",
			want: Options{Addr: "[::1]:6379", Network: "tcp"},
		},
		{
			name: "db in path",
			url:  "redis://h/15",
			want: Options{Addr: "h:6379", Network: "tcp", DB: 15},
		},
		{
			name: "db 0 in path",
			url:  "redis://h/0",
			want: Options{Addr: "h:6379", Network: "tcp"},
		},
		{
			name: "empty path with trailing slash",
			url:  "redis://h/",
			want: Options{Addr: "h:6379", Network: "tcp"},
		},
		{
			name:    "rediss",
			url:     "rediss://user:pw@secure.example.com:6380/1",
			want:    Options{Addr: "secure.example.com:6380", Network: "tcp", Username: "user", Password: "pw", DB: 1},
			wantTLS: &tlsWant{serverName: "secure.example.com", minVersion: tls.VersionTLS12},
		},
		{
			name:    "rediss default host",
			url:     "rediss://",
			want:    Options{Addr: "localhost:6379", Network: "tcp"},
			wantTLS: &tlsWant{serverName: "localhost", minVersion: tls.VersionTLS12},
		},
		{
			name:    "rediss IPv6",
			url:     "rediss://[::1]:6390",
			want:    Options{Addr: "[::1]:6390", Network: "tcp"},
			wantTLS: &tlsWant{serverName: "::1", minVersion: tls.VersionTLS12},
		},
		{
			name: "unix with db",
			url:  "unix:///tmp/r.sock?db=2",
			want: Options{Addr: "/tmp/r.sock", Network: "unix", DB: 2},
		},
		{
			name: "unix plain",
			url:  "unix:///var/run/redis/redis.sock",
			want: Options{Addr: "/var/run/redis/redis.sock", Network: "unix"},
		},
		{
			name: "unix with user and password",
			url:  "unix://user:pw@/tmp/r.sock",
			want: Options{Addr: "/tmp/r.sock", Network: "unix", Username: "user", Password: "pw"},
		},
		{
			name: "unix with password only",
			url:  "unix://:pw@/tmp/r.sock?protocol=2",
			want: Options{Addr: "/tmp/r.sock", Network: "unix", Password: "pw", Protocol: 2},
		},
		{
			name: "db query",
			url:  "redis://h?db=7",
			want: Options{Addr: "h:6379", Network: "tcp", DB: 7},
		},
		{
			name: "db query with empty path",
			url:  "redis://h/?db=7",
			want: Options{Addr: "h:6379", Network: "tcp", DB: 7},
		},
		{
			name: "protocol 2",
			url:  "redis://h?protocol=2",
			want: Options{Addr: "h:6379", Network: "tcp", Protocol: 2},
		},
		{
			name: "protocol 3",
			url:  "redis://h?protocol=3",
			want: Options{Addr: "h:6379", Network: "tcp", Protocol: 3},
		},
		{
			name: "client_name",
			url:  "redis://h?client_name=my%20app",
			want: Options{Addr: "h:6379", Network: "tcp", ClientName: "my app"},
		},
		{
			name: "dial_timeout duration",
			url:  "redis://h?dial_timeout=2s",
			want: Options{Addr: "h:6379", Network: "tcp", DialTimeout: 2 * time.Second},
		},
		{
			name: "dial_timeout seconds",
			url:  "redis://h?dial_timeout=10",
			want: Options{Addr: "h:6379", Network: "tcp", DialTimeout: 10 * time.Second},
		},
		{
			name: "read_timeout no limit",
			url:  "redis://h?read_timeout=-1",
			want: Options{Addr: "h:6379", Network: "tcp", ReadTimeout: -1},
		},
		{
			name: "read_timeout fractional seconds",
			url:  "redis://h?read_timeout=1.5",
			want: Options{Addr: "h:6379", Network: "tcp", ReadTimeout: 1500 * time.Millisecond},
		},
		{
			name: "read_timeout milliseconds",
			url:  "redis://h?read_timeout=250ms",
			want: Options{Addr: "h:6379", Network: "tcp", ReadTimeout: 250 * time.Millisecond},
		},
		{
			name: "write_timeout",
			url:  "redis://h?write_timeout=750ms",
			want: Options{Addr: "h:6379", Network: "tcp", WriteTimeout: 750 * time.Millisecond},
		},
		{
			name: "write_timeout no limit",
			url:  "redis://h?write_timeout=-1",
			want: Options{Addr: "h:6379", Network: "tcp", WriteTimeout: -1},
		},
		{
			name: "pool_timeout",
			url:  "redis://h?pool_timeout=4",
			want: Options{Addr: "h:6379", Network: "tcp", PoolTimeout: 4 * time.Second},
		},
		{
			name: "conn_max_idle_time",
			url:  "redis://h?conn_max_idle_time=5m",
			want: Options{Addr: "h:6379", Network: "tcp", ConnMaxIdleTime: 5 * time.Minute},
		},
		{
			name: "conn_max_idle_time never",
			url:  "redis://h?conn_max_idle_time=-1",
			want: Options{Addr: "h:6379", Network: "tcp", ConnMaxIdleTime: -1},
		},
		{
			name: "conn_max_lifetime",
			url:  "redis://h?conn_max_lifetime=1h30m",
			want: Options{Addr: "h:6379", Network: "tcp", ConnMaxLifetime: 90 * time.Minute},
		},
		{
			name: "pool_size",
			url:  "redis://h?pool_size=25",
			want: Options{Addr: "h:6379", Network: "tcp", PoolSize: 25},
		},
		{
			name: "min_idle_conns",
			url:  "redis://h?min_idle_conns=3",
			want: Options{Addr: "h:6379", Network: "tcp", MinIdleConns: 3},
		},
		{
			name: "min_idle_conns zero",
			url:  "redis://h?min_idle_conns=0",
			want: Options{Addr: "h:6379", Network: "tcp"},
		},
		{
			name: "mux_conns",
			url:  "redis://h?mux_conns=4",
			want: Options{Addr: "h:6379", Network: "tcp", MuxConns: 4},
		},
		{
			name: "max_attempts",
			url:  "redis://h?max_attempts=5",
			want: Options{Addr: "h:6379", Network: "tcp", Retry: RetryPolicy{MaxAttempts: 5}},
		},
		{
			name: "every parameter",
			url: "rediss://u:p@h:1234?db=9&protocol=2&client_name=svc&dial_timeout=1s&read_timeout=2.5" +
				"&write_timeout=300ms&pool_timeout=6s&conn_max_idle_time=10m&conn_max_lifetime=2h" +
				"&pool_size=11&min_idle_conns=2&mux_conns=3&max_attempts=1",
			want: Options{
				Addr: "h:1234", Network: "tcp", Username: "u", Password: "p",
				DB: 9, Protocol: 2, ClientName: "svc",
				DialTimeout: time.Second, ReadTimeout: 2500 * time.Millisecond,
				WriteTimeout: 300 * time.Millisecond, PoolTimeout: 6 * time.Second,
				ConnMaxIdleTime: 10 * time.Minute, ConnMaxLifetime: 2 * time.Hour,
				PoolSize: 11, MinIdleConns: 2, MuxConns: 3,
				Retry: RetryPolicy{MaxAttempts: 1},
			},
			wantTLS: &tlsWant{serverName: "h", minVersion: tls.VersionTLS12},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseURL(tt.url)
			if err != nil {
				t.Fatalf("ParseURL(%q): %v", tt.url, err)
			}
			if got == nil {
				t.Fatalf("ParseURL(%q) = nil, nil", tt.url)
			}
			gotTLS := got.TLSConfig
			switch {
			case tt.wantTLS == nil && gotTLS != nil:
				t.Errorf("ParseURL(%q).TLSConfig = %+v, want nil", tt.url, gotTLS)
			case tt.wantTLS != nil && gotTLS == nil:
				t.Errorf("ParseURL(%q).TLSConfig = nil, want ServerName %q", tt.url, tt.wantTLS.serverName)
			case tt.wantTLS != nil:
				if gotTLS.ServerName != tt.wantTLS.serverName {
					t.Errorf("ParseURL(%q).TLSConfig.ServerName = %q, want %q", tt.url, gotTLS.ServerName, tt.wantTLS.serverName)
				}
				if gotTLS.MinVersion != tt.wantTLS.minVersion {
					t.Errorf("ParseURL(%q).TLSConfig.MinVersion = %#x, want %#x", tt.url, gotTLS.MinVersion, tt.wantTLS.minVersion)
				}
				if gotTLS.InsecureSkipVerify {
					t.Errorf("ParseURL(%q).TLSConfig.InsecureSkipVerify = true", tt.url)
				}
			}
			g := *got
			g.TLSConfig = nil
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("ParseURL(%q) =\n %+v\nwant\n %+v", tt.url, g, tt.want)
			}
		})
	}
}

// TestParseURLFreshTLSConfig checks that each rediss:// parse returns its
// own tls.Config, so callers may modify it (for example to set RootCAs).
func TestParseURLFreshTLSConfig(t *testing.T) {
	a, err := ParseURL("rediss://h")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseURL("rediss://h")
	if err != nil {
		t.Fatal(err)
	}
	if a.TLSConfig == nil || b.TLSConfig == nil {
		t.Fatalf("TLSConfig = %v, %v; want non-nil", a.TLSConfig, b.TLSConfig)
	}
	if a.TLSConfig == b.TLSConfig {
		t.Fatal("two ParseURL calls share one *tls.Config")
	}
}

func TestParseURLErrors(t *testing.T) {
	tests := []struct {
		name string
		url  string
		// every string must appear in the error text
		want []string
	}{
		{name: "unknown parameter", url: "redis://h?read_timout=1s", want: []string{"unknown", "read_timout"}},
		{name: "unknown parameter with valid ones", url: "redis://h?db=1&poolsize=3", want: []string{"poolsize"}},
		{name: "protocol 4", url: "redis://h?protocol=4", want: []string{"protocol", `"4"`}},
		{name: "protocol text", url: "redis://h?protocol=resp3", want: []string{"protocol", "resp3"}},
		{name: "pool_size 0", url: "redis://h?pool_size=0", want: []string{"pool_size", `"0"`}},
		{name: "pool_size negative", url: "redis://h?pool_size=-5", want: []string{"pool_size", "-5"}},
		{name: "mux_conns 0", url: "redis://h?mux_conns=0", want: []string{"mux_conns"}},
		{name: "max_attempts 0", url: "redis://h?max_attempts=0", want: []string{"max_attempts"}},
		{name: "min_idle_conns negative", url: "redis://h?min_idle_conns=-1", want: []string{"min_idle_conns", "-1"}},
		{name: "db negative", url: "redis://h?db=-1", want: []string{"db", "-1"}},
		{name: "db text", url: "redis://h?db=one", want: []string{"db", "one"}},
		{name: "read_timeout text", url: "redis://h?read_timeout=abc", want: []string{"read_timeout", "abc"}},
		{name: "read_timeout negative", url: "redis://h?read_timeout=-2s", want: []string{"read_timeout", "-2s"}},
		{name: "dial_timeout -1", url: "redis://h?dial_timeout=-1", want: []string{"dial_timeout", "-1"}},
		{name: "pool_timeout -1", url: "redis://h?pool_timeout=-1", want: []string{"pool_timeout", "-1"}},
		{name: "conn_max_lifetime -1", url: "redis://h?conn_max_lifetime=-1", want: []string{"conn_max_lifetime", "-1"}},
		{name: "write_timeout text", url: "redis://h?write_timeout=soon", want: []string{"write_timeout", "soon"}},
		{name: "conn_max_idle_time text", url: "redis://h?conn_max_idle_time=1x", want: []string{"conn_max_idle_time", "1x"}},
		{name: "db in path and query", url: "redis://h/1?db=2", want: []string{"db", "path"}},
		{name: "db 0 in path and query", url: "redis://h/0?db=2", want: []string{"db", "path"}},
		{name: "parameter twice", url: "redis://h?db=1&db=2", want: []string{"db", "2 times"}},
		{name: "protocol twice", url: "redis://h?protocol=2&protocol=2", want: []string{"protocol", "2 times"}},
		{name: "bad scheme", url: "http://h:6379", want: []string{"http"}},
		{name: "bad scheme redis-like", url: "redis+tls://h", want: []string{"redis+tls"}},
		{name: "missing scheme", url: "localhost", want: []string{"no scheme"}},
		{name: "missing scheme with slashes", url: "//h:6379/0", want: []string{"no scheme"}},
		{name: "missing scheme host:port", url: "localhost:6379", want: []string{"localhost"}},
		{name: "bad port text", url: "redis://h:abc", want: []string{"abc"}},
		{name: "port out of range", url: "redis://h:99999", want: []string{"port", "99999"}},
		{name: "port 0", url: "redis://h:0", want: []string{"port", `"0"`}},
		{name: "unix without path", url: "unix://", want: []string{"unix", "path"}},
		{name: "unix opaque", url: "unix:r.sock", want: []string{"unix", "path"}},
		{name: "non-numeric path", url: "redis://h/abc", want: []string{"abc"}},
		{name: "negative path", url: "redis://h/-1", want: []string{"-1"}},
		{name: "nested path", url: "redis://h/1/2", want: []string{"1/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseURL(tt.url)
			if err == nil {
				t.Fatalf("ParseURL(%q) = %+v, want an error", tt.url, o)
			}
			if o != nil {
				t.Errorf("ParseURL(%q) returned options %+v with the error", tt.url, o)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("ParseURL(%q) error %q does not mention %q", tt.url, err, w)
				}
			}
		})
	}
}

// TestParseURLDurationOverflow checks that a duration too large for
// time.Duration is rejected (or at least kept positive) rather than
// wrapping around to a negative value, which the options read as "no
// limit" or "use the default".
func TestParseURLDurationOverflow(t *testing.T) {
	tests := []struct {
		url   string
		field func(*Options) time.Duration
	}{
		{"redis://h?dial_timeout=1e10", func(o *Options) time.Duration { return o.DialTimeout }},
		{"redis://h?pool_timeout=1e300", func(o *Options) time.Duration { return o.PoolTimeout }},
		{"redis://h?read_timeout=inf", func(o *Options) time.Duration { return o.ReadTimeout }},
		{"redis://h?conn_max_lifetime=Infinity", func(o *Options) time.Duration { return o.ConnMaxLifetime }},
	}
	for _, tt := range tests {
		o, err := ParseURL(tt.url)
		if err != nil {
			continue // rejected: fine
		}
		if d := tt.field(o); d <= 0 {
			t.Errorf("ParseURL(%q) accepted the value and set the duration to %v (%d ns), want an error", tt.url, d, int64(d))
		}
	}
}

// TestParseURLRejectsMalformedHostsAndQueries covers what FuzzParseURL found
// accepted: a malformed query silently dropped, a password-looking host
// taken as an IPv6 address, a bracket as a host.
func TestParseURLRejectsMalformedHostsAndQueries(t *testing.T) {
	for _, u := range []string{
		"redis:?%", "redis://h?db=%zz", "redis://user:secret:", "redis://user:Zq9pW4kV:?%0X000000@",
		"redis://user:pw@]", "redis://[::1", "redis://a]b:6379",
	} {
		if o, err := ParseURL(u); err == nil {
			t.Errorf("ParseURL(%q) = Addr %q, want an error", u, o.Addr)
		} else if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "Zq9pW4kV") {
			t.Errorf("ParseURL(%q): error shows the password: %v", u, err)
		}
	}
	for u, addr := range map[string]string{
		"redis://[::1]:7000": "[::1]:7000", "redis://[::1]": "[::1]:6379", "redis://u:p@host:1/2?protocol=2": "host:1",
	} {
		if o, err := ParseURL(u); err != nil || o.Addr != addr {
			t.Errorf("ParseURL(%q) = %v, %v; want Addr %q", u, o, err, addr)
		}
	}
}
