package runs

// subBuffer is how many items a subscriber may fall behind before items are dropped for it: a
// slow reader (a stalled SSE client) must never hold up the follower of a loader's log.
const subBuffer = 256

// ring keeps the last items added to it, oldest first.
type ring[T any] struct {
	items []T
	next  int
	full  bool
}

func newRing[T any](size int) *ring[T] { return &ring[T]{items: make([]T, size)} }

// add appends v, overwriting the oldest item when the ring is full.
func (r *ring[T]) add(v T) {
	r.items[r.next] = v
	r.next = (r.next + 1) % len(r.items)
	if r.next == 0 {
		r.full = true
	}
}

// last returns up to n of the newest items, oldest first; n ≤ 0 returns all of them.
func (r *ring[T]) last(n int) []T {
	var all []T
	if r.full {
		all = append(append(all, r.items[r.next:]...), r.items[:r.next]...)
	} else {
		all = append(all, r.items[:r.next]...)
	}
	if n > 0 && n < len(all) {
		all = all[len(all)-n:]
	}
	return all
}

// fanout hands items to subscribers without ever blocking the publisher. Its owner guards it
// with a mutex.
type fanout[T any] struct {
	subs   map[chan T]struct{}
	closed bool
}

// subscribe returns a new subscriber channel; it is closed at once when the fanout is closed.
func (f *fanout[T]) subscribe() chan T {
	ch := make(chan T, subBuffer)
	if f.closed {
		close(ch)
		return ch
	}
	if f.subs == nil {
		f.subs = make(map[chan T]struct{})
	}
	f.subs[ch] = struct{}{}
	return ch
}

// unsubscribe forgets ch and closes it (no-op when it is already gone).
func (f *fanout[T]) unsubscribe(ch chan T) {
	if _, ok := f.subs[ch]; ok {
		delete(f.subs, ch)
		close(ch)
	}
}

// publish offers v to every subscriber; a subscriber whose buffer is full misses it.
func (f *fanout[T]) publish(v T) {
	for ch := range f.subs {
		select {
		case ch <- v:
		default:
		}
	}
}

// close ends every subscription; later subscribers get a closed channel.
func (f *fanout[T]) close() {
	for ch := range f.subs {
		close(ch)
	}
	f.subs = nil
	f.closed = true
}
