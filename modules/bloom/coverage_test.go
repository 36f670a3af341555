package bloom_test

import (
	"reflect"
	"testing"

	"github.com/respkit/redis"
	"github.com/respkit/redis/internal/moduletest"
	"github.com/respkit/redis/modules/bloom"
)

// bloomCommands are the 49 commands of RedisBloom's spec (commands.json of
// RedisBloom v8.8.0), copied here so that the test checks the command
// table against a list that does not come from it.
var bloomCommands = []string{
	"BF.ADD", "BF.CARD", "BF.EXISTS", "BF.INFO", "BF.INSERT", "BF.LOADCHUNK", "BF.MADD",
	"BF.MEXISTS", "BF.RESERVE", "BF.SCANDUMP",
	"CF.ADD", "CF.ADDNX", "CF.COUNT", "CF.DEL", "CF.EXISTS", "CF.INFO", "CF.INSERT",
	"CF.INSERTNX", "CF.LOADCHUNK", "CF.MEXISTS", "CF.RESERVE", "CF.SCANDUMP",
	"CMS.INCRBY", "CMS.INFO", "CMS.INITBYDIM", "CMS.INITBYPROB", "CMS.MERGE", "CMS.QUERY",
	"TDIGEST.ADD", "TDIGEST.BYRANK", "TDIGEST.BYREVRANK", "TDIGEST.CDF", "TDIGEST.CREATE",
	"TDIGEST.INFO", "TDIGEST.MAX", "TDIGEST.MERGE", "TDIGEST.MIN", "TDIGEST.QUANTILE",
	"TDIGEST.RANK", "TDIGEST.RESET", "TDIGEST.REVRANK", "TDIGEST.TRIMMED_MEAN",
	"TOPK.ADD", "TOPK.COUNT", "TOPK.INCRBY", "TOPK.INFO", "TOPK.LIST", "TOPK.QUERY",
	"TOPK.RESERVE",
}

// commandCoverage is how the package covers one command: the methods of
// *bloom.Client that send it, and a command built by each package-level
// constructor that builds it (the test checks that each is that command).
type commandCoverage struct {
	methods []string
	built   []*redis.Cmd
}

func cover(methods []string, built ...*redis.Cmd) commandCoverage {
	return commandCoverage{methods: methods, built: built}
}

func m(names ...string) []string { return names }

var (
	inc1  = bloom.Increment{Item: "i", By: 1}
	chunk = bloom.Chunk{Iterator: 1, Data: []byte("d")}
)

// coverage maps every command to its methods and constructors. BF.INFO
// and TOPK.LIST have two each (the whole reply and one field; with and
// without counts); SCANDUMP and LOADCHUNK have, besides, the methods that
// run the whole dump or load (ScanDumpAll, LoadChunks, Copy).
var coverage = map[string]commandCoverage{
	"BF.ADD":       cover(m("BFAdd"), bloom.BFAdd("k", "i").Cmd),
	"BF.CARD":      cover(m("BFCard"), bloom.BFCard("k").Cmd),
	"BF.EXISTS":    cover(m("BFExists"), bloom.BFExists("k", "i").Cmd),
	"BF.INFO":      cover(m("BFInfo", "BFInfoValue"), bloom.BFInfo("k").Cmd, bloom.BFInfoValue("k", bloom.BFInfoSize).Cmd),
	"BF.INSERT":    cover(m("BFInsert"), bloom.BFInsert("k", []string{"i"}).Cmd),
	"BF.LOADCHUNK": cover(m("BFLoadChunk", "BFLoadChunks", "BFCopy"), bloom.BFLoadChunk("k", chunk).Cmd),
	"BF.MADD":      cover(m("BFMAdd"), bloom.BFMAdd("k", "i").Cmd),
	"BF.MEXISTS":   cover(m("BFMExists"), bloom.BFMExists("k", "i").Cmd),
	"BF.RESERVE":   cover(m("BFReserve"), bloom.BFReserve("k", 0.01, 100).Cmd),
	"BF.SCANDUMP":  cover(m("BFScanDump", "BFScanDumpAll", "BFCopy"), bloom.BFScanDump("k", 0).Cmd),

	"CF.ADD":       cover(m("CFAdd"), bloom.CFAdd("k", "i").Cmd),
	"CF.ADDNX":     cover(m("CFAddNX"), bloom.CFAddNX("k", "i").Cmd),
	"CF.COUNT":     cover(m("CFCount"), bloom.CFCount("k", "i").Cmd),
	"CF.DEL":       cover(m("CFDel"), bloom.CFDel("k", "i").Cmd),
	"CF.EXISTS":    cover(m("CFExists"), bloom.CFExists("k", "i").Cmd),
	"CF.INFO":      cover(m("CFInfo"), bloom.CFInfo("k").Cmd),
	"CF.INSERT":    cover(m("CFInsert"), bloom.CFInsert("k", []string{"i"}).Cmd),
	"CF.INSERTNX":  cover(m("CFInsertNX"), bloom.CFInsertNX("k", []string{"i"}).Cmd),
	"CF.LOADCHUNK": cover(m("CFLoadChunk", "CFLoadChunks", "CFCopy"), bloom.CFLoadChunk("k", chunk).Cmd),
	"CF.MEXISTS":   cover(m("CFMExists"), bloom.CFMExists("k", "i").Cmd),
	"CF.RESERVE":   cover(m("CFReserve"), bloom.CFReserve("k", 1000).Cmd),
	"CF.SCANDUMP":  cover(m("CFScanDump", "CFScanDumpAll", "CFCopy"), bloom.CFScanDump("k", 0).Cmd),

	"CMS.INCRBY":     cover(m("CMSIncrBy"), bloom.CMSIncrBy("k", inc1).Cmd),
	"CMS.INFO":       cover(m("CMSInfo"), bloom.CMSInfo("k").Cmd),
	"CMS.INITBYDIM":  cover(m("CMSInitByDim"), bloom.CMSInitByDim("k", 10, 2).Cmd),
	"CMS.INITBYPROB": cover(m("CMSInitByProb"), bloom.CMSInitByProb("k", 0.01, 0.01).Cmd),
	"CMS.MERGE":      cover(m("CMSMerge"), bloom.CMSMerge("d", []string{"s"}).Cmd),
	"CMS.QUERY":      cover(m("CMSQuery"), bloom.CMSQuery("k", "i").Cmd),

	"TDIGEST.ADD":          cover(m("TDigestAdd"), bloom.TDigestAdd("k", 1).Cmd),
	"TDIGEST.BYRANK":       cover(m("TDigestByRank"), bloom.TDigestByRank("k", 1).Cmd),
	"TDIGEST.BYREVRANK":    cover(m("TDigestByRevRank"), bloom.TDigestByRevRank("k", 1).Cmd),
	"TDIGEST.CDF":          cover(m("TDigestCDF"), bloom.TDigestCDF("k", 1).Cmd),
	"TDIGEST.CREATE":       cover(m("TDigestCreate"), bloom.TDigestCreate("k").Cmd),
	"TDIGEST.INFO":         cover(m("TDigestInfo"), bloom.TDigestInfo("k").Cmd),
	"TDIGEST.MAX":          cover(m("TDigestMax"), bloom.TDigestMax("k").Cmd),
	"TDIGEST.MERGE":        cover(m("TDigestMerge"), bloom.TDigestMerge("d", []string{"s"}).Cmd),
	"TDIGEST.MIN":          cover(m("TDigestMin"), bloom.TDigestMin("k").Cmd),
	"TDIGEST.QUANTILE":     cover(m("TDigestQuantile"), bloom.TDigestQuantile("k", 0.5).Cmd),
	"TDIGEST.RANK":         cover(m("TDigestRank"), bloom.TDigestRank("k", 1).Cmd),
	"TDIGEST.RESET":        cover(m("TDigestReset"), bloom.TDigestReset("k").Cmd),
	"TDIGEST.REVRANK":      cover(m("TDigestRevRank"), bloom.TDigestRevRank("k", 1).Cmd),
	"TDIGEST.TRIMMED_MEAN": cover(m("TDigestTrimmedMean"), bloom.TDigestTrimmedMean("k", 0.1, 0.9).Cmd),

	"TOPK.ADD":     cover(m("TopKAdd"), bloom.TopKAdd("k", "i").Cmd),
	"TOPK.COUNT":   cover(m("TopKCount"), bloom.TopKCount("k", "i").Cmd),
	"TOPK.INCRBY":  cover(m("TopKIncrBy"), bloom.TopKIncrBy("k", inc1).Cmd),
	"TOPK.INFO":    cover(m("TopKInfo"), bloom.TopKInfo("k").Cmd),
	"TOPK.LIST":    cover(m("TopKList", "TopKListWithCount"), bloom.TopKList("k").Cmd, bloom.TopKListWithCount("k").Cmd),
	"TOPK.QUERY":   cover(m("TopKQuery"), bloom.TopKQuery("k", "i").Cmd),
	"TOPK.RESERVE": cover(m("TopKReserve"), bloom.TopKReserve("k", 3).Cmd),
}

// excluded lists commands of the table the package deliberately does not
// cover, with the reason. None today.
var excluded = map[string]string{}

// TestCoverage checks the 49 commands of the spec against the command
// table's entries of the bloom module; that every command is sent by
// methods of *bloom.Client (by reflection) and built by constructors that
// do build that command (known to the command table, with its key); and
// that every method is accounted for.
func TestCoverage(t *testing.T) {
	if len(bloomCommands) != 49 {
		t.Errorf("the list has %d commands, want 49", len(bloomCommands))
	}
	c := moduletest.Coverage{
		Module:       "bloom",
		Commands:     bloomCommands,
		Client:       reflect.TypeFor[*bloom.Client](),
		Methods:      map[string][]string{},
		Constructors: map[string][]any{},
		Excluded:     excluded,
		NotCommands:  []string{"Redis"},
	}
	for name, cc := range coverage {
		c.Methods[name] = cc.methods
		for _, cmd := range cc.built {
			c.Constructors[name] = append(c.Constructors[name], cmd)
		}
		if len(cc.built) == 0 {
			t.Errorf("%s: no constructor builds it", name)
		}
	}
	c.Check(t)
}
