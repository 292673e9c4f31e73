package gongsim

import (
	"strconv"
)

// mix64 is the splitmix64 finalizer: a fast, well-spread 64-bit hash.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// hash3 derives a value from the tenant seed and two coordinates.
func hash3(seed, a, b uint64) uint64 {
	return mix64(seed ^ mix64(a*0x9e3779b97f4a7c15+b+0x632be59bd9b4e019))
}

// rnd is a splitmix64 stream: deterministic, allocation-free and cheap
// enough to derive every call's content on demand.
type rnd struct{ s uint64 }

func newRnd(seed, a, b uint64) rnd { return rnd{s: hash3(seed, a, b)} }

func (r *rnd) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a value in [0, n); n must be > 0.
func (r *rnd) intn(n int) int { return int(r.u64() % uint64(n)) }

// between returns a value in [lo, hi].
func (r *rnd) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

func (r *rnd) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

func (r *rnd) chance(p float64) bool { return r.float() < p }

func pick[T any](r *rnd, xs []T) T { return xs[r.intn(len(xs))] }

// pickN returns k distinct indexes of [0, n) (k <= n), in draw order.
func (r *rnd) pickN(n, k int, buf []int) []int {
	buf = buf[:0]
	if k > n {
		k = n
	}
	for len(buf) < k {
		v := r.intn(n)
		dup := false
		for _, b := range buf {
			if b == v {
				dup = true
				break
			}
		}
		if !dup {
			buf = append(buf, v)
		}
	}
	return buf
}

// permKey is a seeded bijection on 62-bit integers. Call ids are the image of
// the call's position under it, so an id decodes back to its position
// without a lookup table, even for a million calls.
type permKey struct{ a, b, m1, m2, inv1, inv2 uint64 }

const (
	permBits = 62
	permMask = 1<<permBits - 1
	idOffset = 100_000_000_000_000_000 // ids have 18 or 19 digits
)

func newPermKey(seed uint64, salt uint64) permKey {
	k := permKey{
		a:  hash3(seed, salt, 1) & permMask,
		b:  hash3(seed, salt, 2) & permMask,
		m1: hash3(seed, salt, 3) | 1,
		m2: hash3(seed, salt, 4) | 1,
	}
	k.inv1, k.inv2 = modInverse(k.m1), modInverse(k.m2)
	return k
}

// modInverse returns the inverse of odd m modulo 2^64 (hence modulo 2^62).
func modInverse(m uint64) uint64 {
	inv := m
	for range 6 {
		inv *= 2 - m*inv
	}
	return inv
}

func (k permKey) enc(x uint64) uint64 {
	x = (x ^ k.a) & permMask
	x = (x * k.m1) & permMask
	x ^= x >> 31
	x = (x * k.m2) & permMask
	x ^= x >> 29
	return (x + k.b) & permMask
}

func (k permKey) dec(x uint64) uint64 {
	x = (x - k.b) & permMask
	x ^= x>>29 ^ x>>58
	x = (x * k.inv2) & permMask
	x ^= x >> 31
	x = (x * k.inv1) & permMask
	return (x ^ k.a) & permMask
}

func (k permKey) id(x uint64) string { return strconv.FormatUint(k.enc(x)+idOffset, 10) }

// pos decodes an id made by id; ok is false for anything else.
func (k permKey) pos(id string) (uint64, bool) {
	v, err := strconv.ParseUint(id, 10, 64)
	if err != nil || v < idOffset || v-idOffset > permMask {
		return 0, false
	}
	return k.dec(v - idOffset), true
}

// numID makes a 19-digit id from a hash.
func numID(h uint64) string {
	return strconv.FormatUint(1_000_000_000_000_000_000+h%8_000_000_000_000_000_000, 10)
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// sfID makes an 18-character Salesforce-style id with the given key prefix.
func sfID(prefix string, h uint64) string {
	b := make([]byte, 0, 18)
	b = append(b, prefix...)
	for len(b) < 18 {
		b = append(b, base62[h%62])
		h = mix64(h + 1)
	}
	return string(b)
}

// requestID makes a Gong-style request id: 19 lowercase alphanumerics.
func requestID(h uint64) string {
	const alnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	var b [19]byte
	for i := range b {
		h = mix64(h + uint64(i))
		b[i] = alnum[h%36]
	}
	return string(b[:])
}
