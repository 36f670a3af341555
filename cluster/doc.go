// Package cluster is the Redis Cluster transport: NewClient returns the
// same *redis.Client as redis.NewClient, so every typed command, pipeline,
// transaction, script, lock and Do works on a cluster without code changes
// beyond the constructor.
//
//	rdb := cluster.NewClient(&cluster.Options{
//		Addrs: []string{"10.0.0.1:7000", "10.0.0.2:7000"},
//	})
//	defer rdb.Close()
//	err := rdb.Set(ctx, "user:42", "Ada")
//
// ParseURL reads the same options from a URL:
// "redis://user:pass@10.0.0.1:7000?addr=10.0.0.2:7000&read_from=replica".
//
// # Routing
//
// Each command goes to the primary serving the hash slot of its keys (see
// redis.KeySlot; a hash tag such as {user42} in several keys puts them in
// one slot). The keys come from the client's command table, and for
// commands it does not know (module commands, a raw Do of anything else)
// from the server's COMMAND INFO, asked once per command name. A command
// without keys goes to one primary, unless the command table's routing
// policy says otherwise: DBSIZE, KEYS, FLUSHALL, PING, SCRIPT EXISTS and
// the like go to every primary and SCRIPT LOAD, CONFIG SET and the like to
// every node, and their replies are merged as the policy says (DBSIZE
// summed, KEYS concatenated, SCRIPT EXISTS and-ed, ...). Client.Scan walks
// every primary; Client.ForEachPrimary and ForEachShard give a Client per
// server.
//
// Keys of one command that hash to different slots are an error
// (*redis.CrossSlotError) found before anything is sent, unless
// Options.SplitMultiKey lets MGET, MSET, DEL, UNLINK, EXISTS, TOUCH and the
// other multi-shard commands be split by slot: then the parts run
// independently, not atomically. A transaction (TxPipeline, Watch) must
// keep its keys in one slot.
//
// # Topology changes
//
// The client reads the slot map (CLUSTER SHARDS, or CLUSTER SLOTS on
// servers before 7.0) from any node that answers: at the first command,
// every Options.RefreshInterval, and whenever a MOVED reply or a failed
// connection says it changed; reads are single-flight and at most one per
// Options.MinRefreshInterval. MOVED updates the slot at once and the
// command follows it; ASK sends the command once to the node importing
// the slot, preceded by ASKING; TRYAGAIN, CLUSTERDOWN and LOADING are
// waited out with backoff until the context's deadline (or
// Options.TryAgainTimeout without one). A redirection never repeats a
// command that may have run: MOVED and ASK mean it did not. Connection
// failures are handed to the client's retry policy like on one server.
//
// Pipelines are split by node and the parts sent in parallel; replies keep
// the caller's order, and redirections are followed per command.
//
// Reads may go to replicas (Options.ReadFrom); writes always go to
// primaries.
//
// Pub/sub: SUBSCRIBE and PSUBSCRIBE go through any node. Shard channels
// (SSUBSCRIBE) are subscribed on the node serving their slot, with one
// connection per such node; when a slot moves (the server ends the
// subscription with SUNSUBSCRIBE) or a node fails, the subscription is
// renewed on the new owner and a KindResubscribed event marks the gap.
package cluster
