package redisjson_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/respkit/redis/internal/captures"
	"github.com/respkit/redis/internal/moduletest"
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
		moduletest.Build(redisjson.GetAs[json.RawMessage]("k", "$")).Decode,
		moduletest.Build(redisjson.GetAs[[]map[string]any]("k", "$")).Decode,
		moduletest.Build(redisjson.GetWith("k", redisjson.GetOptions{Indent: " "})).Decode,
		moduletest.Build(redisjson.MGet("$", "a")).Decode,
		moduletest.Build(redisjson.MGetAs[[]int]("$", "a")).Decode,
		moduletest.Build(redisjson.Set("k", "$", 1)).Decode,
		moduletest.Build(redisjson.Del("k", "")).Decode,
		moduletest.Build(redisjson.Type("k", "")).Decode,
		moduletest.Build(redisjson.Resp("k", "")).Decode,
		moduletest.Build(redisjson.DebugMemory("k", "")).Decode,
		moduletest.Build(redisjson.DebugHelp()).Decode,
		moduletest.Build(redisjson.ArrLen("k", "$")).Decode,
		moduletest.Build(redisjson.ArrPop("k", "$")).Decode,
		moduletest.Build(redisjson.NumIncrBy("k", "$", 1)).Decode,
		moduletest.Build(redisjson.Toggle("k", "$")).Decode,
		moduletest.Build(redisjson.ObjKeys("k", "$")).Decode,
		moduletest.Build(redisjson.ObjKeys("k", "")).Decode,
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
