package main

func init() {
	register("set",
		API{Cmd: "SADD", Method: "SAdd", Result: "int64", Returns: "how many of the members were added (not already in the set)"},
		API{Cmd: "SCARD", Method: "SCard", Result: "int64", Returns: "the set's size (0 when the key does not exist)"},
		API{Cmd: "SDIFF", Method: "SDiff", Result: "[]string", Returns: "the members of the first set that are in none of the others, in no particular order"},
		API{Cmd: "SDIFFSTORE", Method: "SDiffStore", Result: "int64", Returns: "the size of the set stored at destination"},
		API{Cmd: "SINTER", Method: "SInter", Result: "[]string", Returns: "the members in every one of the sets, in no particular order"},
		API{Cmd: "SINTERCARD", Method: "SInterCard", Result: "int64",
			Manual: true, Params: "keys []string, opts []SInterCardOptions",
			Returns: "the size of the sets' intersection (at most Limit when it is set)"},
		API{Cmd: "SINTERSTORE", Method: "SInterStore", Result: "int64", Returns: "the size of the set stored at destination"},
		API{Cmd: "SISMEMBER", Method: "SIsMember", Result: "bool", Returns: "whether member is in the set"},
		API{Cmd: "SMEMBERS", Method: "SMembers", Result: "[]string", Returns: "the set's members, in no particular order (empty when the key does not exist)"},
		API{Cmd: "SMISMEMBER", Method: "SMIsMember", Result: "[]bool", Returns: "for each member in order, whether it is in the set"},
		API{Cmd: "SMOVE", Method: "SMove", Result: "bool", Returns: "whether member was moved (false when it is not in source)"},
		API{Cmd: "SPOP", Method: "SPop", Result: "string", Omit: []string{"count"},
			Returns: "a random member, removed from the set, or ErrNil when the key does not exist"},
		API{Cmd: "SPOP", Method: "SPopCount", Result: "[]string", Require: []string{"count"},
			Returns: "up to count random members, removed from the set (empty when the key does not exist)"},
		API{Cmd: "SRANDMEMBER", Method: "SRandMember", Result: "string", Omit: []string{"count"},
			Returns: "a random member, left in the set, or ErrNil when the key does not exist"},
		API{Cmd: "SRANDMEMBER", Method: "SRandMemberCount", Result: "[]string", Require: []string{"count"},
			Returns: "random members, left in the set: up to count distinct ones when count > 0, exactly -count with possible repeats when count < 0 (empty when the key does not exist)"},
		API{Cmd: "SREM", Method: "SRem", Result: "int64", Returns: "how many of the members were removed (were in the set)"},
		// SSCAN: SScanPage is the cursor-level command; SScan, the iterator
		// over all pages, is written by hand in set.go.
		API{Cmd: "SSCAN", Method: "SScanPage", Result: "CursorPage[string]", Decode: "asStringPage", Opts: "SScanOptions",
			Args:  map[string]string{"cursor": "uint64"},
			Names: map[string]string{"pattern": "Match"},
			Docs: map[string]string{
				"pattern": "visits only members matching this glob-style pattern (MATCH); the filter applies after a page is read, so pages may be empty",
				"count":   "hints how many members the server looks at per page (COUNT; the server's default is 10)",
			},
			Returns: "one page of the set's members and the cursor to pass next (0 when the iteration is complete)",
			Doc:     "Start with cursor 0. A page may be empty, and a member may appear on more than one page; SScan does the looping."},
		API{Cmd: "SSCAN", Method: "SScan", On: "none", Recv: "Client.SScan"},
		API{Cmd: "SUNION", Method: "SUnion", Result: "[]string", Returns: "the members in any of the sets, in no particular order"},
		API{Cmd: "SUNIONSTORE", Method: "SUnionStore", Result: "int64", Returns: "the size of the set stored at destination"},
	)
}
