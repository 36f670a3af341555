// Package keyspace delivers Redis keyspace notifications as typed events.
//
// Redis publishes a message when a key changes (SET, DEL, an expiry, an
// eviction, ...) if notify-keyspace-events says so: on the keyspace
// channel of the key (__keyspace@0__:mykey, the event's name as the
// message) and on the keyevent channel of the event (__keyevent@0__:del,
// the key as the message). Watch subscribes to those channels and turns
// each message into an Event:
//
//	w, err := keyspace.Watch(ctx, rdb, &keyspace.Options{
//		Keys:   "session:*",
//		Events: []string{"expired", "del"},
//		Notify: "gx", // make sure the servers publish generic and expiry events
//	})
//	if err != nil {
//		return err
//	}
//	defer w.Close()
//	for ev := range w.Events() {
//		if ev.Gap {
//			resync() // events may have been missed: read the state again
//			continue
//		}
//		fmt.Println(ev.Event, ev.Key) // "expired session:42"
//	}
//	return w.Err() // why the stream ended
//
// # Topologies
//
// Watch works on every *redis.Client. On one server, and on a client that
// follows the primary through Sentinel, it holds one subscription, which
// follows the client to the new primary after a failover. On Redis
// Cluster, where each node publishes the notifications of its own keys
// only, it holds one subscription per primary and follows the cluster's
// changes: a replica promoted after a failover, a primary added by
// resharding, a primary demoted or gone. It reads the slot map every
// Options.TopologyInterval to find them, besides the reads the client
// makes for its own traffic.
//
// # Gaps
//
// Notifications are fire-and-forget: an event published while nobody is
// subscribed is lost. When that may have happened the stream carries a
// gap marker, an Event whose Gap is true, at the point of the gap:
//
//   - after a subscription's connection was lost and renewed (a network
//     failure, a server restart, CLIENT KILL, a Sentinel failover);
//   - on a cluster, when a primary joins the set after Watch returned (a
//     promoted replica, a new node): events it published before its
//     subscription are not seen;
//   - after events were dropped because the reader fell behind (see
//     Options.BufferSize and Stats.Dropped).
//
// The marker is sent once the renewed subscription is confirmed (and
// notify-keyspace-events set again, with Options.Notify): every change
// made after the reader has received it is reported. A consumer that
// keeps a copy of some state therefore resyncs on a gap marker.
//
// Only primaries are subscribed to: a replica publishes nothing for the
// writes it replicates (Redis 7.0), so a demoted primary falls silent,
// and its subscription is closed once the watcher sees the change.
//
// # Configuration
//
// Redis publishes nothing until notify-keyspace-events enables it. Watch
// leaves the setting alone unless Options.Notify asks for flags: then it
// adds them (and K or E for the channels it subscribes to) to what each
// server has, with CONFIG GET and CONFIG SET, on every node at the start
// (replicas included, so that a promoted replica publishes at once) and on
// every primary it subscribes to later, again after a reconnect (a
// restarted server has forgotten a CONFIG SET).
package keyspace
