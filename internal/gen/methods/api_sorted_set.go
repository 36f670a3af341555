package main

// Sorted sets. Score bounds (ZCOUNT, ZRANGEBYSCORE, ZREMRANGEBYSCORE, ZRANGE
// BYSCORE) are strings, since Redis takes "(1.5" and "-inf" as well as
// numbers; lexicographic bounds ("[a", "(b", "-", "+") are strings too.
// ZRANGE by index takes int64 indexes. Commands with a numkeys argument are
// Manual (the generator has no numkeys support): their keys are a slice and
// the count is derived from it.

const (
	zScoreBoundsDoc = "minScore and maxScore are score bounds: a number (inclusive), a number after \"(\" (exclusive), \"-inf\" or \"+inf\"."
	zLexBoundsDoc   = "minLex and maxLex are lexicographic bounds: a member after \"[\" (inclusive) or \"(\" (exclusive), \"-\" or \"+\"."
	zRangeDoc       = "start and stop are zero-based ranks; negative ones count from the highest score (-1 is the last member). Rev walks from the highest score down."
	zUnionDoc       = "Weights (one per key) multiply each input's scores; Aggregate (SUM, MIN, MAX, or COUNT since Redis 8.8) chooses how a member's scores combine. A Weights slice whose length differs from the number of keys is reported before anything is sent."
)

func init() {
	limit := map[string]string{"limit": "Limit"}
	scoreArgs := map[string]string{"min": "string", "max": "string"}
	scoreLimit := map[string]string{"min": "string", "max": "string", "limit": "Limit"}
	scoreNames := map[string]string{"min": "minScore", "max": "maxScore"}
	lexNames := map[string]string{"min": "minLex", "max": "maxLex"}
	register("sorted_set",
		// Blocking pops.
		API{Cmd: "BZMPOP", Method: "BZMPop", Manual: true, Params: "timeout time.Duration, keys []string, where string, opts []ZMPopOptions",
			Result: "ZMPopResult", Decode: "asZMPop",
			Returns: "the key popped from and its popped members, or ErrNil when the timeout passed first",
			Doc:     "where is \"MIN\" (lowest scores first) or \"MAX\". The first non-empty key, in order, is popped from; Count (default 1) caps how many members. A timeout of 0 blocks until a member arrives; the call also ends when ctx is done."},
		API{Cmd: "BZPOPMAX", Method: "BZPopMax", Result: "ZWithKey", Decode: "asZWithKey",
			Args: map[string]string{"timeout": "fseconds"}, Block: "timeout",
			Returns: "the member with the highest score of the first non-empty key, with that key, or ErrNil when the timeout passed first",
			Doc:     "A timeout of 0 blocks until a member arrives; the call also ends when ctx is done."},
		API{Cmd: "BZPOPMIN", Method: "BZPopMin", Result: "ZWithKey", Decode: "asZWithKey",
			Args: map[string]string{"timeout": "fseconds"}, Block: "timeout",
			Returns: "the member with the lowest score of the first non-empty key, with that key, or ErrNil when the timeout passed first",
			Doc:     "A timeout of 0 blocks until a member arrives; the call also ends when ctx is done."},

		// ZADD.
		API{Cmd: "ZADD", Method: "ZAdd", Manual: true, Params: "key string, members []Z, opts []ZAddOptions", Result: "int64",
			Returns: "how many members were added (with CH: added or given a new score)",
			Doc:     "At least one member is needed. NX and XX exclude each other, as do GT and LT, and NX excludes GT and LT: conflicts are reported before anything is sent. For ZADD's INCR form, see ZAddIncr."},
		API{Cmd: "ZADD", Method: "ZAddIncr", Manual: true, Params: "key string, increment float64, member string, opts []ZAddIncrOptions",
			Result: "float64", Decode: "asFloat64",
			Returns: "the member's new score, or ErrNil when NX, XX, GT or LT kept the score from changing",
			Doc:     "It sends ZADD key [NX | XX] [GT | LT] INCR increment member, which works like ZINCRBY under the given condition. Conflicting conditions are reported before anything is sent."},

		API{Cmd: "ZCARD", Method: "ZCard", Result: "int64", Returns: "the number of members (0 when the key does not exist)"},
		API{Cmd: "ZCOUNT", Method: "ZCount", Result: "int64", Args: scoreArgs, Names: scoreNames,
			Returns: "how many members have a score between minScore and maxScore", Doc: zScoreBoundsDoc},

		// ZDIFF, ZINTER, ZUNION and their STORE forms: numkeys is derived.
		API{Cmd: "ZDIFF", Method: "ZDiff", Manual: true, Params: "keys []string", Result: "[]string",
			Returns: "the members of the first set that are in none of the others, by score"},
		API{Cmd: "ZDIFF", Method: "ZDiffWithScores", Manual: true, Params: "keys []string", Result: "[]Z", Decode: "asZs",
			Returns: "the members (with their scores) of the first set that are in none of the others, by score"},
		API{Cmd: "ZDIFFSTORE", Method: "ZDiffStore", Manual: true, Params: "destination string, keys []string", Result: "int64",
			Returns: "the number of members stored in destination"},
		API{Cmd: "ZINCRBY", Method: "ZIncrBy", Result: "float64", Args: map[string]string{"increment": "float64"},
			Returns: "the member's new score", Doc: "A member that is not in the set is added with the increment as its score."},
		API{Cmd: "ZINTER", Method: "ZInter", Manual: true, Params: "keys []string, opts []ZCombineOptions", Result: "[]string",
			Returns: "the members present in every set, by combined score", Doc: zUnionDoc},
		API{Cmd: "ZINTER", Method: "ZInterWithScores", Manual: true, Params: "keys []string, opts []ZCombineOptions", Result: "[]Z", Decode: "asZs",
			Returns: "the members present in every set with their combined scores, by score", Doc: zUnionDoc},
		API{Cmd: "ZINTERCARD", Method: "ZInterCard", Manual: true, Params: "keys []string, opts []ZInterCardOptions", Result: "int64",
			Returns: "the number of members present in every set (at most Limit when Limit is set)"},
		API{Cmd: "ZINTERSTORE", Method: "ZInterStore", Manual: true, Params: "destination string, keys []string, opts []ZCombineOptions", Result: "int64",
			Returns: "the number of members stored in destination", Doc: zUnionDoc},
		API{Cmd: "ZLEXCOUNT", Method: "ZLexCount", Result: "int64", Names: lexNames,
			Returns: "how many members lie between minLex and maxLex (for a set whose members all have the same score)", Doc: zLexBoundsDoc},

		// Non-blocking multi-key pop.
		API{Cmd: "ZMPOP", Method: "ZMPop", Manual: true, Params: "keys []string, where string, opts []ZMPopOptions",
			Result: "ZMPopResult", Decode: "asZMPop",
			Returns: "the key popped from and its popped members, or ErrNil when every key is empty",
			Doc:     "where is \"MIN\" (lowest scores first) or \"MAX\". The first non-empty key, in order, is popped from; Count (default 1) caps how many members."},
		API{Cmd: "ZMSCORE", Method: "ZMScore", Result: "[]Null[float64]", Decode: "asZMScore",
			Returns: "one score per member, not Valid for a member that is not in the set (or when the key does not exist)"},
		API{Cmd: "ZPOPMAX", Method: "ZPopMax", Docs: map[string]string{"count": "is the maximum number of members to pop (the server's default is 1)"}, Result: "[]Z", Decode: "asZs",
			Returns: "the removed members with their scores, highest first (empty when the key does not exist)",
			Doc:     "Count (default 1) is how many members to pop."},
		API{Cmd: "ZPOPMIN", Method: "ZPopMin", Docs: map[string]string{"count": "is the maximum number of members to pop (the server's default is 1)"}, Result: "[]Z", Decode: "asZs",
			Returns: "the removed members with their scores, lowest first (empty when the key does not exist)",
			Doc:     "Count (default 1) is how many members to pop."},

		// ZRANDMEMBER: one member, count members, count members with scores.
		API{Cmd: "ZRANDMEMBER", Method: "ZRandMember", Result: "string", Omit: []string{"options"},
			Returns: "a random member, or ErrNil when the key does not exist"},
		API{Cmd: "ZRANDMEMBER", Method: "ZRandMembers", Result: "[]string",
			Require: []string{"options"}, Omit: []string{"options.withscores"},
			Returns: "up to count distinct random members; a negative count returns exactly -count members, possibly repeated"},
		API{Cmd: "ZRANDMEMBER", Method: "ZRandMembersWithScores", Result: "[]Z", Decode: "asZs",
			Require: []string{"options"}, Fix: []string{"options.withscores"},
			Returns: "up to count distinct random members with their scores; a negative count returns exactly -count, possibly repeated"},

		// ZRANGE by index, by score and by lexicographic order.
		API{Cmd: "ZRANGE", Method: "ZRange", Result: "[]string",
			Args: map[string]string{"start": "int64", "stop": "int64"}, Omit: []string{"sortby", "limit", "withscores"},
			Returns: "the members ranked start to stop, lowest score first (highest with Rev)", Doc: zRangeDoc},
		API{Cmd: "ZRANGE", Method: "ZRangeWithScores", Result: "[]Z", Decode: "asZs", Opts: "ZRangeOptions",
			Args: map[string]string{"start": "int64", "stop": "int64"}, Omit: []string{"sortby", "limit"}, Fix: []string{"withscores"},
			Returns: "the members ranked start to stop with their scores, lowest score first (highest with Rev)", Doc: zRangeDoc},
		API{Cmd: "ZRANGE", Method: "ZRangeScore", Result: "[]string",
			Args: limit, Fix: []string{"sortby.byscore"}, Omit: []string{"sortby.bylex", "withscores"},
			Returns: "the members whose scores lie between start and stop, by score",
			Doc:     "It is the Redis 6.2 form of ZRANGEBYSCORE (see ZRangeByScore). start and stop are score bounds: a number (inclusive), a number after \"(\" (exclusive), \"-inf\" or \"+inf\"; with Rev, start is the upper bound and the members come highest score first. Limit skips Offset members and returns at most Count (a negative Count: all)."},
		API{Cmd: "ZRANGE", Method: "ZRangeScoreWithScores", Result: "[]Z", Decode: "asZs", Opts: "ZRangeScoreOptions",
			Args: limit, Fix: []string{"sortby.byscore", "withscores"}, Omit: []string{"sortby.bylex"},
			Returns: "the members whose scores lie between start and stop, with their scores, by score",
			Doc:     "It is the Redis 6.2 form of ZRANGEBYSCORE WITHSCORES. start and stop are score bounds: a number (inclusive), a number after \"(\" (exclusive), \"-inf\" or \"+inf\"; with Rev, start is the upper bound. Limit skips Offset members and returns at most Count (a negative Count: all)."},
		API{Cmd: "ZRANGE", Method: "ZRangeLex", Result: "[]string",
			Args: limit, Fix: []string{"sortby.bylex"}, Omit: []string{"sortby.byscore", "withscores"},
			Returns: "the members between start and stop in lexicographic order (for a set whose members all have the same score)",
			Doc:     "It is the Redis 6.2 form of ZRANGEBYLEX (see ZRangeByLex). start and stop are lexicographic bounds: a member after \"[\" (inclusive) or \"(\" (exclusive), \"-\" or \"+\"; with Rev, start is the upper bound. Limit skips Offset members and returns at most Count."},
		API{Cmd: "ZRANGEBYLEX", Method: "ZRangeByLex", Result: "[]string", Args: limit, Names: lexNames,
			Returns: "the members between minLex and maxLex in lexicographic order (for a set whose members all have the same score)",
			Doc:     zLexBoundsDoc + " Limit skips Offset members and returns at most Count."},
		API{Cmd: "ZRANGEBYSCORE", Method: "ZRangeByScore", Result: "[]string", Args: scoreLimit, Names: scoreNames, Omit: []string{"withscores"},
			Returns: "the members whose scores lie between minScore and maxScore, lowest first",
			Doc:     zScoreBoundsDoc + " Limit skips Offset members and returns at most Count (a negative Count: all)."},
		API{Cmd: "ZRANGEBYSCORE", Method: "ZRangeByScoreWithScores", Result: "[]Z", Decode: "asZs", Opts: "ZRangeByScoreOptions", Args: scoreLimit, Names: scoreNames, Fix: []string{"withscores"},
			Returns: "the members whose scores lie between minScore and maxScore with their scores, lowest first",
			Doc:     zScoreBoundsDoc + " Limit skips Offset members and returns at most Count (a negative Count: all)."},
		API{Cmd: "ZRANGESTORE", Method: "ZRangeStore", Result: "int64",
			Args:    map[string]string{"limit": "Limit"},
			Names:   map[string]string{"min": "start", "max": "stop", "sortby.byscore": "ByScore", "sortby.bylex": "ByLex"},
			Returns: "the number of members stored in dst",
			Doc:     "Without ByScore or ByLex, start and stop are ranks (\"0\", \"-1\"); with ByScore, score bounds (\"(1.5\", \"-inf\"); with ByLex, lexicographic bounds (\"[a\", \"-\"). With Rev, start is the upper bound. Limit needs ByScore or ByLex."},
		API{Cmd: "ZRANK", Method: "ZRank", Result: "int64", Omit: []string{"withscore"},
			Returns: "the member's zero-based rank by ascending score, or ErrNil when the member or the key does not exist"},
		API{Cmd: "ZRANK", Method: "ZRankWithScore", Result: "ZRankScore", Decode: "asZRankScore", Fix: []string{"withscore"},
			Returns: "the member's zero-based rank by ascending score and its score, or ErrNil when the member or the key does not exist",
			Doc:     "WITHSCORE needs Redis 7.2."},
		API{Cmd: "ZREM", Method: "ZRem", Result: "int64", Returns: "how many of the members were in the set and were removed"},
		API{Cmd: "ZREMRANGEBYLEX", Method: "ZRemRangeByLex", Result: "int64", Names: lexNames,
			Returns: "how many members were removed", Doc: zLexBoundsDoc},
		API{Cmd: "ZREMRANGEBYRANK", Method: "ZRemRangeByRank", Result: "int64",
			Returns: "how many members were removed", Doc: "start and stop are zero-based ranks by ascending score; negative ones count from the highest score."},
		API{Cmd: "ZREMRANGEBYSCORE", Method: "ZRemRangeByScore", Result: "int64", Args: scoreArgs, Names: scoreNames,
			Returns: "how many members were removed", Doc: zScoreBoundsDoc},
		API{Cmd: "ZREVRANGE", Method: "ZRevRange", Result: "[]string", Omit: []string{"withscores"},
			Returns: "the members ranked start to stop by descending score",
			Doc:     "start and stop are zero-based ranks counted from the highest score; negative ones count from the lowest."},
		API{Cmd: "ZREVRANGE", Method: "ZRevRangeWithScores", Result: "[]Z", Decode: "asZs", Fix: []string{"withscores"},
			Returns: "the members ranked start to stop by descending score, with their scores",
			Doc:     "start and stop are zero-based ranks counted from the highest score; negative ones count from the lowest."},
		API{Cmd: "ZREVRANGEBYLEX", Method: "ZRevRangeByLex", Result: "[]string", Args: limit, Names: lexNames,
			Returns: "the members between maxLex and minLex in reverse lexicographic order",
			Doc:     "maxLex and minLex are lexicographic bounds: a member after \"[\" (inclusive) or \"(\" (exclusive), \"+\" or \"-\". Limit skips Offset members and returns at most Count."},
		API{Cmd: "ZREVRANGEBYSCORE", Method: "ZRevRangeByScore", Result: "[]string", Args: scoreLimit, Names: scoreNames, Omit: []string{"withscores"},
			Returns: "the members whose scores lie between maxScore and minScore, highest first",
			Doc:     "maxScore and minScore are score bounds: a number (inclusive), a number after \"(\" (exclusive), \"+inf\" or \"-inf\". Limit skips Offset members and returns at most Count (a negative Count: all)."},
		API{Cmd: "ZREVRANGEBYSCORE", Method: "ZRevRangeByScoreWithScores", Result: "[]Z", Decode: "asZs", Opts: "ZRevRangeByScoreOptions", Args: scoreLimit, Names: scoreNames, Fix: []string{"withscores"},
			Returns: "the members whose scores lie between maxScore and minScore with their scores, highest first",
			Doc:     "maxScore and minScore are score bounds: a number (inclusive), a number after \"(\" (exclusive), \"+inf\" or \"-inf\". Limit skips Offset members and returns at most Count (a negative Count: all)."},
		API{Cmd: "ZREVRANK", Method: "ZRevRank", Result: "int64", Omit: []string{"withscore"},
			Returns: "the member's zero-based rank by descending score, or ErrNil when the member or the key does not exist"},
		API{Cmd: "ZREVRANK", Method: "ZRevRankWithScore", Result: "ZRankScore", Decode: "asZRankScore", Fix: []string{"withscore"},
			Returns: "the member's zero-based rank by descending score and its score, or ErrNil when the member or the key does not exist",
			Doc:     "WITHSCORE needs Redis 7.2."},
		// ZSCAN: ZScanPage is the cursor-level command; ZScan, the iterator
		// over all pages, is written by hand in zset.go.
		API{Cmd: "ZSCAN", Method: "ZScanPage", Result: "CursorPage[Z]", Decode: "asZPage", Opts: "ZScanOptions",
			Args:  map[string]string{"cursor": "uint64"},
			Names: map[string]string{"pattern": "Match"},
			Docs: map[string]string{
				"pattern": "visits only members matching this glob-style pattern (MATCH); the filter applies after a page is read, so pages may be empty",
				"count":   "hints how many members the server looks at per page (COUNT; the server's default is 10)",
			},
			Returns: "one page of the sorted set's members with their scores and the cursor to pass next (0 when the iteration is complete)",
			Doc:     "Start with cursor 0. A page may be empty, and a member may appear on more than one page; ZScan does the looping."},
		API{Cmd: "ZSCAN", Method: "ZScan", On: "none", Recv: "Client.ZScan"},
		API{Cmd: "ZSCORE", Method: "ZScore", Result: "float64",
			Returns: "the member's score, or ErrNil when the member or the key does not exist"},
		API{Cmd: "ZUNION", Method: "ZUnion", Manual: true, Params: "keys []string, opts []ZCombineOptions", Result: "[]string",
			Returns: "the members of any of the sets, by combined score", Doc: zUnionDoc},
		API{Cmd: "ZUNION", Method: "ZUnionWithScores", Manual: true, Params: "keys []string, opts []ZCombineOptions", Result: "[]Z", Decode: "asZs",
			Returns: "the members of any of the sets with their combined scores, by score", Doc: zUnionDoc},
		API{Cmd: "ZUNIONSTORE", Method: "ZUnionStore", Manual: true, Params: "destination string, keys []string, opts []ZCombineOptions", Result: "int64",
			Returns: "the number of members stored in destination", Doc: zUnionDoc},
	)
}
