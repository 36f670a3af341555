//go:build unix

package redistest

import (
	"errors"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestClusterStartStalledNodes stalls two nodes (SIGSTOP) for longer than
// the handshake timeout right after the CLUSTER MEETs: primary 0, which
// the others then drop from their handshakes while it learns them from the
// MEETs it reads on waking (so it knows them, but none knows it), and the
// last replica, whose own MEETs time out unanswered (so it knows no node
// and none knows it). Neither would ever learn the others by gossip; the
// start must MEET them again.
func TestClusterStartStalledNodes(t *testing.T) {
	t.Parallel()
	stall := func(c *Cluster) {
		var procs []*os.Process
		for _, n := range []*ClusterNode{c.nodes[0], c.nodes[len(c.nodes)-1]} {
			pid := n.PID()
			if pid == 0 { // not running: never signal pid 0 (our group)
				t.Errorf("%s is not running", n.Addr())
				continue
			}
			p, err := os.FindProcess(pid)
			if err == nil {
				err = p.Signal(syscall.SIGSTOP)
			}
			if err != nil {
				t.Errorf("stop %s: %v", n.Addr(), err)
				continue
			}
			procs = append(procs, p)
		}
		time.Sleep(2500 * time.Millisecond) // handshake timeout 1 s
		for _, p := range procs {
			if err := p.Signal(syscall.SIGCONT); err != nil {
				t.Errorf("continue pid %d: %v", p.Pid, err)
			}
		}
	}
	start := time.Now()
	c, err := startClusterServer(ClusterConfig{}, stall)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Logf("ready after %v with %d CLUSTER MEETs sent again", time.Since(start).Round(time.Millisecond), c.remeets)
	if c.remeets == 0 {
		t.Errorf("no CLUSTER MEET was sent again: the stall did not break a handshake")
	}
}

// TestClusterNodeBusPortTaken checks that a node whose bus port is taken
// fails at once with errBusPortInUse, not after trying other ports.
func TestClusterNodeBusPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	bus := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	s, err := StartServer(Config{Args: []string{"--cluster-enabled", "yes", "--cluster-port", bus}})
	if err == nil {
		s.Close()
		t.Fatalf("node started with bus port %s taken", bus)
	}
	if !errors.Is(err, errBusPortInUse) {
		t.Fatalf("got %v, want errBusPortInUse", err)
	}
}

// TestClusterStartStress starts $REDISTEST_CLUSTER_STRESS clusters,
// $REDISTEST_CLUSTER_STRESS_PAR (default 4) at a time, while goroutines
// keep every CPU busy. Run it with -race for more load.
func TestClusterStartStress(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("REDISTEST_CLUSTER_STRESS"))
	if total <= 0 {
		t.Skip("set REDISTEST_CLUSTER_STRESS to the number of clusters to start")
	}
	par, _ := strconv.Atoi(os.Getenv("REDISTEST_CLUSTER_STRESS_PAR"))
	if par <= 0 {
		par = 4
	}
	stop := make(chan struct{})
	var burners sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		burners.Add(1)
		go func() {
			defer burners.Done()
			for x := 0; ; x++ {
				if x%(1<<20) == 0 {
					select {
					case <-stop:
						return
					default:
					}
				}
			}
		}()
	}
	defer func() {
		close(stop)
		burners.Wait()
	}()
	var next, failed, remeets, remet atomic.Int64
	var workers sync.WaitGroup
	for range par {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := next.Add(1); i <= int64(total); i = next.Add(1) {
				start := time.Now()
				c, err := StartClusterServer(ClusterConfig{})
				if err != nil {
					failed.Add(1)
					t.Errorf("start %d failed after %v: %v", i, time.Since(start).Round(time.Millisecond), err)
					continue
				}
				remeets.Add(int64(c.remeets))
				if c.remeets > 0 {
					remet.Add(1)
				}
				t.Logf("start %d: ready after %v, %d CLUSTER MEETs sent again", i, time.Since(start).Round(time.Millisecond), c.remeets)
				if err := c.Close(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	workers.Wait()
	t.Logf("%d starts, %d failed, %d had to MEET again (%d CLUSTER MEETs in all)", total, failed.Load(), remet.Load(), remeets.Load())
}
