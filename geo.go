package redis

import (
	"fmt"
	"strings"

	"github.com/respkit/redis/resp"
)

// Units of distance taken by the geo commands (GEODIST, GEOSEARCH, the
// GEORADIUS family): meters, kilometers, feet and miles.
const (
	GeoMeters     = "m"
	GeoKilometers = "km"
	GeoFeet       = "ft"
	GeoMiles      = "mi"
)

// geoUnit sends a unit of distance, checking it is one of m, km, ft, mi
// (in any case).
func geoUnit(b *builder, unit string) {
	u := strings.ToLower(unit)
	switch u {
	case GeoMeters, GeoKilometers, GeoFeet, GeoMiles:
		b.str(u)
	default:
		b.fail("unit must be one of m, km, ft, mi, not %q", unit)
	}
}

// GeoDistOptions are GEODIST's optional arguments. The zero value gives
// the distance in meters.
type GeoDistOptions struct {
	// Unit is the unit of the distance: m, km, ft or mi; "" sends none
	// (meters).
	Unit string
}

func appendGeoDist(b *builder, key, member1, member2 string, opts []GeoDistOptions) {
	b.begin(cmdGEODIST)
	b.key(key)
	b.str(member1)
	b.str(member2)
	if len(opts) > 1 {
		b.fail("at most one GeoDistOptions, got %d", len(opts))
		return
	}
	if len(opts) == 1 && opts[0].Unit != "" {
		geoUnit(b, opts[0].Unit)
	}
}

func appendGeoHash(b *builder, key string, members []string) {
	b.begin(cmdGEOHASH)
	b.key(key)
	for _, m := range members {
		b.str(m)
	}
}

func appendGeoPos(b *builder, key string, members []string) {
	b.begin(cmdGEOPOS)
	b.key(key)
	for _, m := range members {
		b.str(m)
	}
}

// GeoPosition is a point on Earth, in degrees. The geo commands store
// positions as 52-bit geohashes, so a position read back differs slightly
// from the one added.
type GeoPosition struct {
	Longitude, Latitude float64
}

func asGeoPosition(v resp.Value, err error) (GeoPosition, error) {
	xy, err := asFloat64s(v, err)
	if err != nil {
		return GeoPosition{}, err
	}
	if len(xy) != 2 {
		return GeoPosition{}, fmt.Errorf("redis: a position has %d coordinates, want 2", len(xy))
	}
	return GeoPosition{Longitude: xy[0], Latitude: xy[1]}, nil
}

func asGeoPositions(v resp.Value, err error) ([]Null[GeoPosition], error) {
	return asNullListOf(v, err, asGeoPosition)
}

// GeoResult is one member found by a geo search with WITHCOORD, WITHDIST
// or WITHHASH. The fields not asked for are zero.
type GeoResult struct {
	// Member is the member's name.
	Member string
	// Dist is the distance from the search's center, in the search's
	// unit (WITHDIST).
	Dist float64
	// Hash is the member's position as a 52-bit geohash integer
	// (WITHHASH).
	Hash int64
	// Position is the member's position (WITHCOORD).
	Position GeoPosition
}

// asGeoResult reads one element of a geo search's reply: the member's
// name, followed by what was asked for, in the order distance, hash,
// position. Each has its own reply type (a string or double, an integer,
// an array), so the element is read without knowing the options; a bare
// name (no WITH option) is accepted too.
func asGeoResult(v resp.Value, err error) (GeoResult, error) {
	if err := check(v, err); err != nil {
		return GeoResult{}, err
	}
	if v.Type() != resp.Array {
		name, err := asString(v, nil)
		return GeoResult{Member: name}, err
	}
	elems := v.Elems()
	if len(elems) == 0 {
		return GeoResult{}, fmt.Errorf("redis: empty geo search result")
	}
	var r GeoResult
	if r.Member, err = asString(elems[0], nil); err != nil {
		return r, err
	}
	for _, e := range elems[1:] {
		switch e.Type() {
		case resp.Integer:
			r.Hash = e.Int()
		case resp.Array:
			if r.Position, err = asGeoPosition(e, nil); err != nil {
				return r, err
			}
		default:
			if r.Dist, err = asFloat64(e, nil); err != nil {
				return r, fmt.Errorf("redis: geo distance: %w", err)
			}
		}
	}
	return r, nil
}

func asGeoResults(v resp.Value, err error) ([]GeoResult, error) {
	return asListOf(v, err, asGeoResult)
}

// GeoRadiusStoreOptions are the optional arguments of GeoRadiusStore and
// GeoRadiusByMemberStore. The zero value stores every member in the area
// with its geohash as the score.
type GeoRadiusStoreOptions struct {
	// Count limits how many members are stored (COUNT; ANY with Any).
	Count *GeoCount
	// Asc and Desc sort the members by distance (ASC, DESC).
	Asc, Desc bool
	// StoreDist stores the distances as scores (STOREDIST) instead of the
	// geohashes (STORE).
	StoreDist bool
}

func appendGeoStoreTail(b *builder, dest string, opts []GeoRadiusStoreOptions) {
	var o GeoRadiusStoreOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one GeoRadiusStoreOptions, got %d", len(opts))
	}
	appendGeoCount(b, o.Count)
	appendGeoOrder(b, o.Asc, o.Desc)
	if o.StoreDist {
		b.str("STOREDIST")
	} else {
		b.str("STORE")
	}
	b.key(dest)
}

func appendGeoCount(b *builder, c *GeoCount) {
	if c == nil {
		return
	}
	if c.Count <= 0 {
		b.fail("COUNT must be positive, not %d", c.Count)
	}
	b.str("COUNT")
	b.int(c.Count)
	if c.Any {
		b.str("ANY")
	}
}

func appendGeoOrder(b *builder, asc, desc bool) {
	switch {
	case asc && desc:
		b.fail("at most one of Asc, Desc may be set")
	case asc:
		b.str("ASC")
	case desc:
		b.str("DESC")
	}
}

func appendGeoRadiusStore(b *builder, key string, longitude, latitude, radius float64, unit, dest string, opts []GeoRadiusStoreOptions) {
	b.begin(cmdGEORADIUS)
	b.key(key)
	b.float(longitude)
	b.float(latitude)
	b.float(radius)
	geoUnit(b, unit)
	appendGeoStoreTail(b, dest, opts)
}

func appendGeoRadiusByMemberStore(b *builder, key, member string, radius float64, unit, dest string, opts []GeoRadiusStoreOptions) {
	b.begin(cmdGEORADIUSBYMEMBER)
	b.key(key)
	b.str(member)
	b.float(radius)
	geoUnit(b, unit)
	appendGeoStoreTail(b, dest, opts)
}

// GeoFrom is the center of a GEOSEARCH: build it with GeoFromMember or
// GeoFromLonLat. The zero value is not a valid center.
type GeoFrom struct {
	member string
	pos    *GeoPosition
}

// GeoFromMember centers a search on a member's position (FROMMEMBER).
func GeoFromMember(member string) GeoFrom { return GeoFrom{member: member} }

// GeoFromLonLat centers a search on a point (FROMLONLAT).
func GeoFromLonLat(longitude, latitude float64) GeoFrom {
	return GeoFrom{pos: &GeoPosition{Longitude: longitude, Latitude: latitude}}
}

// GeoBy is the shape of a GEOSEARCH's area: build it with GeoByRadius or
// GeoByBox. The zero value is not a valid shape.
type GeoBy struct {
	radius, width, height float64
	box                   bool
	unit                  string
}

// GeoByRadius searches a circle of the given radius (BYRADIUS); unit is
// one of m, km, ft, mi.
func GeoByRadius(radius float64, unit string) GeoBy {
	return GeoBy{radius: radius, unit: unit}
}

// GeoByBox searches an axis-aligned rectangle of the given width and
// height centered on the search's center (BYBOX); unit is one of m, km,
// ft, mi.
func GeoByBox(width, height float64, unit string) GeoBy {
	return GeoBy{width: width, height: height, box: true, unit: unit}
}

// GeoSearchOptions are GeoSearch's optional arguments. The zero value
// returns every member in the area, unsorted.
type GeoSearchOptions struct {
	// Asc and Desc sort the members by distance (ASC, DESC).
	Asc, Desc bool
	// Count limits how many members are returned (COUNT; ANY with Any).
	Count *GeoCount
}

// GeoSearchWithOptions are GeoSearchWith's optional arguments.
type GeoSearchWithOptions struct {
	// Asc and Desc sort the members by distance (ASC, DESC).
	Asc, Desc bool
	// Count limits how many members are returned (COUNT; ANY with Any).
	Count *GeoCount
	// WithCoord fills GeoResult.Position (WITHCOORD).
	WithCoord bool
	// WithDist fills GeoResult.Dist (WITHDIST).
	WithDist bool
	// WithHash fills GeoResult.Hash (WITHHASH).
	WithHash bool
}

// GeoSearchStoreOptions are GeoSearchStore's optional arguments. The zero
// value stores every member in the area with its geohash as the score.
type GeoSearchStoreOptions struct {
	// Asc and Desc sort the members by distance (ASC, DESC).
	Asc, Desc bool
	// Count limits how many members are stored (COUNT; ANY with Any).
	Count *GeoCount
	// StoreDist stores the distances as scores (STOREDIST).
	StoreDist bool
}

// appendGeoArea sends the center and shape of a GEOSEARCH(STORE).
func appendGeoArea(b *builder, from GeoFrom, by GeoBy) {
	switch {
	case from.pos != nil:
		b.str("FROMLONLAT")
		b.float(from.pos.Longitude)
		b.float(from.pos.Latitude)
	case from.member != "":
		b.str("FROMMEMBER")
		b.str(from.member)
	default:
		b.fail("no center: use GeoFromMember or GeoFromLonLat")
	}
	switch {
	case by.unit == "":
		b.fail("no area: use GeoByRadius or GeoByBox (with a unit)")
	case by.box:
		b.str("BYBOX")
		b.float(by.width)
		b.float(by.height)
		geoUnit(b, by.unit)
	default:
		b.str("BYRADIUS")
		b.float(by.radius)
		geoUnit(b, by.unit)
	}
}

func appendGeoSearch(b *builder, key string, from GeoFrom, by GeoBy, opts []GeoSearchOptions) {
	with := make([]GeoSearchWithOptions, len(opts))
	for i, o := range opts {
		with[i] = GeoSearchWithOptions{Asc: o.Asc, Desc: o.Desc, Count: o.Count}
	}
	appendGeoSearchWith(b, key, from, by, with)
}

func appendGeoSearchWith(b *builder, key string, from GeoFrom, by GeoBy, opts []GeoSearchWithOptions) {
	b.begin(cmdGEOSEARCH)
	b.key(key)
	appendGeoArea(b, from, by)
	var o GeoSearchWithOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one options value, got %d", len(opts))
	}
	appendGeoOrder(b, o.Asc, o.Desc)
	appendGeoCount(b, o.Count)
	if o.WithCoord {
		b.str("WITHCOORD")
	}
	if o.WithDist {
		b.str("WITHDIST")
	}
	if o.WithHash {
		b.str("WITHHASH")
	}
}

func appendGeoSearchStore(b *builder, destination, source string, from GeoFrom, by GeoBy, opts []GeoSearchStoreOptions) {
	b.begin(cmdGEOSEARCHSTORE)
	b.key(destination)
	b.key(source)
	appendGeoArea(b, from, by)
	var o GeoSearchStoreOptions
	switch len(opts) {
	case 0:
	case 1:
		o = opts[0]
	default:
		b.fail("at most one GeoSearchStoreOptions, got %d", len(opts))
	}
	appendGeoOrder(b, o.Asc, o.Desc)
	appendGeoCount(b, o.Count)
	if o.StoreDist {
		b.str("STOREDIST")
	}
}
