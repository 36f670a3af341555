package redis

import (
	"fmt"

	"github.com/respkit/redis/resp"
)

func appendPubSubNumSub(b *builder, channels []string) {
	b.begin(cmdPUBSUB_NUMSUB)
	for _, c := range channels {
		b.str(c)
	}
}

func appendPubSubShardNumSub(b *builder, channels []string) {
	b.begin(cmdPUBSUB_SHARDNUMSUB)
	// Shard channels route like keys: on a cluster the counts come from
	// the shard owning the first channel's slot.
	for _, c := range channels {
		b.key(c)
	}
}

// asPubSubCounts reads the channel, count pairs of PUBSUB NUMSUB and
// SHARDNUMSUB (a flat array under RESP2, an array or map under RESP3).
func asPubSubCounts(v resp.Value, err error) (map[string]int64, error) {
	kv, err := pairs(v, err)
	if err != nil {
		return nil, err
	}
	m := make(map[string]int64, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		n, err := asInt64(kv[i+1], nil)
		if err != nil {
			return nil, fmt.Errorf("redis: subscribers of %q: %w", kv[i].String(), err)
		}
		m[kv[i].String()] = n
	}
	return m, nil
}
