// Package sentinel is the transport for a primary that Redis Sentinel
// monitors: NewClient returns the same *redis.Client as redis.NewClient,
// so every typed command, pipeline, transaction, script, lock and pub/sub
// works on it unchanged.
//
//	rdb := sentinel.NewClient(&sentinel.Options{
//		MasterName:    "mymaster",
//		SentinelAddrs: []string{"10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"},
//	})
//	defer rdb.Close()
//
// The client follows Redis' guidelines for Sentinel clients. It asks the
// sentinels in turn for the primary's address (SENTINEL
// GET-MASTER-ADDR-BY-NAME), moves the one that answered to the front,
// confirms the address with ROLE before using it, and learns the other
// sentinels from it (SENTINEL SENTINELS). It stays subscribed to one
// sentinel's events: on +switch-master it moves to the new primary at
// once and closes its connections to the old one, so that a write in
// flight there fails (its outcome unknown) rather than being acknowledged
// later by a primary that was replaced. A READONLY reply (the primary was
// demoted) or a failed connection makes it ask the sentinels again; a
// command is tried again only where the client's retry rules allow it
// (READONLY means the write was refused, so it is sent once more to the
// new primary).
//
// The sentinels have credentials and TLS settings of their own
// (SentinelUsername, SentinelPassword, SentinelTLSConfig), apart from the
// data nodes' in the embedded redis.Options.
//
// With ReadFrom, read-only commands go to the healthy replicas (those the
// sentinels do not flag s_down, o_down or disconnected and whose link to
// the primary is up), or to the primary when none is.
//
// To run SENTINEL commands, connect a plain redis.NewClient to a sentinel's
// address: the typed Sentinel* methods are there.
package sentinel
