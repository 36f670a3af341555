package main

// geoWith are the reply-shaping flags of the GEORADIUS family.
var geoWith = []string{"withcoord", "withdist", "withhash"}

func init() {
	plainOmit := append([]string{"store"}, geoWith...)
	roOmit := geoWith
	count := map[string]string{"count-block": "GeoCount"}
	countName := map[string]string{"count-block": "Count"}
	withNames := map[string]string{"count-block": "Count", "withcoord": "WithCoord", "withdist": "WithDist", "withhash": "WithHash"}
	const (
		plainRet = "the names of the members in the area"
		withRet  = "one GeoResult per member in the area, with the fields asked for filled"
		withDoc  = "The WithCoord, WithDist and WithHash options choose which fields of each GeoResult the server fills; unit is one of m, km, ft, mi."
		unitDoc  = "unit is one of m, km, ft, mi."
		depr     = " GEORADIUS and GEORADIUSBYMEMBER are deprecated since Redis 6.2 in favour of GEOSEARCH."
		storeDoc = "It sends STORE dest, or STOREDIST dest when StoreDist is set; unit is one of m, km, ft, mi."
	)
	register("geo",
		API{Cmd: "GEOADD", Method: "GeoAdd", Docs: map[string]string{"data.longitude": "is the position's longitude in degrees (-180 to 180)", "data.latitude": "is the position's latitude in degrees (-85.05112878 to 85.05112878)", "data.member": "is the name stored at the position"}, Result: "int64", Args: map[string]string{"data": "GeoLocation"}, Names: map[string]string{"data": "locations", "change": "CH"},
			Returns: "how many members were added (with CH: added or moved)",
			Doc:     "Conflicting options are reported before anything is sent."},
		API{Cmd: "GEODIST", Method: "GeoDist", Manual: true, Params: "key string, member1 string, member2 string, opts []GeoDistOptions", Result: "float64",
			Returns: "the distance between the two members in the unit asked for (meters by default), or ErrNil when one of them does not exist"},
		API{Cmd: "GEOHASH", Method: "GeoHash", Manual: true, Params: "key string, members []string", Result: "[]Null[string]",
			Returns: "one 11-character geohash per member, not Valid where the member does not exist"},
		API{Cmd: "GEOPOS", Method: "GeoPos", Manual: true, Params: "key string, members []string", Result: "[]Null[GeoPosition]", Decode: "asGeoPositions",
			Returns: "one position per member, not Valid where the member does not exist"},

		API{Cmd: "GEORADIUS", Method: "GeoRadius", Docs: geoCountDocs, Result: "[]string", Omit: plainOmit, Args: count, Names: countName,
			Returns: plainRet, Doc: unitDoc + depr},
		API{Cmd: "GEORADIUS", Method: "GeoRadiusWith", Docs: geoCountDocs, Result: "[]GeoResult", Decode: "asGeoResults", Omit: []string{"store"}, Args: count, Names: withNames,
			Returns: withRet, Doc: withDoc + depr},
		API{Cmd: "GEORADIUS", Method: "GeoRadiusStore", Manual: true, Result: "int64",
			Params:  "key string, longitude float64, latitude float64, radius float64, unit string, dest string, opts []GeoRadiusStoreOptions",
			Returns: "how many members were stored in dest", Doc: storeDoc + depr},
		API{Cmd: "GEORADIUSBYMEMBER", Method: "GeoRadiusByMember", Result: "[]string", Opts: "GeoRadiusOptions", Omit: plainOmit, Args: count, Names: countName,
			Returns: plainRet, Doc: unitDoc + depr},
		API{Cmd: "GEORADIUSBYMEMBER", Method: "GeoRadiusByMemberWith", Result: "[]GeoResult", Opts: "GeoRadiusWithOptions", Decode: "asGeoResults", Omit: []string{"store"}, Args: count, Names: withNames,
			Returns: withRet, Doc: withDoc + depr},
		API{Cmd: "GEORADIUSBYMEMBER", Method: "GeoRadiusByMemberStore", Manual: true, Result: "int64",
			Params:  "key string, member string, radius float64, unit string, dest string, opts []GeoRadiusStoreOptions",
			Returns: "how many members were stored in dest", Doc: storeDoc + depr},
		API{Cmd: "GEORADIUS_RO", Method: "GeoRadiusRO", Result: "[]string", Opts: "GeoRadiusOptions", Omit: roOmit, Args: count, Names: countName,
			Returns: plainRet, Doc: unitDoc + depr},
		API{Cmd: "GEORADIUS_RO", Method: "GeoRadiusROWith", Result: "[]GeoResult", Opts: "GeoRadiusWithOptions", Decode: "asGeoResults", Args: count, Names: withNames,
			Returns: withRet, Doc: withDoc + depr},
		API{Cmd: "GEORADIUSBYMEMBER_RO", Method: "GeoRadiusByMemberRO", Result: "[]string", Opts: "GeoRadiusOptions", Omit: roOmit, Args: count, Names: countName,
			Returns: plainRet, Doc: unitDoc + depr},
		API{Cmd: "GEORADIUSBYMEMBER_RO", Method: "GeoRadiusByMemberROWith", Result: "[]GeoResult", Opts: "GeoRadiusWithOptions", Decode: "asGeoResults", Args: count, Names: withNames,
			Returns: withRet, Doc: withDoc + depr},

		API{Cmd: "GEOSEARCH", Method: "GeoSearch", Manual: true, Result: "[]string",
			Params:  "key string, from GeoFrom, by GeoBy, opts []GeoSearchOptions",
			Returns: plainRet,
			Doc:     "from is GeoFromMember or GeoFromLonLat; by is GeoByRadius or GeoByBox."},
		API{Cmd: "GEOSEARCH", Method: "GeoSearchWith", Manual: true, Result: "[]GeoResult", Decode: "asGeoResults",
			Params:  "key string, from GeoFrom, by GeoBy, opts []GeoSearchWithOptions",
			Returns: withRet,
			Doc:     "from is GeoFromMember or GeoFromLonLat; by is GeoByRadius or GeoByBox. The WithCoord, WithDist and WithHash options choose which fields of each GeoResult the server fills."},
		API{Cmd: "GEOSEARCHSTORE", Method: "GeoSearchStore", Manual: true, Result: "int64",
			Params:  "destination string, source string, from GeoFrom, by GeoBy, opts []GeoSearchStoreOptions",
			Returns: "how many members were stored in destination",
			Doc:     "from is GeoFromMember or GeoFromLonLat; by is GeoByRadius or GeoByBox. StoreDist stores the distances as scores instead of the geohashes."},
	)
}

// geoCountDocs documents GeoCount, the COUNT count [ANY] block of the
// GEORADIUS family. (Docs for a block's last member would also be
// applied to the field holding the block, so ANY keeps its generated doc.)
var geoCountDocs = map[string]string{
	"count-block.count": "is the maximum number of matches to return",
}
