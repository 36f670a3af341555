package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/redistest"
)

func TestSentinelEncoding(t *testing.T) {
	wantArgs(t, redis.SentinelConfigGet("resolve-hostnames", "announce-*"), "SENTINEL", "CONFIG", "GET", "resolve-hostnames", "announce-*")
	wantBuildError(t, redis.SentinelConfigGet(), "at least one")
	wantArgs(t, redis.SentinelConfigSet(redis.SentinelParam{Name: "announce-hostnames", Value: "no"}),
		"SENTINEL", "CONFIG", "SET", "announce-hostnames", "no")
	wantArgs(t, redis.SentinelConfigSet(redis.SentinelParam{Name: "a", Value: "1"}, redis.SentinelParam{Name: "b", Value: "2"}),
		"SENTINEL", "CONFIG", "SET", "a", "1", "b", "2")
	wantBuildError(t, redis.SentinelConfigSet(), "at least one")
	wantArgs(t, redis.SentinelDebug(), "SENTINEL", "DEBUG")
	wantArgs(t, redis.SentinelDebugSet(redis.SentinelParam{Name: "ping-period", Value: "200"}), "SENTINEL", "DEBUG", "ping-period", "200")
	wantBuildError(t, redis.SentinelDebugSet(), "at least one")
	wantArgs(t, redis.SentinelSet("mymaster", redis.SentinelParam{Name: "quorum", Value: "2"}, redis.SentinelParam{Name: "down-after-milliseconds", Value: "900"}),
		"SENTINEL", "SET", "mymaster", "quorum", "2", "down-after-milliseconds", "900")
	wantArgs(t, redis.SentinelMonitor("m", "127.0.0.1", 6379, 2), "SENTINEL", "MONITOR", "m", "127.0.0.1", "6379", "2")
	wantArgs(t, redis.SentinelIsMasterDownByAddr("127.0.0.1", 6379, 0, "*"), "SENTINEL", "IS-MASTER-DOWN-BY-ADDR", "127.0.0.1", "6379", "0", "*")
	wantArgs(t, redis.SentinelInfoCache("a", "b"), "SENTINEL", "INFO-CACHE", "a", "b")
	wantArgs(t, redis.SentinelReset("m*"), "SENTINEL", "RESET", "m*")
	wantArgs(t, redis.SentinelGetMasterAddrByName("m"), "SENTINEL", "GET-MASTER-ADDR-BY-NAME", "m")
	// The spec gives SIMULATE-FAILURE's modes no tokens, so its grammar
	// cannot be matched: compare the encoding only.
	for _, tc := range []struct {
		o    redis.SentinelSimulateFailureOptions
		want string
	}{
		{redis.SentinelSimulateFailureOptions{CrashAfterElection: true}, "SENTINEL SIMULATE-FAILURE CRASH-AFTER-ELECTION"},
		{redis.SentinelSimulateFailureOptions{CrashAfterPromotion: true}, "SENTINEL SIMULATE-FAILURE CRASH-AFTER-PROMOTION"},
		{redis.SentinelSimulateFailureOptions{CrashAfterElection: true, CrashAfterPromotion: true}, "SENTINEL SIMULATE-FAILURE CRASH-AFTER-ELECTION CRASH-AFTER-PROMOTION"},
	} {
		cmd := redis.SentinelSimulateFailure(tc.o)
		if err := cmd.Err(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(argsOf(t, cmd), " "); got != tc.want {
			t.Fatalf("SentinelSimulateFailure(%+v) encodes %q, want %q", tc.o, got, tc.want)
		}
	}
	wantBuildError(t, redis.SentinelSimulateFailure(), "must be set")
}

// sentinelSpeedUp makes a sentinel discover and probe every 200 ms.
var sentinelSpeedUp = []redis.SentinelParam{
	{Name: "info-period", Value: "200"}, {Name: "ping-period", Value: "200"},
	{Name: "ask-period", Value: "200"}, {Name: "publish-period", Value: "200"},
}

// TestSentinel runs the SENTINEL commands against two real sentinels
// monitoring a primary with one replica.
func TestSentinel(t *testing.T) {
	ctx := context.Background()
	primary := redistest.Start(t, redistest.Config{})
	replica := redistest.Start(t, redistest.Config{Args: []string{"--replicaof", "127.0.0.1", fmt.Sprint(primary.Port())}})
	rc := redis.NewClient(&redis.Options{Addr: replica.Addr()})
	t.Cleanup(func() { rc.Close() })
	waitUntil(t, 10*time.Second, "replica link up", func() error {
		info, err := rc.Do(ctx, "INFO", "replication").Text()
		if err == nil && !strings.Contains(info, "master_link_status:up") {
			err = errors.New("link not up")
		}
		return err
	})
	s1 := redistest.StartSentinel(t, redistest.SentinelConfig{PrimaryPort: primary.Port()})
	s2 := redistest.StartSentinel(t, redistest.SentinelConfig{PrimaryPort: primary.Port()})
	sc := map[int]*redis.Client{}
	for _, p := range []int{2, 3} {
		sc[p] = redis.NewClient(&redis.Options{Addr: s1.Addr(), Protocol: p})
		t.Cleanup(func() { sc[p].Close() })
	}
	s2c := redis.NewClient(&redis.Options{Addr: s2.Addr()})
	t.Cleanup(func() { s2c.Close() })
	for _, c := range []*redis.Client{sc[3], s2c} {
		if err := c.SentinelDebugSet(ctx, sentinelSpeedUp...); err != nil {
			t.Fatalf("SentinelDebugSet: %v", err)
		}
	}
	s2ID, err := s2c.SentinelMyID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 15*time.Second, "sentinel sees the replica and the other sentinel", func() error {
		m, err := sc[2].SentinelMaster(ctx, "mymaster")
		if err == nil && (m.NumReplicas != 1 || m.NumOtherSentinels != 1) {
			err = fmt.Errorf("%d replicas, %d other sentinels", m.NumReplicas, m.NumOtherSentinels)
		}
		return err
	})

	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			c := sc[proto]
			checkPrimary := func(m redis.SentinelPrimary) {
				t.Helper()
				if m.Name != "mymaster" || m.IP != "127.0.0.1" || m.Port != int64(primary.Port()) || !m.HasFlag("master") ||
					len(m.RunID) != 40 || m.Quorum != 1 || m.NumReplicas != 1 || m.NumOtherSentinels != 1 ||
					m.DownAfter != time.Second || m.FailoverTimeout != 2*time.Second || m.ParallelSyncs != 1 ||
					m.Fields["role-reported"] != "master" {
					t.Fatalf("primary = %+v", m)
				}
			}
			ms, err := c.SentinelMasters(ctx)
			if err != nil || len(ms) != 1 {
				t.Fatalf("SentinelMasters = %+v, %v", ms, err)
			}
			checkPrimary(ms[0])
			m, err := c.SentinelMaster(ctx, "mymaster")
			if err != nil {
				t.Fatal(err)
			}
			checkPrimary(m)
			if _, err := c.SentinelMaster(ctx, "nosuch"); err == nil {
				t.Fatal("SentinelMaster(nosuch): no error")
			}

			addr, err := c.SentinelGetMasterAddrByName(ctx, "mymaster")
			if err != nil || addr != (redis.SentinelAddr{Host: "127.0.0.1", Port: int64(primary.Port())}) || addr.String() != primary.Addr() {
				t.Fatalf("SentinelGetMasterAddrByName = %+v, %v", addr, err)
			}
			if _, err := c.SentinelGetMasterAddrByName(ctx, "nosuch"); !errors.Is(err, redis.ErrNil) {
				t.Fatalf("SentinelGetMasterAddrByName(nosuch): %v, want ErrNil", err)
			}

			for name, f := range map[string]func(context.Context, string) ([]redis.SentinelInstance, error){
				"SentinelReplicas": c.SentinelReplicas, "SentinelSlaves": c.SentinelSlaves} {
				reps, err := f(ctx, "mymaster")
				if err != nil || len(reps) != 1 {
					t.Fatalf("%s = %+v, %v", name, reps, err)
				}
				if r := reps[0]; r.Name != replica.Addr() || r.IP != "127.0.0.1" || r.Port != int64(replica.Port()) || !r.HasFlag("slave") ||
					r.Fields["master-port"] != fmt.Sprint(primary.Port()) {
					t.Fatalf("%s entry = %+v", name, r)
				}
			}
			sents, err := c.SentinelSentinels(ctx, "mymaster")
			if err != nil || len(sents) != 1 {
				t.Fatalf("SentinelSentinels = %+v, %v", sents, err)
			}
			if s := sents[0]; s.RunID != s2ID || s.Port != int64(s2.Port()) || !s.HasFlag("sentinel") {
				t.Fatalf("SentinelSentinels entry = %+v, want runid %s port %d", s, s2ID, s2.Port())
			}

			q, err := c.SentinelCkQuorum(ctx, "mymaster")
			if err != nil || !strings.HasPrefix(q, "OK 2 usable Sentinels") {
				t.Fatalf("SentinelCkQuorum = %q, %v", q, err)
			}
			if id, err := c.SentinelMyID(ctx); err != nil || !nodeIDPattern.MatchString(id) || id == s2ID {
				t.Fatalf("SentinelMyID = %q, %v", id, err)
			}

			if err := c.SentinelConfigSet(ctx, redis.SentinelParam{Name: "announce-hostnames", Value: "no"}); err != nil {
				t.Fatal(err)
			}
			// Several parameters in one CONFIG GET need Redis 7.2; a glob works before.
			cfg, err := c.SentinelConfigGet(ctx, "*-hostnames")
			if err != nil || cfg["announce-hostnames"] != "no" || cfg["resolve-hostnames"] != "no" {
				t.Fatalf("SentinelConfigGet = %v, %v", cfg, err)
			}

			if err := c.SentinelSet(ctx, "mymaster", redis.SentinelParam{Name: "down-after-milliseconds", Value: "1500"}); err != nil {
				t.Fatal(err)
			}
			if m, err := c.SentinelMaster(ctx, "mymaster"); err != nil || m.DownAfter != 1500*time.Millisecond {
				t.Fatalf("after SentinelSet: DownAfter = %v, %v", m.DownAfter, err)
			}
			if err := c.SentinelSet(ctx, "mymaster", redis.SentinelParam{Name: "down-after-milliseconds", Value: "1000"}); err != nil {
				t.Fatal(err)
			}

			cache, err := c.SentinelInfoCache(ctx, "mymaster")
			if err != nil || len(cache) != 1 || len(cache["mymaster"]) != 2 {
				t.Fatalf("SentinelInfoCache = %+v, %v", cache, err)
			}
			if first := cache["mymaster"][0]; !strings.Contains(first.Info, "role:master") || first.Age < 0 || first.Age > time.Minute {
				t.Fatalf("SentinelInfoCache primary entry: age %v, info %.80q", first.Age, first.Info)
			}
			if !strings.Contains(cache["mymaster"][1].Info, "role:slave") {
				t.Fatalf("SentinelInfoCache replica entry: %.80q", cache["mymaster"][1].Info)
			}

			scripts, err := c.SentinelPendingScripts(ctx)
			if err != nil || scripts == nil || len(scripts) != 0 {
				t.Fatalf("SentinelPendingScripts = %#v, %v (want an empty list: no scripts configured)", scripts, err)
			}

			down, err := c.SentinelIsMasterDownByAddr(ctx, "127.0.0.1", int64(primary.Port()), 0, "*")
			if err != nil || down != (redis.SentinelDownReply{Down: false, Leader: "*", LeaderEpoch: 0}) {
				t.Fatalf("SentinelIsMasterDownByAddr = %+v, %v", down, err)
			}

			dbg, err := c.SentinelDebug(ctx)
			if err != nil || dbg["INFO-PERIOD"] != "200" || dbg["PING-PERIOD"] != "200" {
				t.Fatalf("SentinelDebug = %v, %v", dbg, err)
			}
			help, err := c.SentinelHelp(ctx)
			if err != nil || !strings.Contains(strings.Join(help, "\n"), "CKQUORUM") {
				t.Fatalf("SentinelHelp = %q, %v", help, err)
			}

			// MONITOR, RESET and REMOVE on a second name for the same primary.
			other := fmt.Sprintf("other%d", proto)
			if err := c.SentinelMonitor(ctx, other, "127.0.0.1", int64(primary.Port()), 1); err != nil {
				t.Fatal(err)
			}
			if ms, err := c.SentinelMasters(ctx); err != nil || len(ms) != 2 {
				t.Fatalf("after SentinelMonitor: %d primaries, %v", len(ms), err)
			}
			if n, err := c.SentinelReset(ctx, other); err != nil || n != 1 {
				t.Fatalf("SentinelReset(%s) = %d, %v", other, n, err)
			}
			if n, err := c.SentinelReset(ctx, "nomatch*"); err != nil || n != 0 {
				t.Fatalf("SentinelReset(nomatch*) = %d, %v", n, err)
			}
			if err := c.SentinelRemove(ctx, other); err != nil {
				t.Fatal(err)
			}
			if _, err := c.SentinelMaster(ctx, other); err == nil {
				t.Fatal("SentinelMaster after SentinelRemove: no error")
			}
			if err := c.SentinelFlushConfig(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.SentinelFailover(ctx, "nosuch"); err == nil {
				t.Fatal("SentinelFailover(nosuch): no error")
			}
			// Arm a simulated crash on the sentinel that will not lead the
			// failover below (s2), so it stays harmless.
			if proto == 3 {
				if err := s2c.SentinelSimulateFailure(ctx, redis.SentinelSimulateFailureOptions{CrashAfterPromotion: true}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}

	// A forced failover promotes the replica.
	if err := sc[2].SentinelFailover(ctx, "mymaster"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 15*time.Second, "failover to the replica", func() error {
		addr, err := sc[3].SentinelGetMasterAddrByName(ctx, "mymaster")
		if err == nil && addr.Port != int64(replica.Port()) {
			err = fmt.Errorf("primary is %v", addr)
		}
		return err
	})
}
