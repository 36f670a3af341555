// Package lock provides distributed locks on Redis: a lock on one key
// (Lock) with optional auto-renewal and fencing tokens, and Redlock, a lock
// held on a majority of independent primaries.
//
// It uses only the public client API (scripts and typed commands on a
// *redis.Client) and names one key per lock, so it works unchanged on
// every transport a Client may have: standalone, sentinel or cluster.
//
// # A lock on one key
//
// Each holder creates its own Lock; the lock is the key named after it,
// whose value is the holder's token (random, 128 bits, fresh for every
// acquisition unless Options.Token gives one):
//
//	l := lock.New(rdb, "reports:nightly", lock.Options{TTL: 10 * time.Second})
//	if err := l.Acquire(ctx); err != nil {
//		return err // ctx ended, or ErrNotAcquired after Options.WaitTimeout
//	}
//	defer l.Release(ctx)
//
// Acquire waits while another holder has the lock, sleeping with jittered
// backoff between tries; TryAcquire (or Options.NonBlocking) tries once.
// Acquiring, releasing and extending are each one Lua script, so they
// check the token and act on the key in one atomic step: Release deletes
// the key only if it still holds this holder's token, and returns
// ErrNotOwned otherwise — the lock had expired, and the work it guarded
// may have overlapped with another holder's. Extend and Reacquire
// prolong the lock on the same condition. Owned, Locked and TTL inspect
// it.
//
// # Knowing when the lock is gone
//
// A holding has a validity time: TTL, counted from just before the
// acquiring script was sent, minus a clock-drift allowance. Context
// returns a context cancelled when the holding ends: by Release (cause
// ErrReleased) or when the lock is lost (cause ErrLost). Run the guarded
// work under it:
//
//	l := lock.New(rdb, "reports:nightly", lock.Options{TTL: 10 * time.Second, AutoRenew: true})
//	if err := l.Acquire(ctx); err != nil {
//		return err
//	}
//	defer l.Release(context.Background())
//	return build(l.Context()) // stops when the lock is lost
//
// Without renewal the context ends when the validity time runs out
// (Extend and Reacquire move it). With Options.AutoRenew a goroutine
// resets the TTL every TTL/3 until Release: a renewal that finds the key
// gone or holding another token cancels the context at once, so the
// holder learns of the loss within one renewal period; a renewal that
// fails for another reason is retried at the next period, and the context
// ends when the validity time runs out first.
//
// Once lost, the lock is no longer held by the Lock: Token returns "",
// Fence 0 and ValidUntil the zero time, while Context keeps reporting the
// loss until the next Acquire, TryAcquire or Release. Acquire takes the
// lock anew, with a new token and a higher fencing token, after deleting
// the key if it still holds the lost token.
//
// # Fencing tokens
//
// A lock cannot stop a holder that was paused (by a garbage collector, a
// page fault, a stopped VM) from waking after its lock expired and writing
// anyway. Fencing tokens close that gap when the storage being written
// takes part: with Options.Fencing, the acquiring script increments a
// counter together with setting the key, and Fence returns the new value.
// Every acquisition of the lock gets a larger number than any before it;
// pass it with each write, and have the storage reject a write whose token
// is lower than the highest it has seen.
//
// The counter is a key of its own that never expires (deleting it
// restarts the sequence, which breaks the guarantee).
//
// # Cluster and hash tags
//
// A lock is one key, so on Redis Cluster it lives in one slot, and a
// script may only touch keys of one slot. The slot of a key is the CRC16
// of its hash tag — the part between the first "{" and the next "}", if
// that part is not empty — or of the whole key when it has no hash tag.
// The fencing counter's default key (see FenceKey) is chosen to share the
// lock's slot: for a lock "orders" it is "{orders}:fence", whose tag
// "orders" hashes like the key "orders" itself; for a lock that has a hash
// tag, such as "{tenant42}:orders", it is "{tenant42}:orders:fence", with
// the same tag. Giving lock names a hash tag also keeps related locks and
// data together on one node when that is wanted.
//
// # Unknown outcomes
//
// When a connection fails after a command was sent, the command may or may
// not have run. Acquiring is safe to repeat (a repeat that finds the key
// already holding its own token counts as success and returns the same
// fencing token), so the client repeats it. If the outcome stays unknown,
// or ctx ends while a try is in flight, Acquire returns the error at once
// and a background goroutine waits for the real outcome and releases the
// lock if the try took it; so a cancelled Acquire leaves no lock behind
// (at worst, when the server cannot be reached at all, the key lives until
// its TTL). Release and Extend document their own cases.
//
// # Redlock
//
// NewRedlock takes clients for N independent primaries (not replicas of
// one another, not nodes of one cluster; usually N = 5). A round sets the
// key with the same token on every node at once, each call bounded by a
// short RedlockOptions.NodeTimeout. The lock is held if a majority (N/2+1)
// agreed and validity time is left: TTL minus the time the round took
// minus the drift allowance (TTL·DriftFactor + 2 ms). Otherwise the round
// deletes the key on every node — including those that did not answer,
// since their part may have run — and Acquire sleeps a jittered backoff and
// tries again. With N = 5 the lock keeps working with two nodes down.
//
// What Redlock guarantees: while the validity time lasts, no other Redlock
// holder of the same name holds a majority, provided that clocks on all
// machines advance at about the same rate (within the drift allowance),
// that a node that restarts does not come back with fewer keys than it
// had (run with appendfsync always, or keep a restarted node out for at
// least a TTL), and that the holder stops using the lock when its
// validity time ends.
//
// What it does not guarantee: safety under large clock jumps (a node whose
// clock leaps forward expires keys early), or against process pauses and
// network delays longer than the validity time — the holder may act after
// its lock is gone. Those need fencing, and Redlock cannot provide fencing
// tokens: counters on independent nodes do not yield one number that
// grows across holders, so NewRedlock refuses Options.Fencing. Where
// correctness matters more than availability, use one Lock with fencing
// against a single (replicated) primary, and a storage system that checks
// the fence.
package lock
