// Package slot maps Redis Cluster keys to hash slots.
//
// A Redis Cluster divides the key space into Count slots. The slot of a key
// is the CRC16 of the key modulo Count, where CRC16 is the XMODEM variant
// (polynomial 0x1021, initial value 0, no reflection, no final XOR) that the
// Redis Cluster specification names. When a key holds a hash tag, only the
// tag is hashed, so that related keys can be kept in one slot: the tag is
// the text between the first '{' of the key and the first '}' after it,
// provided it is not empty. "{user1000}.following" and
// "{user1000}.followers" share a slot; "foo{}{bar}" has no tag (the first
// braces enclose nothing) and hashes whole.
//
// The functions are pure, safe for concurrent use and do not allocate.
package slot

// Count is the number of hash slots of a Redis Cluster.
const Count = 16384

// crcTable holds the CRC16/XMODEM remainder of every byte value, built once
// from the polynomial.
var crcTable = func() (t [256]uint16) {
	const poly = 0x1021
	for i := range t {
		crc := uint16(i) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ poly
			} else {
				crc <<= 1
			}
		}
		t[i] = crc
	}
	return t
}()

// crc16 returns the CRC16/XMODEM of s.
func crc16[T string | []byte](s T) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^s[i]]
	}
	return crc
}

// hashPart returns the part of key that decides its slot: the hash tag when
// there is a non-empty one, else the whole key.
func hashPart[T string | []byte](key T) T {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j > i+1 {
					return key[i+1 : j]
				}
				return key // "{}": an empty tag does not count
			}
		}
		return key // no '}' after the first '{'
	}
	return key
}

// Of returns the hash slot of key, in [0, Count).
func Of(key string) int {
	return int(crc16(hashPart(key)) & (Count - 1))
}

// OfBytes returns the hash slot of key, in [0, Count), like Of but without
// converting key to a string.
func OfBytes(key []byte) int {
	return int(crc16(hashPart(key)) & (Count - 1))
}
