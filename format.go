package redis

import (
	"fmt"
	"io"
	"log/slog"
)

// String describes the client by its network, address and database, as
// "redis.Client(tcp localhost:6379 db=0)", or for another topology as its
// transport's String describes it ("redis.Client(cluster host:port,...)"),
// with " closed" once closed. It never includes the password.
func (c *Client) String() string {
	if c == nil {
		return "redis.Client(nil)"
	}
	s := fmt.Sprintf("redis.Client(%s %s db=%d", c.o.Network, c.o.Addr, c.o.DB)
	if st, ok := c.t.(fmt.Stringer); ok {
		s = "redis.Client(" + st.String() // another topology describes itself
	}
	if c.closed.Load() {
		s += " closed"
	}
	return s + ")"
}

// Format implements fmt.Formatter so that no verb prints the password
// held in the client's options: %v and %s print String; %+v adds the
// transport's type and the options (password redacted); %#v prints the
// same as Go-like syntax. Other verbs print as %s does.
func (c *Client) Format(f fmt.State, verb rune) {
	if c == nil || verb != 'v' || !(f.Flag('+') || f.Flag('#')) {
		io.WriteString(f, c.String())
		return
	}
	if f.Flag('#') {
		fmt.Fprintf(f, "&redis.Client{Transport:%T, Options:%#v}", c.t, c.o)
		return
	}
	fmt.Fprintf(f, "redis.Client{Transport:%T Options:%+v}", c.t, c.o)
}

// LogValue implements slog.LogValuer: the client as String describes it.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }
