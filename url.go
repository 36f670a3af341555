package redis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseURL turns a connection URL into Options:
//
//	redis://[[username]:password@]host[:port][/db][?param=value&...]
//	rediss://...   (the same over TLS, verifying the server's certificate)
//	unix://[[username]:password@]/path/to/socket[?db=N&...]
//
// The port defaults to 6379 and the host to localhost. Query parameters:
// db, protocol (2 or 3), client_name, dial_timeout, read_timeout,
// write_timeout, pool_timeout, conn_max_idle_time, conn_max_lifetime
// (durations such as "500ms" or "3s", or a plain number of seconds; -1
// where the field allows it), pool_size, min_idle_conns, mux_conns and
// max_attempts. An unknown parameter, a bad value or a db given twice is
// an error naming it: a typo never silently falls back to a default. A
// fragment ("#...") is an error too: it is most often a "#" in a password
// that should have been percent-encoded (%23), as must "@", ":", "/", "?"
// and "%".
//
// Errors never contain the password: they describe the URL with its
// password replaced by "xxxxx".
func ParseURL(rawURL string) (*Options, error) {
	o, err := parseURL(rawURL)
	if err == nil {
		return o, nil
	}
	redacted := redactURL(rawURL)
	if redacted == rawURL {
		return nil, err // no user information: nothing to hide
	}
	// Describe what is wrong from the redacted URL alone, so no part of
	// the password can reach the message (a malformed password may be
	// split by the parser into a port, a path or a query).
	if _, rerr := parseURL(redacted); rerr != nil {
		return nil, rerr
	}
	return nil, fmt.Errorf("redis: URL %q: malformed user information (percent-encode %s in the username and password)", redacted, `"@", ":", "/", "?", "#" and "%"`)
}

// redactURL returns rawURL with the password of its user information
// replaced by "xxxxx" (the whole user information when it has no ":").
// The user information ends at the last "@" of the authority, as url.Parse
// has it; but when an "@" also appears after the authority, a password
// holding an unescaped "/", "?" or "#" may have ended the authority early,
// so the redaction runs to the last "@" of the whole string instead, which
// may hide more than the password but never less.
func redactURL(rawURL string) string {
	start := 0
	if i := strings.Index(rawURL, "://"); i >= 0 {
		start = i + 3
	} else if strings.HasPrefix(rawURL, "//") {
		start = 2
	}
	rest := rawURL[start:]
	end := len(rest)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndexByte(rest[:end], '@')
	if j := strings.LastIndexByte(rest, '@'); j >= end {
		at = j
	}
	if at < 0 {
		return rawURL
	}
	user := rest[:at]
	if c := strings.IndexByte(user, ':'); c >= 0 {
		user = user[:c+1] + "xxxxx"
	} else {
		user = "xxxxx"
	}
	return rawURL[:start] + user + rest[at:]
}

// parseURL is ParseURL without the redaction of errors.
func parseURL(rawURL string) (*Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("redis: parse URL: %w", err)
	}
	if u.Fragment != "" || strings.Contains(rawURL, "#") {
		return nil, fmt.Errorf("redis: URL has a fragment (%q); a \"#\" in a password must be percent-encoded as %%23", "#"+u.Fragment)
	}
	o := &Options{}
	switch u.Scheme {
	case "redis", "rediss":
		host, port := u.Hostname(), u.Port()
		if strings.ContainsAny(host, ":[]") && !strings.HasPrefix(u.Host, "[") || strings.ContainsAny(host, "[]") {
			return nil, errors.New("redis: URL host is not a host name, an IPv4 address or a bracketed IPv6 address (an unencoded \":\" or \"@\" in a password?)")
		}
		if host == "" {
			host = "localhost"
		}
		if port == "" {
			port = "6379"
		} else if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("redis: URL port %q is not a valid port", port)
		}
		o.Addr = net.JoinHostPort(host, port)
		o.Network = "tcp"
		if u.Scheme == "rediss" {
			o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if path := strings.Trim(u.Path, "/"); path != "" {
			db, err := strconv.Atoi(path)
			if err != nil || db < 0 {
				return nil, fmt.Errorf("redis: URL path %q is not a database number", u.Path)
			}
			o.DB = db
		}
	case "unix":
		if u.Path == "" {
			return nil, fmt.Errorf("redis: unix URL %q has no socket path", rawURL)
		}
		o.Addr, o.Network = u.Path, "unix"
	case "":
		return nil, fmt.Errorf("redis: URL %q has no scheme (want redis://, rediss:// or unix://)", rawURL)
	default:
		return nil, fmt.Errorf("redis: URL scheme %q is not redis, rediss or unix", u.Scheme)
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	dbInPath := o.DB != 0 || (u.Scheme != "unix" && strings.Trim(u.Path, "/") != "")
	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("redis: URL query: %w", err)
	}
	for name, values := range query {
		if len(values) != 1 {
			return nil, fmt.Errorf("redis: URL parameter %q given %d times", name, len(values))
		}
		if err := o.setParam(name, values[0], dbInPath); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func (o *Options) setParam(name, value string, dbInPath bool) error {
	bad := func(want string) error {
		return fmt.Errorf("redis: URL parameter %s=%q: want %s", name, value, want)
	}
	intParam := func(dst *int, minimum int) error {
		n, err := strconv.Atoi(value)
		if err != nil || n < minimum {
			return bad(fmt.Sprintf("an integer >= %d", minimum))
		}
		*dst = n
		return nil
	}
	durParam := func(dst *time.Duration, allowNoLimit bool) error {
		if value == "-1" && allowNoLimit {
			*dst = -1
			return nil
		}
		if n, err := strconv.ParseFloat(value, 64); err == nil {
			if n < 0 || math.IsNaN(n) || n > float64(math.MaxInt64)/float64(time.Second) {
				return bad("a duration between 0 and 290 years")
			}
			*dst = time.Duration(n * float64(time.Second))
			return nil
		}
		d, err := time.ParseDuration(value)
		if err != nil || d < 0 {
			if allowNoLimit {
				return bad(`a duration such as "3s", a number of seconds, or -1 for no limit`)
			}
			return bad(`a duration such as "3s" or a number of seconds`)
		}
		*dst = d
		return nil
	}
	switch name {
	case "db":
		if dbInPath {
			return fmt.Errorf("redis: URL gives the database both in its path and as db=%s", value)
		}
		return intParam(&o.DB, 0)
	case "protocol":
		if value != "2" && value != "3" {
			return bad("2 or 3")
		}
		o.Protocol = int(value[0] - '0')
	case "client_name":
		o.ClientName = value
	case "dial_timeout":
		return durParam(&o.DialTimeout, false)
	case "read_timeout":
		return durParam(&o.ReadTimeout, true)
	case "write_timeout":
		return durParam(&o.WriteTimeout, true)
	case "pool_timeout":
		return durParam(&o.PoolTimeout, false)
	case "conn_max_idle_time":
		return durParam(&o.ConnMaxIdleTime, true)
	case "conn_max_lifetime":
		return durParam(&o.ConnMaxLifetime, false)
	case "pool_size":
		return intParam(&o.PoolSize, 1)
	case "min_idle_conns":
		return intParam(&o.MinIdleConns, 0)
	case "mux_conns":
		return intParam(&o.MuxConns, 1)
	case "max_attempts":
		return intParam(&o.Retry.MaxAttempts, 1)
	default:
		return fmt.Errorf("redis: unknown URL parameter %q", name)
	}
	return nil
}
