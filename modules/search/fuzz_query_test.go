package search

import (
	"bytes"
	"testing"

	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/resp"
)

// FuzzQueryReplies feeds arbitrary replies to every query-side decoder:
// none may panic, whatever the bytes (the reader's limits bound sizes).
func FuzzQueryReplies(f *testing.F) {
	cases, err := captures.Load("search")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.RESP2)
		f.Add(c.RESP3)
	}
	shapes := []docShape{{}, {scores: true}, {scores: true, payloads: true, sortKeys: true}, {sortKeys: true}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := resp.NewReader(bytes.NewReader(raw), resp.Limits{}).Read()
		if err != nil {
			return
		}
		for _, s := range shapes {
			_, _ = decodeSearch(v, nil, s)
		}
		_, _ = decodeAggregate(v, nil)
		_, _ = decodeCursorPage(v, nil)
		_, _, _ = splitProfile(v, nil)
		_, _ = decodeHybrid(v, nil)
	})
}
