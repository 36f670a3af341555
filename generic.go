package redis

import "context"

var cmdDEL = cmdInfo("DEL")

func appendDel(b *builder, keys []string) {
	b.begin(cmdDEL)
	if len(keys) == 0 {
		b.fail("at least one key is required")
	}
	for _, k := range keys {
		b.key(k)
	}
}

// Del returns the DEL command: DEL key [key ...]. Since Redis 1.0.0.
func Del(keys ...string) Command[int64] {
	b := new(builder)
	appendDel(b, keys)
	return newCommand(b, asInt64)
}

// Del sends DEL key [key ...] and returns how many of the keys existed and
// were removed. Since Redis 1.0.0.
func (c *Client) Del(ctx context.Context, keys ...string) (int64, error) {
	b := getBuilder()
	appendDel(b, keys)
	return asInt64(c.exec(ctx, b))
}
