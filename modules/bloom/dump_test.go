package bloom

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"slices"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// readReply reads one reply from its RESP bytes, as the client reads it
// from the network.
func readReply(t *testing.T, raw string) resp.Value {
	t.Helper()
	v, err := resp.NewReader(bytes.NewReader([]byte(raw)), resp.Limits{}).Read()
	if err != nil {
		t.Fatalf("reading %q: %v", raw, err)
	}
	return v
}

// recordedFirstChunk returns BF.SCANDUMP bf:ns 0's recorded reply under
// proto.
func recordedFirstChunk(t *testing.T, proto int) resp.Value {
	t.Helper()
	cases, err := captures.Load("bloom")
	if err != nil {
		t.Fatal(err)
	}
	c := captures.ByName(cases)["bf_scandump_first"]
	if c == nil {
		t.Fatal("no bf_scandump_first case")
	}
	v, err := c.Reply(proto)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// dumpConversation is a SCANDUMP conversation as the server would hold
// it: for each iterator asked, the reply (decoded with the API's decoder).
// It records the iterators asked for.
type dumpConversation struct {
	replies map[int64]resp.Value
	asked   []int64
}

func (d *dumpConversation) next(iterator int64) (Chunk, error) {
	d.asked = append(d.asked, iterator)
	v, ok := d.replies[iterator]
	if !ok {
		return Chunk{}, fmt.Errorf("test: no reply for iterator %d", iterator)
	}
	return decodeChunk(v, nil)
}

func collect(t *testing.T, seq iter.Seq2[Chunk, error]) ([]Chunk, error) {
	t.Helper()
	var out []Chunk
	for ch, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// bloomDump is a whole BF.SCANDUMP conversation: the recorded header, one
// data chunk, and the end (BF.SCANDUMP ends with an empty string).
func bloomDump(t *testing.T, proto int) *dumpConversation {
	return &dumpConversation{replies: map[int64]resp.Value{
		0:  recordedFirstChunk(t, proto),
		1:  readReply(t, "*2\r\n:25\r\n$24\r\nabcdefghijklmnopqrstuvwx\r\n"),
		25: readReply(t, "*2\r\n:0\r\n$0\r\n\r\n"),
	}}
}

func TestScanDumpRunsToTheEnd(t *testing.T) {
	for _, proto := range []int{2, 3} {
		d := bloomDump(t, proto)
		chunks, err := collect(t, scanDump(d.next))
		if err != nil {
			t.Fatalf("RESP%d: %v", proto, err)
		}
		if want := []int64{0, 1, 25}; !slices.Equal(d.asked, want) {
			t.Errorf("RESP%d: asked for iterators %v, want %v", proto, d.asked, want)
		}
		if len(chunks) != 2 || chunks[0].Iterator != 1 || len(chunks[0].Data) != 73 ||
			chunks[1].Iterator != 25 || string(chunks[1].Data) != "abcdefghijklmnopqrstuvwx" {
			t.Errorf("RESP%d: chunks %+v", proto, chunks)
		}
	}
}

func TestScanDumpStopsWhenTheLoopBreaks(t *testing.T) {
	d := bloomDump(t, 3)
	for range scanDump(d.next) {
		break
	}
	if !slices.Equal(d.asked, []int64{0}) {
		t.Errorf("asked for %v after a break at the first chunk, want [0]", d.asked)
	}
}

func TestScanDumpOfAnEmptyCuckooFilter(t *testing.T) {
	// CF.SCANDUMP of a filter without items answers [0, null] at once.
	for _, raw := range []string{"*2\r\n:0\r\n$-1\r\n", "*2\r\n:0\r\n_\r\n"} {
		d := &dumpConversation{replies: map[int64]resp.Value{0: readReply(t, raw)}}
		chunks, err := collect(t, scanDump(d.next))
		if err != nil || len(chunks) != 0 {
			t.Errorf("%q: got %v, %v; want no chunks", raw, chunks, err)
		}
	}
}

func TestScanDumpErrors(t *testing.T) {
	t.Run("server error", func(t *testing.T) {
		d := &dumpConversation{replies: map[int64]resp.Value{
			0: readReply(t, "-ERR not found\r\n"),
		}}
		n := 0
		var got error
		for _, err := range scanDump(d.next) {
			n++
			got = err
		}
		var se *redis.Error
		if n != 1 || !errors.As(got, &se) || se.Msg != "ERR not found" {
			t.Errorf("got %d yields, last error %v; want one *redis.Error", n, got)
		}
	})
	t.Run("error midway", func(t *testing.T) {
		d := bloomDump(t, 2)
		delete(d.replies, 25)
		chunks, err := collect(t, scanDump(d.next))
		if err == nil || len(chunks) != 2 {
			t.Errorf("got %d chunks and %v; want 2 chunks, then the error", len(chunks), err)
		}
	})
	t.Run("iterator does not advance", func(t *testing.T) {
		d := bloomDump(t, 2)
		d.replies[1] = readReply(t, "*2\r\n:1\r\n$1\r\nx\r\n")
		chunks, err := collect(t, scanDump(d.next))
		if err == nil || len(chunks) != 1 || !slices.Equal(d.asked, []int64{0, 1}) {
			t.Errorf("got %d chunks, %v, asked %v; want the header, then an error", len(chunks), err, d.asked)
		}
	})
	t.Run("bad shapes", func(t *testing.T) {
		for _, raw := range []string{
			"*1\r\n:1\r\n",                 // too short
			"*2\r\n$1\r\nx\r\n$1\r\nx\r\n", // iterator not a number
			"*2\r\n:1\r\n*0\r\n",           // data not a string
			":1\r\n",                       // not an array
			"_\r\n",                        // null
		} {
			if ch, err := decodeChunk(readReply(t, raw), nil); err == nil {
				t.Errorf("%q: decoded to %+v", raw, ch)
			}
		}
	})
}

func TestDecodeChunkCopiesData(t *testing.T) {
	v := readReply(t, "*2\r\n:5\r\n$3\r\nabc\r\n")
	a, err := decodeChunk(v, nil)
	if err != nil {
		t.Fatal(err)
	}
	a.Data[0] = 'X'
	b, _ := decodeChunk(v, nil)
	if string(b.Data) != "abc" {
		t.Errorf("changing one chunk's data changed the reply: %q", b.Data)
	}
}

// TestDumpAndRestore runs the dump of a Bloom filter into the load
// (what BFCopy does), with the dump fed by decoded replies and the load
// recording the BF.LOADCHUNK commands it would send.
func TestDumpAndRestore(t *testing.T) {
	for _, proto := range []int{2, 3} {
		d := bloomDump(t, proto)
		var sent [][]byte
		n, err := loadChunks(scanDump(d.next), func(ch Chunk) error {
			cmd := BFLoadChunk("copy", ch)
			if cmd.Err() != nil {
				return cmd.Err()
			}
			sent = append(sent, cmd.Bytes())
			return nil
		})
		if err != nil || n != 2 {
			t.Fatalf("RESP%d: loaded %d chunks, %v", proto, n, err)
		}
		header, _ := decodeChunk(recordedFirstChunk(t, proto), nil)
		want := [][]byte{
			must(resp.AppendCommand(nil, "BF.LOADCHUNK", "copy", "1", header.Data)),
			must(resp.AppendCommand(nil, "BF.LOADCHUNK", "copy", "25", "abcdefghijklmnopqrstuvwx")),
		}
		if !slices.EqualFunc(sent, want, bytes.Equal) {
			t.Errorf("RESP%d: sent\n%q\nwant\n%q", proto, sent, want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestLoadChunksStopsAtTheFirstError(t *testing.T) {
	loadErr := &redis.Error{Msg: "ERR invalid chunk"}
	d := bloomDump(t, 2)
	calls := 0
	n, err := loadChunks(scanDump(d.next), func(ch Chunk) error {
		calls++
		if ch.Iterator == 25 {
			return loadErr
		}
		return nil
	})
	if n != 1 || calls != 2 || !errors.Is(err, loadErr) {
		t.Errorf("loaded %d in %d calls, %v; want 1 loaded, then the load's error", n, calls, err)
	}
	// A dump that fails stops the load, and nothing more is asked.
	d = bloomDump(t, 2)
	d.replies[1] = readReply(t, "-ERR gone\r\n")
	n, err = loadChunks(scanDump(d.next), func(Chunk) error { return nil })
	var se *redis.Error
	if n != 1 || !errors.As(err, &se) || se.Msg != "ERR gone" || len(d.asked) != 2 {
		t.Errorf("loaded %d, %v, asked %v; want 1, the dump's error, [0 1]", n, err, d.asked)
	}
}
