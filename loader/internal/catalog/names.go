package catalog

import "slices"

// linearMax is the table size up to which find scans instead of bisecting: the site's
// own pages carry the table's own strings (see Site.add), and comparing a string with
// itself is a pointer check, so a short scan is the cheapest lookup there is.
const linearMax = 16

// names maps category or subcategory names to group indexes.
type names struct {
	keys []string // sorted
	ids  []int32
}

// find returns the index of key, or -1.
func (n *names) find(key string) int32 {
	if len(n.keys) <= linearMax {
		for i, k := range n.keys {
			if k == key {
				return n.ids[i]
			}
		}
		return -1
	}
	if i, ok := slices.BinarySearch(n.keys, key); ok {
		return n.ids[i]
	}
	return -1
}

// canonical returns the table's own copy of key, or key when it is not in the table.
func (n *names) canonical(key string) string {
	if i, ok := slices.BinarySearch(n.keys, key); ok {
		return n.keys[i]
	}
	return key
}

// add inserts key with index id, keeping the keys sorted.
func (n *names) add(key string, id int32) {
	i, _ := slices.BinarySearch(n.keys, key)
	n.keys = slices.Insert(n.keys, i, key)
	n.ids = slices.Insert(n.ids, i, id)
}
