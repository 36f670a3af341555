package redis_test

import (
	"context"
	"maps"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

func TestPubSubEncoding(t *testing.T) {
	wantArgs(t, redis.Publish("ch", "msg"), "PUBLISH", "ch", "msg")
	wantArgs(t, redis.Publish("ch", 42), "PUBLISH", "ch", "42")
	wantArgs(t, redis.SPublish("sch", []byte("m")), "SPUBLISH", "sch", "m")
	wantArgs(t, redis.PubSubChannels(), "PUBSUB", "CHANNELS")
	wantArgs(t, redis.PubSubChannels(redis.PubSubChannelsOptions{Pattern: "news.*"}), "PUBSUB", "CHANNELS", "news.*")
	wantArgs(t, redis.PubSubHelp(), "PUBSUB", "HELP")
	wantArgs(t, redis.PubSubNumPat(), "PUBSUB", "NUMPAT")
	wantArgs(t, redis.PubSubNumSub(), "PUBSUB", "NUMSUB")
	wantArgs(t, redis.PubSubNumSub("a", "b"), "PUBSUB", "NUMSUB", "a", "b")
	wantArgs(t, redis.PubSubShardChannels(redis.PubSubShardChannelsOptions{Pattern: "s*"}), "PUBSUB", "SHARDCHANNELS", "s*")
	wantArgs(t, redis.PubSubShardNumSub("a"), "PUBSUB", "SHARDNUMSUB", "a")
	if k, ok := redis.SPublish("sch", "m").Key(); !ok || k != "sch" {
		t.Fatalf("SPUBLISH routes by %q, %v; want the shard channel", k, ok)
	}
	if k, ok := redis.PubSubShardNumSub("s1", "s2").Key(); !ok || k != "s1" {
		t.Fatalf("PUBSUB SHARDNUMSUB routes by %q, %v; want the first shard channel", k, ok)
	}
}

// pubsubRawSubscriber is a plain RESP2 connection, independent of the client's
// pub/sub support, that subscribes with cmd (SUBSCRIBE, PSUBSCRIBE or
// SSUBSCRIBE) and reads what the server pushes.
type pubsubRawSubscriber struct {
	nc net.Conn
	rd *resp.Reader
}

func pubsubSubscribeRaw(t *testing.T, c *redis.Client, cmd string, names ...string) *pubsubRawSubscriber {
	t.Helper()
	nc, err := net.Dial("tcp", c.Options().Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	s := &pubsubRawSubscriber{nc: nc, rd: resp.NewReader(nc, resp.Limits{})}
	var e resp.Encoder
	e.Begin()
	e.String(cmd)
	for _, n := range names {
		e.String(n)
	}
	e.End()
	if _, err := nc.Write(e.Bytes()); err != nil {
		t.Fatal(err)
	}
	for range names {
		if got := s.next(t); len(got) != 3 || !strings.EqualFold(got[0], cmd) {
			t.Fatalf("%s confirmation: %q", cmd, got)
		}
	}
	return s
}

func (s *pubsubRawSubscriber) next(t *testing.T) []string {
	t.Helper()
	s.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := s.rd.Read()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range v.Elems() {
		out = append(out, e.String())
	}
	return out
}

func TestPubSubPublish(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		ch, other := key(t, "news"), key(t, "quiet")
		sub := pubsubSubscribeRaw(t, c, "SUBSCRIBE", ch)

		chans, err := c.PubSubChannels(ctx, redis.PubSubChannelsOptions{Pattern: key(t, "*")})
		if err != nil || !slices.Equal(chans, []string{ch}) {
			t.Fatalf("PUBSUB CHANNELS = %q, %v", chans, err)
		}
		if all, err := c.PubSubChannels(ctx); err != nil || !slices.Contains(all, ch) {
			t.Fatalf("PUBSUB CHANNELS without pattern = %q, %v", all, err)
		}
		counts, err := c.PubSubNumSub(ctx, ch, other)
		if want := map[string]int64{ch: 1, other: 0}; err != nil || !maps.Equal(counts, want) {
			t.Fatalf("PUBSUB NUMSUB = %v, %v, want %v", counts, err, want)
		}
		if counts, err := c.PubSubNumSub(ctx); err != nil || len(counts) != 0 {
			t.Fatalf("PUBSUB NUMSUB without channels = %v, %v", counts, err)
		}

		if n, err := c.Publish(ctx, ch, []byte("hello\x00")); err != nil || n != 1 {
			t.Fatalf("PUBLISH = %d, %v", n, err)
		}
		if got := sub.next(t); !slices.Equal(got, []string{"message", ch, "hello\x00"}) {
			t.Fatalf("subscriber got %q", got)
		}
		if n, err := c.Publish(ctx, other, 3.5); err != nil || n != 0 {
			t.Fatalf("PUBLISH to nobody = %d, %v", n, err)
		}

		before, err := c.PubSubNumPat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		psub := pubsubSubscribeRaw(t, c, "PSUBSCRIBE", key(t, "n*"), key(t, "q*"))
		if after, err := c.PubSubNumPat(ctx); err != nil || after != before+2 {
			t.Fatalf("PUBSUB NUMPAT = %d, %v, want %d", after, err, before+2)
		}
		if n, err := c.Publish(ctx, ch, 7); err != nil || n != 2 {
			t.Fatalf("PUBLISH to a channel and a pattern = %d, %v", n, err)
		}
		if got := psub.next(t); !slices.Equal(got, []string{"pmessage", key(t, "n*"), ch, "7"}) {
			t.Fatalf("pattern subscriber got %q", got)
		}
	})
}

func TestPubSubSharded(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		ctx := context.Background()
		ch, other := key(t, "shard"), key(t, "none")
		sub := pubsubSubscribeRaw(t, c, "SSUBSCRIBE", ch)

		chans, err := c.PubSubShardChannels(ctx, redis.PubSubShardChannelsOptions{Pattern: key(t, "*")})
		if err != nil || !slices.Equal(chans, []string{ch}) {
			t.Fatalf("PUBSUB SHARDCHANNELS = %q, %v", chans, err)
		}
		if all, err := c.PubSubShardChannels(ctx); err != nil || !slices.Contains(all, ch) {
			t.Fatalf("PUBSUB SHARDCHANNELS without pattern = %q, %v", all, err)
		}
		// A shard channel is not a plain channel.
		if plain, err := c.PubSubChannels(ctx, redis.PubSubChannelsOptions{Pattern: key(t, "*")}); err != nil || len(plain) != 0 {
			t.Fatalf("PUBSUB CHANNELS lists shard channels: %q, %v", plain, err)
		}
		counts, err := c.PubSubShardNumSub(ctx, ch, other)
		if want := map[string]int64{ch: 1, other: 0}; err != nil || !maps.Equal(counts, want) {
			t.Fatalf("PUBSUB SHARDNUMSUB = %v, %v, want %v", counts, err, want)
		}
		if n, err := c.SPublish(ctx, ch, "sharded"); err != nil || n != 1 {
			t.Fatalf("SPUBLISH = %d, %v", n, err)
		}
		if got := sub.next(t); !slices.Equal(got, []string{"smessage", ch, "sharded"}) {
			t.Fatalf("shard subscriber got %q", got)
		}
		if n, err := c.SPublish(ctx, other, true); err != nil || n != 0 {
			t.Fatalf("SPUBLISH to nobody = %d, %v", n, err)
		}
	})
}

func TestPubSubHelp(t *testing.T) {
	withClients(t, func(t *testing.T, c *redis.Client) {
		lines, err := c.PubSubHelp(context.Background())
		if err != nil || len(lines) < 5 || !strings.Contains(lines[0], "PUBSUB") {
			t.Fatalf("PUBSUB HELP = %q, %v", lines, err)
		}
	})
}
