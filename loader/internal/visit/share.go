package visit

// Families of visits whose share is configured. Each decides membership by stratified sampling,
// not an independent coin per visit: every block of blockSize consecutive visits holds the family's
// share of them (rounded up or down, as a low-discrepancy sequence over the blocks decides, so that
// the roundings cancel out), at positions shuffled by a keyed permutation of its own. Over any run of
// visits (a day of a backfill, an hour of live traffic) the share is then what was configured within
// a visit or two, where coins would be off by about 1/√n: at 10,000 visits 7% of a 2% share. The
// families' permutations are independent, so which visits are in one family says nothing of another.
const (
	famBot = iota
	famBounce
	famCampaign
	famContent
	famReturning
	famMember
	famGoal     // famGoal + i: goal i
	numFamilies = famGoal + maxGoals
)

// blockBits sets the block of the stratification: 64 visits, so that even a backfill day of a few
// dozen visits gets its shares nearly exact.
const (
	blockBits = 6
	blockSize = 1 << blockBits
	blockMask = blockSize - 1
)

// position is where visit seq falls in family f's stratified sequence, in [0, 1): its shuffled
// position in its block, plus the block's own offset.
func (m *Model) position(seq uint64, f int) float64 {
	block := seq >> blockBits
	key := mix(m.offsets[f] ^ mix(block))
	pos := permute(seq&blockMask, key)
	// The blocks' offsets follow the golden-ratio sequence, so that blocks rounding the share up and
	// blocks rounding it down alternate evenly.
	jitter := float64((block*0x9e3779b97f4a7c15+m.offsets[f])>>11) / (1 << 53)
	return (float64(pos) + jitter) / blockSize
}

// permute is a bijection of [0, blockSize) chosen by key: rounds of xor, odd multiplication and
// xorshift, each a bijection of blockBits-bit values.
func permute(x, key uint64) uint64 {
	for round := 0; round < 3; round++ {
		k := key >> (round * 20)
		x = (x ^ k) & blockMask
		x = (x * (k>>blockBits | 1)) & blockMask
		x ^= x >> (blockBits / 2)
		x = (x * 0x2c9) & blockMask
		x ^= x >> (blockBits/2 + 1)
	}
	return x
}

// in reports whether visit seq belongs to the p share of visits of family f.
func (m *Model) in(seq uint64, f int, p float64) bool {
	return p > 0 && m.position(seq, f) < p
}

// offsetsFor keys each family's permutations by the seed, so another seed picks other visits.
func offsetsFor(seed int64) (o [numFamilies]uint64) {
	for f := range o {
		o[f] = mix(uint64(seed) ^ mix(uint64(f)+0x632be59bd9b4e019))
	}
	return o
}
