package main

func init() {
	register("string",
		API{Cmd: "GET", Method: "Get", Result: "string",
			Returns: "the key's value, or ErrNil when the key does not exist"},
		API{Cmd: "SET", Method: "Set", Manual: true, Params: "key string, value any, opts []SetOptions", Decode: "asSet",
			Doc: "value is a string, []byte, number, bool or encoding.BinaryMarshaler. When NX or XX keeps the value from being set, Set returns ErrNil. Conflicting options are reported before anything is sent."},
		API{Cmd: "INCR", Method: "Incr", Result: "int64", Returns: "the value after the increment"},
	)
}
