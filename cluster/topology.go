package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/slot"
)

// server is one node of the cluster: a standalone client of its own,
// whose transport carries the commands routed to it.
type server struct {
	addr string
	c    *redis.Client
	t    redis.Transport
	rtt  atomic.Int64 // smoothed round trip of its replies, in ns; 0 until measured
	gone atomic.Int64 // when the slot map stopped listing it (UnixNano); 0 while listed
}

// noteRTT folds one measured round trip into the server's average.
func (s *server) noteRTT(d time.Duration) {
	old := s.rtt.Load()
	if old == 0 {
		s.rtt.Store(int64(d))
		return
	}
	s.rtt.Store(old + (int64(d)-old)/8)
}

// shard is a primary and the replicas that serve its slots.
type shard struct {
	primary  *server
	replicas []*server // online ones only
	spans    []redis.SlotSpan
	next     atomic.Uint32 // round robin over replicas
}

// topology is a slot map. A MOVED reply changes one slot in place; a
// refresh replaces the whole topology.
type topology struct {
	slots  [slot.Count]atomic.Pointer[shard]
	shards []*shard
}

// shardFor returns the shard serving s, or nil when no node serves it.
func (tp *topology) shardFor(s int) *shard { return tp.slots[s].Load() }

// nodeView is what the slot map says of one node.
type nodeView struct {
	addr    string
	primary bool
	healthy bool
}

// shardView is what the slot map says of one shard.
type shardView struct {
	spans []redis.SlotSpan
	nodes []nodeView // the primary first
}

// readSlotMap asks the node at c for the slot map: CLUSTER SHARDS,
// or CLUSTER SLOTS on servers before 7.0. seedHost replaces an unknown
// endpoint ("?" or empty: the node does not know its own address).
func readSlotMap(ctx context.Context, c *redis.Client, seedHost string, tls bool) ([]shardView, error) {
	shards, err := c.ClusterShards(ctx)
	if err == nil {
		return shardViews(shards, seedHost, tls)
	}
	var se *redis.Error
	if !errors.As(err, &se) || se.Code() != "ERR" {
		return nil, err
	}
	// Redis 6.x and earlier: CLUSTER SHARDS is unknown.
	ranges, err2 := c.ClusterSlots(ctx)
	if err2 != nil {
		return nil, fmt.Errorf("cluster: reading the slot map: CLUSTER SHARDS: %v; CLUSTER SLOTS: %w", err, err2)
	}
	return rangeViews(ranges, seedHost), nil
}

func endpoint(host, seedHost string) string {
	if host == "" || host == "?" {
		return seedHost
	}
	return host
}

func shardViews(shards []redis.ClusterShard, seedHost string, tls bool) ([]shardView, error) {
	var out []shardView
	for _, s := range shards {
		v := shardView{spans: s.Slots}
		var primary *nodeView
		var replicas []nodeView
		for _, n := range s.Nodes {
			port := n.Port
			if tls && n.TLSPort != 0 || port == 0 {
				port = n.TLSPort
			}
			if port == 0 {
				continue
			}
			host := n.Endpoint
			if host == "" || host == "?" {
				host = n.IP
			}
			nv := nodeView{
				addr:    net.JoinHostPort(endpoint(host, seedHost), strconv.FormatInt(port, 10)),
				primary: n.Role == "master",
				healthy: n.Health == "online",
			}
			if nv.primary {
				if primary == nil || nv.healthy && !primary.healthy {
					primary = &nv
				}
			} else {
				replicas = append(replicas, nv)
			}
		}
		if len(s.Slots) == 0 || primary == nil {
			continue // a shard without slots, or whose primary is unknown, serves nothing
		}
		v.nodes = append(append(v.nodes, *primary), replicas...)
		out = append(out, v)
	}
	if len(out) == 0 {
		return nil, errors.New("cluster: CLUSTER SHARDS lists no shard serving slots")
	}
	return out, nil
}

func rangeViews(ranges []redis.SlotRange, seedHost string) []shardView {
	byPrimary := map[string]int{}
	var out []shardView
	for _, r := range ranges {
		if len(r.Nodes) == 0 {
			continue
		}
		p := net.JoinHostPort(endpoint(r.Nodes[0].Host, seedHost), strconv.FormatInt(r.Nodes[0].Port, 10))
		i, ok := byPrimary[p]
		if !ok {
			i = len(out)
			byPrimary[p] = i
			v := shardView{nodes: []nodeView{{addr: p, primary: true, healthy: true}}}
			for _, n := range r.Nodes[1:] {
				v.nodes = append(v.nodes, nodeView{
					addr:    net.JoinHostPort(endpoint(n.Host, seedHost), strconv.FormatInt(n.Port, 10)),
					healthy: true,
				})
			}
			out = append(out, v)
		}
		out[i].spans = append(out[i].spans, redis.SlotSpan{Start: r.Start, End: r.End})
	}
	return out
}

// shuffled returns a copy of s in random order.
func shuffled[T any](s []T) []T {
	c := append([]T(nil), s...)
	rand.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c
}
