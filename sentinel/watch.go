package sentinel

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/respkit/redis"
)

// Channels the client listens to on a sentinel: +promoted-slave (the
// replica chosen in a failover now answers as the primary) and
// +switch-master (the failover is over) move it to the new primary at
// once; the others change which replicas are healthy, or say a failover
// happened, and make it ask again.
var watchedChannels = []string{
	"+switch-master", "+promoted-slave", "+sdown", "-sdown", "+odown", "-odown",
	"+slave", "+convert-to-slave", "+failover-end", "+reset-master",
}

// watchIdle is how long the watcher waits for an event before it checks
// that its sentinel still answers; every recheckEvery such waits it asks
// the sentinels for the primary anyway.
const (
	watchIdle    = time.Second
	recheckEvery = 5
)

// watch keeps a subscription on one sentinel (the first that accepts it),
// moving to the next when it stops answering, and acts on its events.
func (t *transport) watch() {
	defer t.wg.Done()
	for attempt := 0; t.ctx.Err() == nil; attempt++ {
		t.mu.Lock()
		if len(t.sentinels) == 0 || t.closed {
			t.mu.Unlock()
			return
		}
		addr := t.sentinels[attempt%len(t.sentinels)]
		sc := t.sentinelClientLocked(addr)
		t.mu.Unlock()
		if t.listen(sc) {
			attempt = -1 // it worked for a while: start from the first again
		}
		select {
		case <-t.ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// listen subscribes on sc and handles events until the sentinel stops
// answering or the client closes; ok says whether the subscription took.
func (t *transport) listen(sc *redis.Client) (ok bool) {
	ctx, cancel := context.WithTimeout(t.ctx, t.o.SentinelTimeout)
	ps, err := sc.Subscribe(ctx, watchedChannels...)
	cancel()
	if err != nil {
		if ps != nil {
			ps.Close()
		}
		return false
	}
	defer ps.Close()
	// Events may have been missed before the subscription: ask now.
	t.ask()
	for idle := 0; ; {
		ctx, cancel := context.WithTimeout(t.ctx, watchIdle)
		m, err := ps.Receive(ctx)
		cancel()
		if t.ctx.Err() != nil {
			return true
		}
		if err != nil {
			// Quiet for a while: is the sentinel still there? And now and
			// then, ask again anyway, in case an event was lost.
			pctx, pcancel := context.WithTimeout(redis.NoRetry(t.ctx), t.o.SentinelTimeout)
			perr := sc.Ping(pctx)
			pcancel()
			if perr != nil {
				return true
			}
			if idle++; idle%recheckEvery == 0 {
				t.ask()
			}
			continue
		}
		switch m.Kind {
		case redis.KindResubscribed:
			t.ask() // the connection was lost: events may have been missed
		case redis.KindMessage:
			t.event(m.Channel, m.Payload)
		}
	}
}

// event acts on one sentinel event.
func (t *transport) event(channel, payload string) {
	f := strings.Fields(payload)
	switch channel {
	case "+switch-master":
		// "<name> <old ip> <old port> <new ip> <new port>"
		if len(f) == 5 && f[0] == t.o.MasterName {
			t.switchTo(net.JoinHostPort(f[3], f[4]))
		}
	case "+promoted-slave":
		// "slave <ip:port> <ip> <port> @ <name> <old ip> <old port>"
		if len(f) == 8 && f[0] == "slave" && f[4] == "@" && f[5] == t.o.MasterName {
			t.switchTo(net.JoinHostPort(f[2], f[3]))
		}
	default:
		// "<type> <name> <ip> <port> @ <master name> <ip> <port>" for
		// instances, "master <name> <ip> <port>" for the primary.
		for i, w := range f {
			if w == t.o.MasterName && (i == 1 || i > 0 && f[i-1] == "@") {
				t.ask()
				return
			}
		}
	}
}
