package matomo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http/httputil"
	"strconv"
)

// replyHead is what the direct sender reads of an HTTP/1.1 reply's head: the status, the few headers an
// exchange needs, and how its body is framed.
type replyHead struct {
	status      int
	contentType string
	retryAfter  string
	location    string
	length      int64 // Content-Length; -1 when absent
	chunked     bool
	close       bool // the connection is not to be reused after this reply
}

// Bounds on a reply's head, as net/http has them.
const maxReplyHead = 1 << 20

var errBadReply = errors.New("malformed HTTP reply")

// readReplyHead reads a reply's status line and headers. It parses the subset of HTTP/1.1 a tracker
// reply needs, and rejects what it cannot frame reliably (conflicting lengths, unknown transfer
// codings), so that a connection is never reused at a wrong position.
func readReplyHead(br *bufio.Reader) (replyHead, error) {
	rp := replyHead{length: -1}
	total := 0
	line, err := readLine(br, &total)
	if err != nil {
		return rp, err
	}
	// "HTTP/1.1 204 No Content"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return rp, fmt.Errorf("%w: status line %q", errBadReply, truncate(line))
	}
	minor := line[7]
	code, err := strconv.Atoi(string(line[9:12]))
	if err != nil || code < 100 || code > 999 || len(line) > 12 && line[12] != ' ' {
		return rp, fmt.Errorf("%w: status line %q", errBadReply, truncate(line))
	}
	rp.status = code
	keepAlive := false
	for {
		line, err := readLine(br, &total)
		if err != nil {
			return rp, err
		}
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return rp, fmt.Errorf("%w: header line %q", errBadReply, truncate(line))
		}
		name, value := line[:colon], bytes.Trim(line[colon+1:], " \t")
		switch {
		case asciiEqualFold(name, "content-length"):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 || rp.length >= 0 && rp.length != n {
				return rp, fmt.Errorf("%w: Content-Length %q", errBadReply, truncate(value))
			}
			rp.length = n
		case asciiEqualFold(name, "transfer-encoding"):
			if !asciiEqualFold(value, "chunked") {
				return rp, fmt.Errorf("%w: Transfer-Encoding %q", errBadReply, truncate(value))
			}
			rp.chunked = true
		case asciiEqualFold(name, "connection"):
			for _, tok := range bytes.Split(value, []byte(",")) {
				tok = bytes.Trim(tok, " \t")
				rp.close = rp.close || asciiEqualFold(tok, "close")
				keepAlive = keepAlive || asciiEqualFold(tok, "keep-alive")
			}
		case asciiEqualFold(name, "content-type"):
			rp.contentType = string(value)
		case asciiEqualFold(name, "retry-after"):
			rp.retryAfter = string(value)
		case asciiEqualFold(name, "location"):
			rp.location = string(value)
		}
	}
	if minor == '0' && !keepAlive {
		rp.close = true
	}
	if rp.chunked {
		rp.length = -1 // chunked framing wins over a length (RFC 9112 6.3)
	}
	return rp, nil
}

// body returns the reply's body; io.EOF at its end leaves br at the next reply, except for a body
// framed by the connection's end (rp.close is then set).
func (rp *replyHead) body(br *bufio.Reader) io.Reader {
	switch {
	case rp.status < 200 || rp.status == 204 || rp.status == 304:
		return bytes.NewReader(nil)
	case rp.chunked:
		return &chunkedBody{br: br, r: httputil.NewChunkedReader(br)}
	case rp.length >= 0:
		return io.LimitReader(br, rp.length)
	default:
		rp.close = true
		return br
	}
}

// chunkedBody reads a chunked body and, at its end, the trailer section, so that br is left at the
// next reply.
type chunkedBody struct {
	br   *bufio.Reader
	r    io.Reader
	done bool
}

func (c *chunkedBody) Read(p []byte) (int, error) {
	if c.done {
		return 0, io.EOF
	}
	n, err := c.r.Read(p)
	if errors.Is(err, io.EOF) {
		total := 0
		for {
			line, lerr := readLine(c.br, &total)
			if lerr != nil {
				return n, lerr
			}
			if len(line) == 0 {
				break
			}
		}
		c.done = true
	}
	return n, err
}

// readLine reads one line without its CRLF (or LF), counting the head's size against maxReplyHead.
// The slice is valid until the next read from br.
func readLine(br *bufio.Reader, total *int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(long) < maxReplyHead {
			line, err = br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	*total += len(line)
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if *total > maxReplyHead {
		return nil, fmt.Errorf("%w: head larger than %d bytes", errBadReply, maxReplyHead)
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
	return line, nil
}

// asciiEqualFold reports whether b equals the lower-case ASCII s, ignoring case.
func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// truncate shortens what an error quotes of a reply.
func truncate(b []byte) string {
	if len(b) > 64 {
		return string(b[:64]) + "…"
	}
	return string(b)
}
