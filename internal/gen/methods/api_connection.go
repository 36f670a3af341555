package main

func init() {
	register("connection",
		API{Cmd: "PING", Method: "Ping", Manual: true, Decode: "asPong",
			Doc: "It checks that the server answers PONG."},
		API{Cmd: "HELLO", Method: "Hello", Manual: true, Result: "HelloInfo", Decode: "asHello",
			Returns: "what the server reports about itself and the connection",
			Doc:     "Hello sends no arguments: it reports, and changes nothing on the connection (the protocol is chosen by Options.Protocol)."},
	)
}
