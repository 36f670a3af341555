package redisjson_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/respkit/redis/internal/captures"
	redisjson "github.com/respkit/redis/modules/json"
	"github.com/respkit/redis/resp"
)

// FuzzDecoders feeds arbitrary replies to every decoder of the package:
// none may panic, and each either fails or returns a value.
func FuzzDecoders(f *testing.F) {
	cases, err := captures.Load("json")
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.RESP2)
		f.Add(c.RESP3)
	}
	f.Add([]byte("*1\r\n*2\r\n$7\r\ninteger\r\n$6\r\nnumber\r\n"))
	f.Add([]byte("*3\r\n:1\r\n,2.5\r\n_\r\n"))
	f.Add([]byte("*2\r\n+{\r\n%1\r\n$1\r\na\r\n*2\r\n+[\r\n#t\r\n"))
	decoders := []func(resp.Value, error) (any, error){
		built(redisjson.GetAs[json.RawMessage]("k", "$")).decode,
		built(redisjson.GetAs[[]map[string]any]("k", "$")).decode,
		built(redisjson.GetWith("k", redisjson.GetOptions{Indent: " "})).decode,
		built(redisjson.MGet("$", "a")).decode,
		built(redisjson.MGetAs[[]int]("$", "a")).decode,
		built(redisjson.Set("k", "$", 1)).decode,
		built(redisjson.Del("k", "")).decode,
		built(redisjson.Type("k", "")).decode,
		built(redisjson.Resp("k", "")).decode,
		built(redisjson.DebugMemory("k", "")).decode,
		built(redisjson.DebugHelp()).decode,
		built(redisjson.ArrLen("k", "$")).decode,
		built(redisjson.ArrPop("k", "$")).decode,
		built(redisjson.NumIncrBy("k", "$", 1)).decode,
		built(redisjson.Toggle("k", "$")).decode,
		built(redisjson.ObjKeys("k", "$")).decode,
		built(redisjson.ObjKeys("k", "")).decode,
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := resp.NewReader(bytes.NewReader(data), resp.Limits{}).Read()
		if err != nil {
			return
		}
		for _, decode := range decoders {
			decode(v, nil)
		}
	})
}
