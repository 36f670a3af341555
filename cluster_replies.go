package redis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/respkit/redis/resp"
)

// SlotRange is one entry of CLUSTER SLOTS: a range of hash slots and the
// nodes serving it, the primary first, then its replicas.
type SlotRange struct {
	Start, End int64 // first and last slot of the range, inclusive
	Nodes      []ClusterNode
}

// ClusterNode is a node as CLUSTER SLOTS lists it.
type ClusterNode struct {
	// Host is the node's preferred endpoint: its IP address, or its
	// hostname when the cluster announces hostnames. It is "" when the
	// endpoint is unknown, and "?" when the node does not know it.
	Host string
	Port int64
	ID   string
	// Meta holds the node's extra networking metadata (Redis 7.0:
	// "hostname", "ip", "tls-port"...), nil when there is none.
	Meta map[string]string
}

// ClusterState is what CLUSTER INFO reports. Fields holds every line of
// the reply by name, including those newer servers add.
type ClusterState struct {
	State                 string // cluster_state: "ok" or "fail"
	SlotsAssigned         int64  // cluster_slots_assigned
	SlotsOK               int64  // cluster_slots_ok
	SlotsPFail            int64  // cluster_slots_pfail
	SlotsFail             int64  // cluster_slots_fail
	KnownNodes            int64  // cluster_known_nodes
	Size                  int64  // cluster_size: shards serving at least one slot
	CurrentEpoch          int64  // cluster_current_epoch
	MyEpoch               int64  // cluster_my_epoch
	StatsMessagesSent     int64  // cluster_stats_messages_sent
	StatsMessagesReceived int64  // cluster_stats_messages_received
	Fields                map[string]string
}

// ClusterNodeInfo is one node as CLUSTER NODES (and CLUSTER REPLICAS)
// describes it.
type ClusterNodeInfo struct {
	ID string
	// Addr is the address field as sent: "ip:port@busport[,hostname]".
	Addr     string
	Host     string // the IP address ("" when unknown)
	Port     int64
	BusPort  int64
	Hostname string   // "" unless the node announces one
	Flags    []string // such as "myself", "master", "slave", "fail?", "fail", "handshake", "noaddr", "nofailover"
	// PrimaryID is the ID of the node's primary; "" for a primary.
	PrimaryID   string
	PingSent    time.Time // when the pending PING was sent; zero when none is pending
	PongRecv    time.Time // when the last PONG was received; zero when none was
	ConfigEpoch int64
	LinkState   string     // "connected" or "disconnected"
	Slots       []SlotSpan // slots the node serves
	// Migrating and Importing map slots being moved to (from) a node to
	// (from) that node's ID; they are only reported for the node itself.
	Migrating map[int64]string
	Importing map[int64]string
}

// Myself reports whether the entry describes the node that was asked.
func (n ClusterNodeInfo) Myself() bool { return n.hasFlag("myself") }

// Primary reports whether the node is a primary (flag "master").
func (n ClusterNodeInfo) Primary() bool { return n.hasFlag("master") }

// Replica reports whether the node is a replica (flag "slave").
func (n ClusterNodeInfo) Replica() bool { return n.hasFlag("slave") }

func (n ClusterNodeInfo) hasFlag(f string) bool {
	for _, x := range n.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// ClusterShard is one entry of CLUSTER SHARDS.
type ClusterShard struct {
	Slots []SlotSpan
	Nodes []ClusterShardNode
}

// ClusterShardNode is a node as CLUSTER SHARDS describes it. Fields holds
// every attribute by name, including those newer servers add.
type ClusterShardNode struct {
	ID                string
	Port              int64 // 0 when the node only listens with TLS
	TLSPort           int64 // 0 when the node has no TLS port
	IP                string
	Endpoint          string
	Hostname          string
	Role              string // "master" or "replica"
	ReplicationOffset int64
	Health            string // "online", "failed" or "loading"
	Fields            map[string]string
}

// ClusterLink is one cluster bus connection of a node, as CLUSTER LINKS
// describes it.
type ClusterLink struct {
	Direction           string // "to" (opened by this node) or "from" (accepted)
	Node                string // the peer's node ID
	CreateTime          time.Time
	Events              string // registered events: "r", "w" or "rw"
	SendBufferAllocated int64
	SendBufferUsed      int64
}

// ClusterMigration is one slot migration task, as CLUSTER MIGRATION
// STATUS (Redis 8.4) describes it. Fields holds every attribute by name.
type ClusterMigration struct {
	ID        string
	Slots     string // the slot ranges, as sent
	Source    string // source node ID
	Dest      string // destination node ID
	Operation string // "import" or "migrate"
	State     string
	LastError string
	Retries   int64
	Fields    map[string]string
}

// SlotStats is the usage of one hash slot, as CLUSTER SLOT-STATS (Redis
// 8.2) reports it: metric name ("key-count", "cpu-usec",
// "network-bytes-in", "network-bytes-out", "memory-bytes") to value.
type SlotStats struct {
	Slot  int64
	Stats map[string]int64
}

// ClusterSlotStatsOrderByOptions are the optional arguments of
// ClusterSlotStatsOrderBy. The zero value sends none of them.
type ClusterSlotStatsOrderByOptions struct {
	// Limit sends LIMIT limit: at most this many slots (the server's
	// default is 16384).
	Limit int64
	// Asc sends ASC; Desc sends DESC (the server's default).
	Asc, Desc bool
}

func appendClusterSetSlot(b *builder, slot int64, sub, nodeID string) {
	b.begin(cmdCLUSTER_SETSLOT)
	b.int(slot)
	b.str(sub)
	if sub != "STABLE" {
		if nodeID == "" {
			b.fail("CLUSTER SETSLOT %s needs a node ID", sub)
		}
		b.str(nodeID)
	}
}

func appendClusterSetSlotImporting(b *builder, slot int64, nodeID string) {
	appendClusterSetSlot(b, slot, "IMPORTING", nodeID)
}

func appendClusterSetSlotMigrating(b *builder, slot int64, nodeID string) {
	appendClusterSetSlot(b, slot, "MIGRATING", nodeID)
}

func appendClusterSetSlotNode(b *builder, slot int64, nodeID string) {
	appendClusterSetSlot(b, slot, "NODE", nodeID)
}

func appendClusterSetSlotStable(b *builder, slot int64) {
	appendClusterSetSlot(b, slot, "STABLE", "")
}

func appendClusterMigrationImport(b *builder, ranges []SlotSpan) {
	b.begin(cmdCLUSTER_MIGRATION)
	b.str("IMPORT")
	if len(ranges) == 0 {
		b.fail("needs at least one slot range")
	}
	for _, r := range ranges {
		b.int(r.Start)
		b.int(r.End)
	}
}

func appendClusterMigrationCancel(b *builder, taskID string) {
	b.begin(cmdCLUSTER_MIGRATION)
	b.str("CANCEL")
	if taskID == "" {
		b.str("ALL")
		return
	}
	b.str("ID")
	b.str(taskID)
}

func appendClusterMigrationStatus(b *builder, taskID string) {
	b.begin(cmdCLUSTER_MIGRATION)
	b.str("STATUS")
	if taskID == "" {
		b.str("ALL")
		return
	}
	b.str("ID")
	b.str(taskID)
}

func appendClusterSlotStatsRange(b *builder, start, end int64) {
	b.begin(cmdCLUSTER_SLOT_STATS)
	b.str("SLOTSRANGE")
	b.int(start)
	b.int(end)
}

func appendClusterSlotStatsOrderBy(b *builder, metric string, opts []ClusterSlotStatsOrderByOptions) {
	b.begin(cmdCLUSTER_SLOT_STATS)
	b.str("ORDERBY")
	if metric == "" {
		b.fail("needs a metric")
	}
	b.str(metric)
	var o ClusterSlotStatsOrderByOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one ClusterSlotStatsOrderByOptions, got %d", len(opts))
	}
	if o.Asc && o.Desc {
		b.fail("at most one of Asc, Desc may be set")
	}
	if o.Limit != 0 {
		b.str("LIMIT")
		b.int(o.Limit)
	}
	if o.Asc {
		b.str("ASC")
	}
	if o.Desc {
		b.str("DESC")
	}
}

// asClusterState reads CLUSTER INFO's text of "name:value" lines.
func asClusterState(v resp.Value, err error) (ClusterState, error) {
	text, err := asString(v, err)
	if err != nil {
		return ClusterState{}, err
	}
	s := ClusterState{Fields: map[string]string{}}
	for _, line := range strings.Split(text, "\n") {
		name, val, ok := strings.Cut(strings.TrimRight(line, "\r"), ":")
		if !ok {
			continue
		}
		s.Fields[name] = val
	}
	num := func(name string) int64 {
		n, _ := strconv.ParseInt(s.Fields[name], 10, 64)
		return n
	}
	s.State = s.Fields["cluster_state"]
	s.SlotsAssigned = num("cluster_slots_assigned")
	s.SlotsOK = num("cluster_slots_ok")
	s.SlotsPFail = num("cluster_slots_pfail")
	s.SlotsFail = num("cluster_slots_fail")
	s.KnownNodes = num("cluster_known_nodes")
	s.Size = num("cluster_size")
	s.CurrentEpoch = num("cluster_current_epoch")
	s.MyEpoch = num("cluster_my_epoch")
	s.StatsMessagesSent = num("cluster_stats_messages_sent")
	s.StatsMessagesReceived = num("cluster_stats_messages_received")
	if s.State == "" {
		return s, fmt.Errorf("redis: CLUSTER INFO reply has no cluster_state")
	}
	return s, nil
}

// asClusterNodeLines reads CLUSTER NODES: one node per line.
func asClusterNodeLines(v resp.Value, err error) ([]ClusterNodeInfo, error) {
	text, err := asString(v, err)
	if err != nil {
		return nil, err
	}
	var out []ClusterNodeInfo
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n, err := parseClusterNodeLine(line)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// asClusterNodeList reads CLUSTER REPLICAS: an array of node lines.
func asClusterNodeList(v resp.Value, err error) ([]ClusterNodeInfo, error) {
	lines, err := asStrings(v, err)
	if err != nil {
		return nil, err
	}
	out := make([]ClusterNodeInfo, 0, len(lines))
	for _, line := range lines {
		n, err := parseClusterNodeLine(strings.TrimSpace(line))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// parseClusterNodeLine parses "id ip:port@cport[,hostname] flags primary
// ping-sent pong-recv config-epoch link-state slot...".
func parseClusterNodeLine(line string) (ClusterNodeInfo, error) {
	f := strings.Fields(line)
	if len(f) < 8 {
		return ClusterNodeInfo{}, fmt.Errorf("redis: cluster node line %q has %d fields, want at least 8", line, len(f))
	}
	n := ClusterNodeInfo{ID: f[0], Addr: f[1], LinkState: f[7]}
	addr, hostname, _ := strings.Cut(f[1], ",")
	n.Hostname = hostname
	hostPort, bus, _ := strings.Cut(addr, "@")
	if i := strings.LastIndexByte(hostPort, ':'); i >= 0 {
		n.Host = hostPort[:i]
		n.Port, _ = strconv.ParseInt(hostPort[i+1:], 10, 64)
	}
	n.BusPort, _ = strconv.ParseInt(bus, 10, 64)
	if f[2] != "noflags" {
		n.Flags = strings.Split(f[2], ",")
	}
	if f[3] != "-" {
		n.PrimaryID = f[3]
	}
	ms := func(s string) time.Time {
		x, _ := strconv.ParseInt(s, 10, 64)
		if x == 0 {
			return time.Time{}
		}
		return time.UnixMilli(x)
	}
	n.PingSent, n.PongRecv = ms(f[4]), ms(f[5])
	var err error
	if n.ConfigEpoch, err = strconv.ParseInt(f[6], 10, 64); err != nil {
		return n, fmt.Errorf("redis: cluster node line %q: bad config epoch", line)
	}
	for _, s := range f[8:] {
		if strings.HasPrefix(s, "[") {
			// [slot->-id] migrating, [slot-<-id] importing.
			body := strings.Trim(s, "[]")
			if slot, id, ok := strings.Cut(body, "->-"); ok {
				x, _ := strconv.ParseInt(slot, 10, 64)
				if n.Migrating == nil {
					n.Migrating = map[int64]string{}
				}
				n.Migrating[x] = id
			} else if slot, id, ok := strings.Cut(body, "-<-"); ok {
				x, _ := strconv.ParseInt(slot, 10, 64)
				if n.Importing == nil {
					n.Importing = map[int64]string{}
				}
				n.Importing[x] = id
			}
			continue
		}
		lo, hi, isRange := strings.Cut(s, "-")
		a, err1 := strconv.ParseInt(lo, 10, 64)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.ParseInt(hi, 10, 64)
		}
		if err1 != nil || err2 != nil {
			return n, fmt.Errorf("redis: cluster node line %q: bad slot %q", line, s)
		}
		n.Slots = append(n.Slots, SlotSpan{Start: a, End: b})
	}
	return n, nil
}

// asSlotRanges reads CLUSTER SLOTS.
func asSlotRanges(v resp.Value, err error) ([]SlotRange, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (SlotRange, error) {
		f, err := asSlice(e, nil)
		if err != nil {
			return SlotRange{}, err
		}
		if len(f) < 2 {
			return SlotRange{}, fmt.Errorf("redis: CLUSTER SLOTS entry has %d elements", len(f))
		}
		var r SlotRange
		if r.Start, err = asInt64(f[0], nil); err != nil {
			return r, err
		}
		if r.End, err = asInt64(f[1], nil); err != nil {
			return r, err
		}
		for _, nv := range f[2:] {
			nf, err := asSlice(nv, nil)
			if err != nil {
				return r, err
			}
			if len(nf) < 2 {
				return r, fmt.Errorf("redis: CLUSTER SLOTS node has %d elements", len(nf))
			}
			var n ClusterNode
			if !nf[0].IsNull() {
				n.Host = nf[0].String()
			}
			if n.Port, err = asInt64(nf[1], nil); err != nil {
				return r, err
			}
			if len(nf) > 2 {
				n.ID = nf[2].String()
			}
			if len(nf) > 3 {
				m, err := asStringMap(nf[3], nil)
				if err != nil {
					return r, fmt.Errorf("redis: CLUSTER SLOTS node metadata: %w", err)
				}
				if len(m) > 0 {
					n.Meta = m
				}
			}
			r.Nodes = append(r.Nodes, n)
		}
		return r, nil
	})
}

// asSlotSpans reads a flat array of start, end pairs.
func asSlotSpans(v resp.Value) ([]SlotSpan, error) {
	nums, err := asInt64s(v, nil)
	if err != nil {
		return nil, err
	}
	if len(nums)%2 != 0 {
		return nil, fmt.Errorf("redis: odd number %d of slot bounds", len(nums))
	}
	out := make([]SlotSpan, 0, len(nums)/2)
	for i := 0; i < len(nums); i += 2 {
		out = append(out, SlotSpan{Start: nums[i], End: nums[i+1]})
	}
	return out, nil
}

// asClusterShards reads CLUSTER SHARDS: maps (RESP3) or flat arrays
// (RESP2) of "slots" and "nodes".
func asClusterShards(v resp.Value, err error) ([]ClusterShard, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (ClusterShard, error) {
		m, err := asMap(e, nil)
		if err != nil {
			return ClusterShard{}, err
		}
		var s ClusterShard
		if s.Slots, err = asSlotSpans(m["slots"]); err != nil {
			return s, fmt.Errorf("redis: CLUSTER SHARDS slots: %w", err)
		}
		s.Nodes, err = asListOf(m["nodes"], nil, func(nv resp.Value, _ error) (ClusterShardNode, error) {
			fields, err := asStringMap(nv, nil)
			if err != nil {
				return ClusterShardNode{}, err
			}
			num := func(name string) int64 {
				x, _ := strconv.ParseInt(fields[name], 10, 64)
				return x
			}
			return ClusterShardNode{
				ID: fields["id"], Port: num("port"), TLSPort: num("tls-port"), IP: fields["ip"],
				Endpoint: fields["endpoint"], Hostname: fields["hostname"], Role: fields["role"],
				ReplicationOffset: num("replication-offset"), Health: fields["health"], Fields: fields,
			}, nil
		})
		if err != nil {
			return s, fmt.Errorf("redis: CLUSTER SHARDS nodes: %w", err)
		}
		return s, nil
	})
}

// asClusterLinks reads CLUSTER LINKS: maps (RESP3) or flat arrays (RESP2).
func asClusterLinks(v resp.Value, err error) ([]ClusterLink, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (ClusterLink, error) {
		m, err := asStringMap(e, nil)
		if err != nil {
			return ClusterLink{}, err
		}
		num := func(name string) int64 {
			x, _ := strconv.ParseInt(m[name], 10, 64)
			return x
		}
		return ClusterLink{
			Direction: m["direction"], Node: m["node"], CreateTime: time.UnixMilli(num("create-time")),
			Events: m["events"], SendBufferAllocated: num("send-buffer-allocated"), SendBufferUsed: num("send-buffer-used"),
		}, nil
	})
}

// asClusterMigrations reads CLUSTER MIGRATION STATUS.
func asClusterMigrations(v resp.Value, err error) ([]ClusterMigration, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (ClusterMigration, error) {
		m, err := asStringMap(e, nil)
		if err != nil {
			return ClusterMigration{}, err
		}
		retries, _ := strconv.ParseInt(m["retries"], 10, 64)
		return ClusterMigration{
			ID: m["id"], Slots: m["slots"], Source: m["source"], Dest: m["dest"], Operation: m["operation"],
			State: m["state"], LastError: m["last_error"], Retries: retries, Fields: m,
		}, nil
	})
}

// asSlotStats reads CLUSTER SLOT-STATS: [slot, {metric: value}] pairs.
func asSlotStats(v resp.Value, err error) ([]SlotStats, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (SlotStats, error) {
		f, err := asSlice(e, nil)
		if err != nil {
			return SlotStats{}, err
		}
		if len(f) != 2 {
			return SlotStats{}, fmt.Errorf("redis: CLUSTER SLOT-STATS entry has %d elements, want 2", len(f))
		}
		var s SlotStats
		if s.Slot, err = asInt64(f[0], nil); err != nil {
			return s, err
		}
		kv, err := pairs(f[1], nil)
		if err != nil {
			return s, err
		}
		s.Stats = make(map[string]int64, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			if s.Stats[kv[i].String()], err = asInt64(kv[i+1], nil); err != nil {
				return s, fmt.Errorf("redis: CLUSTER SLOT-STATS %s: %w", kv[i].String(), err)
			}
		}
		return s, nil
	})
}
