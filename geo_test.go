package redis_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/respkit/redis"
)

var geoSicily = []redis.GeoLocation{
	{Longitude: 13.361389, Latitude: 38.115556, Member: "Palermo"},
	{Longitude: 15.087269, Latitude: 37.502669, Member: "Catania"},
}

// Expected replies for the two cities above, searched around (15, 37).
const (
	geoPalermoHash = 3479099956230698
	geoCataniaHash = 3479447370796909
)

func geoNear(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

func geoSetup(t *testing.T, c *redis.Client) string {
	t.Helper()
	k := key(t, "geo")
	if n, err := c.GeoAdd(context.Background(), k, geoSicily); err != nil || n != 2 {
		t.Fatalf("GeoAdd = %d, %v; want 2", n, err)
	}
	return k
}

// geoCheckSicily checks a WITH* result for Catania then Palermo (ASC).
func geoCheckSicily(t *testing.T, what string, got []redis.GeoResult, coord, dist, hash bool) {
	t.Helper()
	if len(got) != 2 || got[0].Member != "Catania" || got[1].Member != "Palermo" {
		t.Fatalf("%s = %+v, want Catania then Palermo", what, got)
	}
	wantDist := []float64{56.4413, 190.4424}
	wantHash := []int64{geoCataniaHash, geoPalermoHash}
	for i, r := range got {
		if dist != geoNear(r.Dist, wantDist[i], 1e-3) {
			t.Fatalf("%s: %s Dist = %v (asked: %v)", what, r.Member, r.Dist, dist)
		}
		if hash != (r.Hash == wantHash[i]) {
			t.Fatalf("%s: %s Hash = %v (asked: %v)", what, r.Member, r.Hash, hash)
		}
		loc := geoSicily[1-i]
		if coord != (geoNear(r.Position.Longitude, loc.Longitude, 1e-4) && geoNear(r.Position.Latitude, loc.Latitude, 1e-4)) {
			t.Fatalf("%s: %s Position = %+v (asked: %v)", what, r.Member, r.Position, coord)
		}
	}
}

func TestGeoBasics(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := geoSetup(t, c)
		moved := []redis.GeoLocation{{Longitude: 13.5, Latitude: 38.1, Member: "Palermo"}, {Longitude: 14, Latitude: 37, Member: "Agrigento"}}
		if n, err := c.GeoAdd(ctx, k, moved, redis.GeoAddOptions{XX: true, CH: true}); err != nil || n != 1 {
			t.Fatalf("GeoAdd XX CH = %d, %v; want 1 (moved Palermo, no Agrigento)", n, err)
		}
		if n, err := c.GeoAdd(ctx, k, geoSicily[:1]); err != nil || n != 0 {
			t.Fatalf("GeoAdd back = %d, %v", n, err)
		}
		if d, err := c.GeoDist(ctx, k, "Palermo", "Catania"); err != nil || !geoNear(d, 166274.1516, 1e-3) {
			t.Fatalf("GeoDist = %v, %v", d, err)
		}
		if d, err := c.GeoDist(ctx, k, "Palermo", "Catania", redis.GeoDistOptions{Unit: "KM"}); err != nil || !geoNear(d, 166.2742, 1e-3) {
			t.Fatalf("GeoDist km = %v, %v", d, err)
		}
		if _, err := c.GeoDist(ctx, k, "Palermo", "Nowhere"); !errors.Is(err, redis.ErrNil) {
			t.Fatalf("GeoDist to a missing member: %v, want ErrNil", err)
		}
		h, err := c.GeoHash(ctx, k, "Palermo", "Nowhere", "Catania")
		if err != nil {
			t.Fatal(err)
		}
		wantH := []redis.Null[string]{{V: "sqc8b49rny0", Valid: true}, {}, {V: "sqdtr74hyu0", Valid: true}}
		if !reflect.DeepEqual(h, wantH) {
			t.Fatalf("GeoHash = %+v, want %+v", h, wantH)
		}
		pos, err := c.GeoPos(ctx, k, "Palermo", "Nowhere")
		if err != nil {
			t.Fatal(err)
		}
		if len(pos) != 2 || !pos[0].Valid || pos[1].Valid ||
			!geoNear(pos[0].V.Longitude, 13.361389, 1e-5) || !geoNear(pos[0].V.Latitude, 38.115556, 1e-5) {
			t.Fatalf("GeoPos = %+v", pos)
		}

		wantArgs(t, redis.GeoAdd("k", geoSicily[:1], redis.GeoAddOptions{NX: true, CH: true}), "GEOADD", "k", "NX", "CH", "13.361389", "38.115556", "Palermo")
		wantBuildError(t, redis.GeoAdd("k", geoSicily, redis.GeoAddOptions{NX: true, XX: true}), "at most one of NX, XX")
		wantBuildError(t, redis.GeoAdd("k", nil), "at least one")
		wantArgs(t, redis.GeoDist("k", "a", "b", redis.GeoDistOptions{Unit: "mi"}), "GEODIST", "k", "a", "b", "mi")
		wantBuildError(t, redis.GeoDist("k", "a", "b", redis.GeoDistOptions{Unit: "yards"}), "unit must be one of")
		wantArgs(t, redis.GeoPos("k", "a", "b"), "GEOPOS", "k", "a", "b")
		wantArgs(t, redis.GeoHash("k"), "GEOHASH", "k")
	})
}

func TestGeoRadius(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := geoSetup(t, c)
		names, err := c.GeoRadius(ctx, k, 15, 37, 200, "km", redis.GeoRadiusOptions{Asc: true})
		if err != nil || !reflect.DeepEqual(names, []string{"Catania", "Palermo"}) {
			t.Fatalf("GeoRadius = %q, %v", names, err)
		}
		names, err = c.GeoRadiusRO(ctx, k, 15, 37, 100, "km")
		if err != nil || !reflect.DeepEqual(names, []string{"Catania"}) {
			t.Fatalf("GeoRadiusRO 100 km = %q, %v", names, err)
		}
		names, err = c.GeoRadiusByMember(ctx, k, "Palermo", 200, "km", redis.GeoRadiusOptions{Desc: true})
		if err != nil || !reflect.DeepEqual(names, []string{"Catania", "Palermo"}) {
			t.Fatalf("GeoRadiusByMember DESC = %q, %v", names, err)
		}
		names, err = c.GeoRadiusByMemberRO(ctx, k, "Palermo", 200, "km", redis.GeoRadiusOptions{Count: &redis.GeoCount{Count: 1}, Asc: true})
		if err != nil || !reflect.DeepEqual(names, []string{"Palermo"}) {
			t.Fatalf("GeoRadiusByMemberRO COUNT 1 = %q, %v", names, err)
		}

		all, err := c.GeoRadiusWith(ctx, k, 15, 37, 200, "km", redis.GeoRadiusWithOptions{WithCoord: true, WithDist: true, WithHash: true, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		geoCheckSicily(t, "GeoRadiusWith all", all, true, true, true)
		dist, err := c.GeoRadiusROWith(ctx, k, 15, 37, 200, "km", redis.GeoRadiusWithOptions{WithDist: true, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		geoCheckSicily(t, "GeoRadiusROWith WITHDIST", dist, false, true, false)
		hash, err := c.GeoRadiusByMemberWith(ctx, k, "Catania", 200, "km", redis.GeoRadiusWithOptions{WithHash: true, WithCoord: true, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		geoCheckSicily(t, "GeoRadiusByMemberWith WITHHASH WITHCOORD", hash, true, false, true)
		bare, err := c.GeoRadiusByMemberROWith(ctx, k, "Catania", 200, "km", redis.GeoRadiusWithOptions{Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		geoCheckSicily(t, "GeoRadiusByMemberROWith (no WITH)", bare, false, false, false)

		dst := key(t, "dst")
		if n, err := c.GeoRadiusStore(ctx, k, 15, 37, 200, "km", dst); err != nil || n != 2 {
			t.Fatalf("GeoRadiusStore = %d, %v; want 2", n, err)
		}
		if s, err := c.Do(ctx, "ZSCORE", dst, "Palermo").Int64(); err != nil || s != geoPalermoHash {
			t.Fatalf("STORE score = %d, %v; want the geohash", s, err)
		}
		if n, err := c.GeoRadiusByMemberStore(ctx, k, "Catania", 100, "km", dst, redis.GeoRadiusStoreOptions{StoreDist: true}); err != nil || n != 1 {
			t.Fatalf("GeoRadiusByMemberStore STOREDIST = %d, %v; want 1", n, err)
		}
		if s, err := c.Do(ctx, "ZSCORE", dst, "Catania").Float64(); err != nil || s != 0 {
			t.Fatalf("STOREDIST score = %v, %v; want 0", s, err)
		}

		wantArgs(t, redis.GeoRadius("k", 15, 37, 200, "KM", redis.GeoRadiusOptions{Count: &redis.GeoCount{Count: 3, Any: true}, Desc: true}),
			"GEORADIUS", "k", "15", "37", "200", "km", "COUNT", "3", "ANY", "DESC")
		wantArgs(t, redis.GeoRadiusWith("k", 15, 37, 200, "m", redis.GeoRadiusWithOptions{WithCoord: true, WithHash: true}),
			"GEORADIUS", "k", "15", "37", "200", "m", "WITHCOORD", "WITHHASH")
		wantArgs(t, redis.GeoRadiusStore("k", 15, 37, 200, "ft", "d", redis.GeoRadiusStoreOptions{Asc: true, StoreDist: true, Count: &redis.GeoCount{Count: 2}}),
			"GEORADIUS", "k", "15", "37", "200", "ft", "COUNT", "2", "ASC", "STOREDIST", "d")
		wantArgs(t, redis.GeoRadiusByMemberStore("k", "m1", 5, "mi", "d"), "GEORADIUSBYMEMBER", "k", "m1", "5", "mi", "STORE", "d")
		if rk, _ := redis.GeoRadiusStore("src", 1, 2, 3, "m", "dst").Key(); rk != "src" {
			t.Fatalf("GeoRadiusStore routes by %q, want src", rk)
		}
		wantBuildError(t, redis.GeoRadius("k", 15, 37, 200, "leagues"), "unit must be one of")
		wantBuildError(t, redis.GeoRadiusStore("k", 15, 37, 200, "km", "d", redis.GeoRadiusStoreOptions{Asc: true, Desc: true}), "Asc, Desc")
		wantBuildError(t, redis.GeoRadiusStore("k", 15, 37, 200, "km", "d", redis.GeoRadiusStoreOptions{Count: &redis.GeoCount{}}), "COUNT must be positive")
	})
}

func TestGeoSearch(t *testing.T) {
	ctx := context.Background()
	withClients(t, func(t *testing.T, c *redis.Client) {
		k := geoSetup(t, c)
		names, err := c.GeoSearch(ctx, k, redis.GeoFromLonLat(15, 37), redis.GeoByRadius(200, redis.GeoKilometers), redis.GeoSearchOptions{Asc: true})
		if err != nil || !reflect.DeepEqual(names, []string{"Catania", "Palermo"}) {
			t.Fatalf("GeoSearch BYRADIUS = %q, %v", names, err)
		}
		names, err = c.GeoSearch(ctx, k, redis.GeoFromMember("Palermo"), redis.GeoByBox(400, 400, "km"), redis.GeoSearchOptions{Desc: true, Count: &redis.GeoCount{Count: 1}})
		if err != nil || !reflect.DeepEqual(names, []string{"Catania"}) {
			t.Fatalf("GeoSearch BYBOX DESC COUNT 1 = %q, %v", names, err)
		}
		got, err := c.GeoSearchWith(ctx, k, redis.GeoFromLonLat(15, 37), redis.GeoByRadius(200, "km"),
			redis.GeoSearchWithOptions{Asc: true, WithCoord: true, WithDist: true, WithHash: true})
		if err != nil {
			t.Fatal(err)
		}
		geoCheckSicily(t, "GeoSearchWith all", got, true, true, true)
		got, err = c.GeoSearchWith(ctx, k, redis.GeoFromLonLat(15, 37), redis.GeoByRadius(200, "km"), redis.GeoSearchWithOptions{Asc: true, WithDist: true})
		if err != nil {
			t.Fatal(err)
		}
		geoCheckSicily(t, "GeoSearchWith WITHDIST", got, false, true, false)

		dst := key(t, "dst")
		if n, err := c.GeoSearchStore(ctx, dst, k, redis.GeoFromLonLat(15, 37), redis.GeoByBox(400, 400, "km"), redis.GeoSearchStoreOptions{StoreDist: true, Asc: true}); err != nil || n != 2 {
			t.Fatalf("GeoSearchStore = %d, %v; want 2", n, err)
		}
		if s, err := c.Do(ctx, "ZSCORE", dst, "Catania").Float64(); err != nil || !geoNear(s, 56.4413, 1e-3) {
			t.Fatalf("STOREDIST score = %v, %v", s, err)
		}

		wantArgs(t, redis.GeoSearch("k", redis.GeoFromMember("m"), redis.GeoByRadius(1.5, "KM"), redis.GeoSearchOptions{Asc: true, Count: &redis.GeoCount{Count: 2, Any: true}}),
			"GEOSEARCH", "k", "FROMMEMBER", "m", "BYRADIUS", "1.5", "km", "ASC", "COUNT", "2", "ANY")
		wantArgs(t, redis.GeoSearchWith("k", redis.GeoFromLonLat(1, 2), redis.GeoByBox(3, 4, "mi"), redis.GeoSearchWithOptions{WithCoord: true, WithDist: true, WithHash: true}),
			"GEOSEARCH", "k", "FROMLONLAT", "1", "2", "BYBOX", "3", "4", "mi", "WITHCOORD", "WITHDIST", "WITHHASH")
		wantArgs(t, redis.GeoSearchStore("d", "s", redis.GeoFromMember("m"), redis.GeoByRadius(10, "m"), redis.GeoSearchStoreOptions{Desc: true, StoreDist: true}),
			"GEOSEARCHSTORE", "d", "s", "FROMMEMBER", "m", "BYRADIUS", "10", "m", "DESC", "STOREDIST")
		wantBuildError(t, redis.GeoSearch("k", redis.GeoFrom{}, redis.GeoByRadius(1, "m")), "no center")
		wantBuildError(t, redis.GeoSearch("k", redis.GeoFromMember("m"), redis.GeoBy{}), "no area")
		wantBuildError(t, redis.GeoSearch("k", redis.GeoFromMember("m"), redis.GeoByBox(1, 1, "parsec")), "unit must be one of")
		wantBuildError(t, redis.GeoSearchWith("k", redis.GeoFromMember("m"), redis.GeoByRadius(1, "m"), redis.GeoSearchWithOptions{Asc: true, Desc: true}), "Asc, Desc")
		wantBuildError(t, redis.GeoSearch("k", redis.GeoFromMember("m"), redis.GeoByRadius(1, "m"), redis.GeoSearchOptions{}, redis.GeoSearchOptions{}), "at most one")
	})
}
