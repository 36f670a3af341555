package bloom_test

import (
	"bytes"
	"testing"

	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/resp"
)

// FuzzDecoders reads arbitrary bytes as a reply and hands it to every
// decoder the package uses (one per recorded case's command): none may
// panic, whatever the reply's shape. The recorded replies are the seeds.
func FuzzDecoders(f *testing.F) {
	for _, c := range loadCasesForFuzz(f) {
		f.Add(c)
	}
	f.Add([]byte("*2\r\n:1\r\n-ERR x\r\n"))
	f.Add([]byte("*3\r\n:-1\r\n#t\r\n_\r\n"))
	f.Add([]byte("%1\r\n+Capacity\r\n_\r\n"))
	table := captureCases()
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, err := resp.NewReader(bytes.NewReader(raw), resp.Limits{}).Read()
		if err != nil {
			return
		}
		for _, cc := range table {
			_, _ = cc.Cmd.Decode(v, nil)
		}
	})
}

func loadCasesForFuzz(f *testing.F) [][]byte {
	var out [][]byte
	for _, c := range moduletest.Load(f, "bloom") {
		out = append(out, c.RESP2, c.RESP3)
	}
	return out
}
