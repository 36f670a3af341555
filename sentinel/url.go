package sentinel

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/respkit/redis"
)

// ParseURL turns a sentinel connection URL into Options:
//
//	redis+sentinel://[[username]:password@]host:port[,host:port...]/mastername[/db][?param=value&...]
//	rediss+sentinel://...   (TLS to the sentinels and the data nodes)
//
// The hosts are sentinels (port 26379 when left out); mastername is the
// name they monitor the primary under. The user information and db are
// the data nodes' (their Username, Password and DB), as is every
// parameter redis.ParseURL knows; sentinel_username and sentinel_password
// authenticate to the sentinels, and read_from is primary (the default),
// replica (ReadReplicaRandom) or round_robin (ReadReplicaRoundRobin).
//
// Errors never contain the passwords.
func ParseURL(rawURL string) (*Options, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || scheme != "redis+sentinel" && scheme != "rediss+sentinel" {
		return nil, errors.New("sentinel: URL must begin with redis+sentinel:// or rediss+sentinel://")
	}
	authority, path, _ := strings.Cut(rest, "/")
	path, rawQuery, _ := strings.Cut(path, "?")
	if strings.Contains(path, "#") || strings.Contains(rawQuery, "#") {
		return nil, errors.New("sentinel: URL: a fragment (\"#...\") is not allowed; percent-encode \"#\" in passwords (%23)")
	}
	userinfo := ""
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		userinfo, authority = authority[:i+1], authority[i+1:]
	}
	var sentinels []string
	for _, h := range strings.Split(authority, ",") {
		host, port, err := net.SplitHostPort(h)
		if err != nil {
			host, port = h, "26379"
		}
		if host == "" || port == "" {
			return nil, fmt.Errorf("sentinel: URL: sentinel %q is not host:port", h)
		}
		sentinels = append(sentinels, net.JoinHostPort(host, port))
	}
	name, db, _ := strings.Cut(path, "/")
	name, err := url.PathUnescape(name)
	if err != nil || name == "" {
		return nil, errors.New("sentinel: URL: the master name is missing: " + scheme + "://host:port/mastername")
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("sentinel: URL: malformed query: %v", redactQueryErr(err))
	}
	o := &Options{MasterName: name, SentinelAddrs: sentinels}
	for _, p := range []string{"sentinel_username", "sentinel_password", "read_from"} {
		if len(q[p]) > 1 {
			return nil, fmt.Errorf("sentinel: URL: %s given more than once", p)
		}
	}
	o.SentinelUsername, o.SentinelPassword = q.Get("sentinel_username"), q.Get("sentinel_password")
	switch rf := q.Get("read_from"); rf {
	case "", "primary":
	case "replica":
		o.ReadFrom = ReadReplicaRandom
	case "round_robin":
		o.ReadFrom = ReadReplicaRoundRobin
	default:
		return nil, fmt.Errorf("sentinel: URL: read_from must be primary, replica or round_robin, not %q", rf)
	}
	q.Del("sentinel_username")
	q.Del("sentinel_password")
	q.Del("read_from")
	// The data nodes' options, read by redis.ParseURL from a URL of the
	// first sentinel (its address is not used).
	dataScheme := "redis"
	if scheme == "rediss+sentinel" {
		dataScheme = "rediss"
	}
	data := dataScheme + "://" + userinfo + sentinels[0]
	if db != "" {
		data += "/" + db
	}
	if len(q) > 0 {
		data += "?" + q.Encode()
	}
	ro, err := redis.ParseURL(data)
	if err != nil {
		return nil, err
	}
	o.Options = *ro
	o.Options.Addr = ""
	if scheme == "rediss+sentinel" {
		o.SentinelTLSConfig = ro.TLSConfig.Clone()
		o.SentinelTLSConfig.ServerName = ""
	}
	return o, nil
}

// redactQueryErr keeps only the kind of a query parsing error: the
// offending text may be a password.
func redactQueryErr(err error) error {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return errors.New("invalid percent-encoding")
	}
	return errors.New("invalid query")
}
