package resp_test

import (
	"fmt"
	"strings"

	"github.com/respkit/redis/resp"
)

func Example() {
	// Encode a command into a reusable buffer.
	var e resp.Encoder
	e.Begin()
	e.String("SET")
	e.String("key")
	e.Int(42)
	e.End()
	fmt.Printf("%q\n", e.Bytes())

	// Read a RESP3 reply that carries attributes.
	in := "|1\r\n+ttl\r\n:3600\r\n$5\r\nhello\r\n"
	r := resp.NewReader(strings.NewReader(in), resp.Limits{})
	v, err := r.Read()
	fmt.Println(v.Type(), v.String(), err)
	fmt.Printf("%#v\n", v.Attrs())
	// Output:
	// "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n"
	// bulk string hello <nil>
	// []resp.Value{"ttl", 3600}
}
