// Package resp reads and writes the Redis serialization protocol, RESP2
// and RESP3. It is bytes in, bytes out: no sockets, deadlines or pools, so
// it serves the client, tests, proxies and anyone decoding replies of
// their own.
//
// Reader decodes every RESP3 type (including attributes, which stay
// attached to the value they precede, and streamed strings and
// aggregates) and RESP2's null bulk string and null array, which read as
// Null. Limits bound what it accepts from a broken or hostile server;
// lengths announced by the server cost memory only as their bytes arrive.
//
// Encoder writes commands as arrays of bulk strings straight into a
// reusable buffer, with no allocation per argument.
package resp
