package main

func init() {
	register("hyperloglog",
		API{Cmd: "PFADD", Method: "PFAdd", Manual: true, Params: "key string, elements []any", Result: "bool",
			Returns: "whether the estimated cardinality changed (or the key was created)",
			Doc:     "Elements are strings, []byte, numbers, bools or encoding.BinaryMarshaler; with none, PFAdd only creates the key."},
		API{Cmd: "PFCOUNT", Method: "PFCount", Result: "int64",
			Returns: "the approximate number of distinct elements added to the keys (their union when there are several)"},
		API{Cmd: "PFDEBUG", Method: "PFDebugGetReg", Manual: true, Params: "key string", Result: "[]int64",
			Returns: "the values of the HyperLogLog's registers (the value becomes dense first)",
			Doc:     "PFDEBUG is an internal command for debugging; PFDebugGetReg sends the GETREG subcommand."},
		API{Cmd: "PFDEBUG", Method: "PFDebugEncoding", Manual: true, Params: "key string", Result: "string",
			Returns: `the value's encoding: "sparse" or "dense"`,
			Doc:     "PFDEBUG is an internal command for debugging; PFDebugEncoding sends the ENCODING subcommand."},
		API{Cmd: "PFDEBUG", Method: "PFDebugToDense", Manual: true, Params: "key string", Result: "bool",
			Returns: "whether the value was converted (false when it was already dense)",
			Doc:     "PFDEBUG is an internal command for debugging; PFDebugToDense sends the TODENSE subcommand."},
		API{Cmd: "PFDEBUG", Method: "PFDebugDecode", Manual: true, Params: "key string", Result: "string",
			Returns: "the sparse representation's opcodes as text (an error for a dense value)",
			Doc:     "PFDEBUG is an internal command for debugging; PFDebugDecode sends the DECODE subcommand."},
		API{Cmd: "PFMERGE", Method: "PFMerge", Manual: true, Params: "destkey string, sourcekeys []string",
			Doc: "With no source keys, PFMerge only creates destkey when it does not exist."},
		API{Cmd: "PFSELFTEST", Method: "PFSelfTest",
			Doc: "PFSELFTEST is an internal command that tests the HyperLogLog implementation; it may take a while."},
	)
}
