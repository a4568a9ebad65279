package matomo

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
)

// Content types of request bodies.
const (
	contentForm = "application/x-www-form-urlencoded"
	contentJSON = "application/json"
)

// bufPool recycles encoding buffers: at hundreds of thousands of hits per second, fresh
// buffers per hit would be most of the garbage the loader makes.
var bufPool = sync.Pool{New: func() any {
	b := make([]byte, 0, 2048)
	return &b
}}

// maxPooled keeps one huge batch from pinning a huge buffer in the pool.
const maxPooled = 4 << 20

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	bufPool.Put(b)
}

// sharedBody is a request body shared by the attempts of one call. The transport may still be
// reading a body after Do returns (it closes it when done), so the buffer goes back to the pool
// only when the call and every attempt's reader have let go of it.
type sharedBody struct {
	buf         *[]byte
	pooled      bool
	contentType string
	refs        atomic.Int32
}

func newSharedBody(buf *[]byte, pooled bool, contentType string) *sharedBody {
	s := &sharedBody{buf: buf, pooled: pooled, contentType: contentType}
	s.refs.Store(1)
	return s
}

func (s *sharedBody) len() int { return len(*s.buf) }

// reader is one attempt's view of the body; the transport closes it.
func (s *sharedBody) reader() io.ReadCloser {
	s.refs.Add(1)
	return &bodyReader{Reader: bytes.NewReader(*s.buf), owner: s}
}

// release drops one reference; the call drops its own when it is done.
func (s *sharedBody) release() {
	if s.refs.Add(-1) == 0 && s.pooled {
		putBuf(s.buf)
	}
}

type bodyReader struct {
	*bytes.Reader
	owner  *sharedBody
	closed atomic.Bool
}

// Close releases the buffer once, however often the transport calls it.
func (r *bodyReader) Close() error {
	if r.closed.CompareAndSwap(false, true) {
		r.owner.release()
	}
	return nil
}
