package cluster

import (
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/respkit/redis"
)

// ParseURL turns a cluster connection URL into Options: the URL of one
// node as redis.ParseURL reads it, with more seed nodes in addr
// parameters and the read policy in read_from:
//
//	redis://[[username]:password@]host:port[?addr=host:port&addr=...&read_from=replica&...]
//	rediss://...   (TLS for every node)
//
// read_from is primary (the default), replica (ReadReplicaRandom),
// round_robin (ReadReplicaRoundRobin) or lowest_latency
// (ReadLowestLatency). Every other parameter is redis.ParseURL's and
// applies to every node. A cluster has only database 0: a path or db
// parameter naming another is an error, and so are unix:// URLs.
//
// Errors never contain the password.
func ParseURL(rawURL string) (*Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// redis.ParseURL says what is wrong without the password.
		if _, perr := redis.ParseURL(rawURL); perr != nil {
			return nil, perr
		}
		return nil, errors.New("cluster: malformed URL")
	}
	if u.Scheme == "unix" {
		return nil, errors.New("cluster: a cluster is reached over TCP, not a unix socket")
	}
	q := u.Query()
	seeds := q["addr"]
	readFrom := q.Get("read_from")
	if len(q["read_from"]) > 1 {
		return nil, errors.New("cluster: URL: read_from given more than once")
	}
	q.Del("addr")
	q.Del("read_from")
	u.RawQuery = q.Encode()
	o, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, err
	}
	if o.DB != 0 {
		return nil, fmt.Errorf("cluster: URL selects database %d: a cluster has only database 0", o.DB)
	}
	co := &Options{Addrs: []string{o.Addr}, Options: *o}
	co.Options.Addr = ""
	for _, a := range seeds {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			host, port = a, "6379"
		}
		if host == "" || port == "" {
			return nil, fmt.Errorf("cluster: URL: addr %q is not host:port", a)
		}
		co.Addrs = append(co.Addrs, net.JoinHostPort(host, port))
	}
	switch readFrom {
	case "", "primary":
		co.ReadFrom = ReadPrimary
	case "replica":
		co.ReadFrom = ReadReplicaRandom
	case "round_robin":
		co.ReadFrom = ReadReplicaRoundRobin
	case "lowest_latency":
		co.ReadFrom = ReadLowestLatency
	default:
		return nil, fmt.Errorf("cluster: URL: read_from must be primary, replica, round_robin or lowest_latency, not %q", readFrom)
	}
	return co, nil
}
