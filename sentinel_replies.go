package redis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/respkit/redis/resp"
)

// SentinelAddr is the address of a primary as a sentinel reports it.
type SentinelAddr struct {
	Host string
	Port int64
}

// String returns "host:port".
func (a SentinelAddr) String() string {
	return a.Host + ":" + strconv.FormatInt(a.Port, 10)
}

// SentinelInstance is a replica or another sentinel as SENTINEL REPLICAS
// and SENTINEL SENTINELS describe it. Fields holds every attribute of the
// reply by name, including those not promoted to fields here and those
// newer servers add.
type SentinelInstance struct {
	Name  string // "ip:port" for a replica, the sentinel's ID for a sentinel
	IP    string
	Port  int64
	RunID string
	// Flags such as "master", "slave", "sentinel", "s_down", "o_down",
	// "disconnected".
	Flags []string
	// LastOKPing is how long ago the instance last answered a PING
	// properly (last-ok-ping-reply).
	LastOKPing time.Duration
	Fields     map[string]string
}

// HasFlag reports whether the instance carries the flag.
func (s SentinelInstance) HasFlag(flag string) bool {
	for _, f := range s.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// SentinelPrimary is a monitored primary as SENTINEL MASTER and SENTINEL
// MASTERS describe it.
type SentinelPrimary struct {
	SentinelInstance
	// NumReplicas is num-slaves: the replicas the sentinel knows of.
	NumReplicas int64
	// NumOtherSentinels is num-other-sentinels.
	NumOtherSentinels int64
	Quorum            int64
	ConfigEpoch       int64
	// DownAfter is down-after-milliseconds; FailoverTimeout is
	// failover-timeout.
	DownAfter, FailoverTimeout time.Duration
	ParallelSyncs              int64
}

// SentinelCachedInfo is one instance's INFO reply as a sentinel cached
// it (SENTINEL INFO-CACHE).
type SentinelCachedInfo struct {
	// Age is how long ago the reply was cached.
	Age time.Duration
	// Info is the INFO text; "" when the sentinel has none cached.
	Info string
}

// SentinelDownReply is the reply to SENTINEL IS-MASTER-DOWN-BY-ADDR.
type SentinelDownReply struct {
	// Down reports whether the sentinel considers the primary down.
	Down bool
	// Leader is the run ID of the sentinel this one voted for, or "*"
	// when it was not asked to vote.
	Leader string
	// LeaderEpoch is the epoch of the vote (0 when it did not vote).
	LeaderEpoch int64
}

// SentinelSimulateFailureOptions choose the failures SENTINEL
// SIMULATE-FAILURE arms.
type SentinelSimulateFailureOptions struct {
	// CrashAfterElection sends CRASH-AFTER-ELECTION: the sentinel exits
	// once elected leader of a failover.
	CrashAfterElection bool
	// CrashAfterPromotion sends CRASH-AFTER-PROMOTION: the sentinel exits
	// after promoting a replica.
	CrashAfterPromotion bool
}

func appendSentinelConfigGet(b *builder, parameters []string) {
	b.begin(cmdSENTINEL_CONFIG)
	b.str("GET")
	if len(parameters) == 0 {
		b.fail("needs at least one parameter")
	}
	for _, p := range parameters {
		b.str(p)
	}
}

func appendSentinelConfigSet(b *builder, params []SentinelParam) {
	b.begin(cmdSENTINEL_CONFIG)
	b.str("SET")
	if len(params) == 0 {
		b.fail("needs at least one parameter")
	}
	for _, p := range params {
		b.str(p.Name)
		b.str(p.Value)
	}
}

func appendSentinelSimulateFailure(b *builder, opts []SentinelSimulateFailureOptions) {
	b.begin(cmdSENTINEL_SIMULATE_FAILURE)
	var o SentinelSimulateFailureOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one SentinelSimulateFailureOptions, got %d", len(opts))
	}
	if !o.CrashAfterElection && !o.CrashAfterPromotion {
		b.fail("one of CrashAfterElection, CrashAfterPromotion must be set")
	}
	if o.CrashAfterElection {
		b.str("CRASH-AFTER-ELECTION")
	}
	if o.CrashAfterPromotion {
		b.str("CRASH-AFTER-PROMOTION")
	}
}

// asSentinelAddr reads [host, port], or a null.
func asSentinelAddr(v resp.Value, err error) (SentinelAddr, error) {
	f, err := asSlice(v, err)
	if err != nil {
		return SentinelAddr{}, err
	}
	if len(f) != 2 {
		return SentinelAddr{}, fmt.Errorf("redis: SENTINEL GET-MASTER-ADDR-BY-NAME reply has %d elements, want 2", len(f))
	}
	a := SentinelAddr{Host: f[0].String()}
	if a.Port, err = asInt64(f[1], nil); err != nil {
		return a, err
	}
	return a, nil
}

func sentinelInstance(m map[string]string) SentinelInstance {
	s := SentinelInstance{Name: m["name"], IP: m["ip"], RunID: m["runid"], Fields: m}
	s.Port, _ = strconv.ParseInt(m["port"], 10, 64)
	if m["flags"] != "" {
		s.Flags = strings.Split(m["flags"], ",")
	}
	ms, _ := strconv.ParseInt(m["last-ok-ping-reply"], 10, 64)
	s.LastOKPing = time.Duration(ms) * time.Millisecond
	return s
}

func asSentinelInstance(v resp.Value, err error) (SentinelInstance, error) {
	m, err := asStringMap(v, err)
	if err != nil {
		return SentinelInstance{}, err
	}
	return sentinelInstance(m), nil
}

func asSentinelInstances(v resp.Value, err error) ([]SentinelInstance, error) {
	return asListOf(v, err, asSentinelInstance)
}

func asSentinelPrimary(v resp.Value, err error) (SentinelPrimary, error) {
	m, err := asStringMap(v, err)
	if err != nil {
		return SentinelPrimary{}, err
	}
	num := func(name string) int64 {
		x, _ := strconv.ParseInt(m[name], 10, 64)
		return x
	}
	return SentinelPrimary{
		SentinelInstance:  sentinelInstance(m),
		NumReplicas:       num("num-slaves"),
		NumOtherSentinels: num("num-other-sentinels"),
		Quorum:            num("quorum"),
		ConfigEpoch:       num("config-epoch"),
		DownAfter:         time.Duration(num("down-after-milliseconds")) * time.Millisecond,
		FailoverTimeout:   time.Duration(num("failover-timeout")) * time.Millisecond,
		ParallelSyncs:     num("parallel-syncs"),
	}, nil
}

func asSentinelPrimaries(v resp.Value, err error) ([]SentinelPrimary, error) {
	return asListOf(v, err, asSentinelPrimary)
}

// asSentinelInfoCache reads name, [[age, info], ...] pairs (a flat array
// under both protocols).
func asSentinelInfoCache(v resp.Value, err error) (map[string][]SentinelCachedInfo, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]SentinelCachedInfo, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		name := kv[i].String()
		list, err := asListOf(kv[i+1], nil, func(e resp.Value, _ error) (SentinelCachedInfo, error) {
			f, err := asSlice(e, nil)
			if err != nil {
				return SentinelCachedInfo{}, err
			}
			if len(f) != 2 {
				return SentinelCachedInfo{}, fmt.Errorf("redis: SENTINEL INFO-CACHE entry has %d elements, want 2", len(f))
			}
			age, err := asInt64(f[0], nil)
			if err != nil {
				return SentinelCachedInfo{}, err
			}
			c := SentinelCachedInfo{Age: time.Duration(age) * time.Millisecond}
			if !f[1].IsNull() {
				c.Info = f[1].String()
			}
			return c, nil
		})
		if err != nil {
			return nil, fmt.Errorf("redis: SENTINEL INFO-CACHE %s: %w", name, err)
		}
		out[name] = list
	}
	return out, nil
}

// asSentinelDownReply reads [down, leader, epoch].
func asSentinelDownReply(v resp.Value, err error) (SentinelDownReply, error) {
	f, err := asSlice(v, err)
	if err != nil {
		return SentinelDownReply{}, err
	}
	if len(f) != 3 {
		return SentinelDownReply{}, fmt.Errorf("redis: SENTINEL IS-MASTER-DOWN-BY-ADDR reply has %d elements, want 3", len(f))
	}
	var r SentinelDownReply
	if r.Down, err = asBool(f[0], nil); err != nil {
		return r, err
	}
	r.Leader = f[1].String()
	if r.LeaderEpoch, err = asInt64(f[2], nil); err != nil {
		return r, err
	}
	return r, nil
}

// asSentinelScripts reads SENTINEL PENDING-SCRIPTS: one map per script,
// whose argv is an array (joined with spaces here).
func asSentinelScripts(v resp.Value, err error) ([]map[string]string, error) {
	return asListOf(v, err, func(e resp.Value, _ error) (map[string]string, error) {
		kv, err := pairs(e, nil)
		if err != nil {
			return nil, err
		}
		m := make(map[string]string, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			val := kv[i+1]
			switch val.Type() {
			case resp.Array, resp.Set:
				parts, err := asStrings(val, nil)
				if err != nil {
					return nil, err
				}
				m[kv[i].String()] = strings.Join(parts, " ")
			default:
				m[kv[i].String()] = val.String()
			}
		}
		return m, nil
	})
}
