package bloom

import (
	"bytes"
	"context"
	"fmt"
	"iter"

	"github.com/respkit/redis"
	"github.com/respkit/redis/resp"
)

// Chunk is one piece of a Bloom or cuckoo filter as BF.SCANDUMP and
// CF.SCANDUMP return it, and as BF.LOADCHUNK and CF.LOADCHUNK take it
// back. Iterator is the position the server gave the chunk (the first
// chunk, the filter's header, is 1); an Iterator of 0 ends a dump.
type Chunk struct {
	Iterator int64
	Data     []byte
}

// decodeChunk reads a SCANDUMP reply: [iterator, data], where data may be
// null (CF.SCANDUMP at the end, or of an empty filter). Data is a copy the
// caller may keep and modify.
func decodeChunk(v resp.Value, err error) (Chunk, error) {
	elems, err := redis.ResultOf(v, err).Slice()
	if err != nil {
		return Chunk{}, err
	}
	if len(elems) != 2 {
		return Chunk{}, fmt.Errorf("bloom: SCANDUMP: expected [iterator, data], got %d elements", len(elems))
	}
	it, err := decodeInt64(elems[0], nil)
	if err != nil {
		return Chunk{}, fmt.Errorf("bloom: SCANDUMP: iterator: %w", err)
	}
	if elems[1].IsNull() {
		return Chunk{Iterator: it}, nil
	}
	data, err := redis.ResultOf(elems[1], nil).Bytes()
	if err != nil {
		return Chunk{}, fmt.Errorf("bloom: SCANDUMP: data: %w", err)
	}
	return Chunk{Iterator: it, Data: bytes.Clone(data)}, nil
}

// BFScanDump returns BF.SCANDUMP key iterator: the chunk of the Bloom
// filter after iterator (0 to start). A result whose Iterator is 0 ends the
// dump. BFScanDumpAll runs the whole conversation.
func BFScanDump(key string, iterator int64) redis.Command[Chunk] {
	return redis.NewCommand(decodeChunk, "BF.SCANDUMP", key, iterator)
}

// BFScanDump reads one chunk of a Bloom filter; see the function
// BFScanDump.
func (c *Client) BFScanDump(ctx context.Context, key string, iterator int64) (Chunk, error) {
	return run(ctx, c, BFScanDump(key, iterator))
}

// BFLoadChunk returns BF.LOADCHUNK key iterator data: restore one chunk
// that BFScanDump returned, in the order they were returned. The first
// chunk (Iterator 1) creates the filter and needs key not to exist.
func BFLoadChunk(key string, chunk Chunk) redis.Command[struct{}] {
	return redis.NewCommand(decodeStatus, "BF.LOADCHUNK", key, chunk.Iterator, chunk.Data)
}

// BFLoadChunk restores one chunk of a Bloom filter; see the function
// BFLoadChunk.
func (c *Client) BFLoadChunk(ctx context.Context, key string, chunk Chunk) error {
	_, err := run(ctx, c, BFLoadChunk(key, chunk))
	return err
}

// CFScanDump returns CF.SCANDUMP key iterator: the chunk of the cuckoo
// filter after iterator (0 to start). A result whose Iterator is 0 ends the
// dump; a filter holding no items ends it at once. CFScanDumpAll runs the
// whole conversation.
func CFScanDump(key string, iterator int64) redis.Command[Chunk] {
	return redis.NewCommand(decodeChunk, "CF.SCANDUMP", key, iterator)
}

// CFScanDump reads one chunk of a cuckoo filter; see the function
// CFScanDump.
func (c *Client) CFScanDump(ctx context.Context, key string, iterator int64) (Chunk, error) {
	return run(ctx, c, CFScanDump(key, iterator))
}

// CFLoadChunk returns CF.LOADCHUNK key iterator data: restore one chunk
// that CFScanDump returned, in the order they were returned. The first
// chunk (Iterator 1) creates the filter and needs key not to exist.
func CFLoadChunk(key string, chunk Chunk) redis.Command[struct{}] {
	return redis.NewCommand(decodeStatus, "CF.LOADCHUNK", key, chunk.Iterator, chunk.Data)
}

// CFLoadChunk restores one chunk of a cuckoo filter; see the function
// CFLoadChunk.
func (c *Client) CFLoadChunk(ctx context.Context, key string, chunk Chunk) error {
	_, err := run(ctx, c, CFLoadChunk(key, chunk))
	return err
}

// Chunks yields saved chunks in order, without error: how to hand chunks
// kept in a slice (or read back from a file) to BFLoadChunks and
// CFLoadChunks.
//
//	err := b.BFLoadChunks(ctx, "seen", bloom.Chunks(saved))
func Chunks(saved []Chunk) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		for _, ch := range saved {
			if !yield(ch, nil) {
				return
			}
		}
	}
}

// scanDump is the SCANDUMP conversation, apart from any connection:
// next(iterator) asks for the chunk after iterator, starting at 0, and the
// sequence yields each chunk until one with Iterator 0 ends it (that one
// is not yielded). An error from next is yielded once and ends the
// sequence, as does an iterator that does not move forward (which would
// otherwise loop for ever). Breaking out of the loop stops asking.
func scanDump(next func(iterator int64) (Chunk, error)) iter.Seq2[Chunk, error] {
	return func(yield func(Chunk, error) bool) {
		var at int64
		for {
			ch, err := next(at)
			if err != nil {
				yield(Chunk{}, err)
				return
			}
			if ch.Iterator == 0 {
				return
			}
			if ch.Iterator <= at {
				yield(Chunk{}, fmt.Errorf("bloom: SCANDUMP went back from iterator %d to %d", at, ch.Iterator))
				return
			}
			if !yield(ch, nil) {
				return
			}
			at = ch.Iterator
		}
	}
}

// loadChunks feeds chunks to load in order and stops at the first error,
// from the sequence or from load. It returns how many chunks were loaded.
func loadChunks(chunks iter.Seq2[Chunk, error], load func(Chunk) error) (int, error) {
	n := 0
	for ch, err := range chunks {
		if err != nil {
			return n, err
		}
		if err := load(ch); err != nil {
			return n, fmt.Errorf("bloom: loading the chunk at iterator %d: %w", ch.Iterator, err)
		}
		n++
	}
	return n, nil
}

// scanDumpAll runs SCANDUMP (built by command) on c until the dump ends.
func scanDumpAll(ctx context.Context, c *Client, key string, command func(string, int64) redis.Command[Chunk]) iter.Seq2[Chunk, error] {
	return scanDump(func(iterator int64) (Chunk, error) {
		return run(ctx, c, command(key, iterator))
	})
}

// BFScanDumpAll runs BF.SCANDUMP key from the start until the dump ends,
// yielding each chunk (the header first); an error ends the sequence. The
// chunks, loaded in order with BFLoadChunk (or BFLoadChunks) into a key
// that does not exist, rebuild the filter. The filter must not change
// while it is dumped.
//
//	var saved []bloom.Chunk
//	for ch, err := range b.BFScanDumpAll(ctx, "seen") {
//		if err != nil {
//			return err
//		}
//		saved = append(saved, ch)
//	}
func (c *Client) BFScanDumpAll(ctx context.Context, key string) iter.Seq2[Chunk, error] {
	return scanDumpAll(ctx, c, key, BFScanDump)
}

// BFLoadChunks runs BF.LOADCHUNK key for each chunk in order, stopping at
// the first error (from chunks or from the server). key must not exist. On
// an error, key may hold a partly loaded filter: delete it before trying
// again. chunks may come from another client's BFScanDumpAll, to copy a
// filter between servers:
//
//	err := dst.BFLoadChunks(ctx, "seen", src.BFScanDumpAll(ctx, "seen"))
func (c *Client) BFLoadChunks(ctx context.Context, key string, chunks iter.Seq2[Chunk, error]) error {
	_, err := loadChunks(chunks, func(ch Chunk) error { return c.BFLoadChunk(ctx, key, ch) })
	return err
}

// BFCopy copies the Bloom filter at src to dst, which must not exist, by
// dumping src (BF.SCANDUMP) and loading each chunk into dst
// (BF.LOADCHUNK) as it arrives. src must not change meanwhile; on an
// error dst may hold part of the filter.
func (c *Client) BFCopy(ctx context.Context, src, dst string) error {
	return c.BFLoadChunks(ctx, dst, c.BFScanDumpAll(ctx, src))
}

// CFScanDumpAll runs CF.SCANDUMP key from the start until the dump ends,
// yielding each chunk (the header first); an error ends the sequence. A
// filter holding no items yields nothing. See BFScanDumpAll.
func (c *Client) CFScanDumpAll(ctx context.Context, key string) iter.Seq2[Chunk, error] {
	return scanDumpAll(ctx, c, key, CFScanDump)
}

// CFLoadChunks runs CF.LOADCHUNK key for each chunk in order, stopping at
// the first error. key must not exist; on an error it may hold a partly
// loaded filter. See BFLoadChunks.
func (c *Client) CFLoadChunks(ctx context.Context, key string, chunks iter.Seq2[Chunk, error]) error {
	_, err := loadChunks(chunks, func(ch Chunk) error { return c.CFLoadChunk(ctx, key, ch) })
	return err
}

// CFCopy copies the cuckoo filter at src to dst, which must not exist, by
// dumping src and loading each chunk into dst as it arrives. A filter
// holding no items has nothing to dump: dst is then not created. src must
// not change meanwhile; on an error dst may hold part of the filter.
func (c *Client) CFCopy(ctx context.Context, src, dst string) error {
	return c.CFLoadChunks(ctx, dst, c.CFScanDumpAll(ctx, src))
}
