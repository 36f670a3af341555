package redistest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
)

// ClusterNode is a cluster-enabled redis-server started by StartClusterNode.
// It starts empty and alone: it owns no slots and knows no other node until
// the test wires it (CLUSTER ADDSLOTSRANGE, CLUSTER MEET, CLUSTER
// REPLICATE, ...). The embedded Server controls the process.
type ClusterNode struct {
	*Server
	// BusPort is the node's cluster bus port (cluster-port), to pass to
	// CLUSTER MEET ip port bus-port.
	BusPort int
}

// Bus port range: below 32768, where the kernel picks outgoing ports, so a
// bus port is never taken by an outgoing connection between the moment it
// is found free and the moment the node binds it.
const (
	busPortMin = 20000
	busPortMax = 22700
)

// StartClusterNode starts a cluster-enabled node like Start (cfg may set
// the usual fields) and registers its cleanup with t. The node runs with
// cluster-enabled yes, its own cluster-config-file nodes.conf in
// Server.Dir, cluster-node-timeout 1000, repl-ping-replica-period 1,
// cluster-replica-validity-factor 0 and a cluster bus port (cluster-port)
// picked free below 32768 rather than the default port+10000, which could
// exceed 65535 for ports the kernel hands out.
func StartClusterNode(t testing.TB, cfg Config) *ClusterNode {
	t.Helper()
	n, err := StartClusterNodeServer(cfg)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if tail := n.logTail(30); tail != "" {
				t.Logf("redistest: tail of the log of cluster node %s:\n%s", n.Addr(), tail)
			}
		}
		if err := n.Close(); err != nil {
			t.Errorf("%v", err)
		}
	})
	return n
}

// StartClusterNodeServer is StartClusterNode without a testing.TB: the
// caller must Close the node.
func StartClusterNodeServer(cfg Config) (*ClusterNode, error) {
	var lastErr error
	for attempt := 0; attempt < portAttempts; attempt++ {
		bus, err := freeBusPort()
		if err != nil {
			return nil, err
		}
		c := cfg
		c.Args = append([]string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "1000",
			"--repl-ping-replica-period", "1",
			"--cluster-replica-validity-factor", "0",
			"--cluster-port", strconv.Itoa(bus),
		}, cfg.Args...)
		s, err := StartServer(c)
		if err == nil {
			return &ClusterNode{Server: s, BusPort: bus}, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// freeBusPort returns a port in [busPortMin, busPortMax) that was free a
// moment ago.
func freeBusPort() (int, error) {
	for i := 0; i < 100; i++ {
		p := busPortMin + rand.IntN(busPortMax-busPortMin)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		l.Close()
		return p, nil
	}
	return 0, fmt.Errorf("redistest: no free cluster bus port in [%d, %d)", busPortMin, busPortMax)
}
