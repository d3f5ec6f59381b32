package http

import (
	"encoding/binary"
	"io"
)

// pongFilter sits under the WebSocket library's reader and takes the
// peer's pongs out of the stream: it reports each (pong) and passes every
// other frame through unchanged. The library reads a control frame with a
// context of its own (a 5 s timeout and a context.AfterFunc: coder/websocket
// read.go, handleControl and readFramePayload), about 1.2 KiB of garbage
// per frame; the pongs of the heartbeat, one every 25 s from every idle
// socket, were then most of an idle replica's garbage (docs/benchmarks.md,
// "Idle sockets"). Only a pong the library would take as one is taken
// out: final, at most 125 bytes (anything else it refuses itself).
//
// It parses the client's frames: a 2-byte header, a 2- or 8-byte length
// when the 7-bit one is 126 or 127, a 4-byte mask when masked, then the
// payload, which it counts and passes on.
type pongFilter struct {
	r    io.Reader
	pong func()

	left int64    // payload bytes of the frame being passed on
	hdr  [14]byte // the header being read, or passed on
	n    int      // header bytes read
	off  int      // header bytes passed on (pending: hdr[off:n])
}

func (f *pongFilter) Read(p []byte) (int, error) {
	for {
		if f.off < f.n { // a header being passed on
			c := copy(p, f.hdr[f.off:f.n])
			f.off += c
			if f.off == f.n {
				f.off, f.n = 0, 0
			}
			return c, nil
		}
		if f.left > 0 {
			n, err := f.r.Read(p[:min(int64(len(p)), f.left)])
			f.left -= int64(n)
			return n, err
		}
		if len(p) == 0 {
			return 0, nil
		}
		// A frame starts: read its whole header first.
		size, payload, err := f.readHeader()
		if err != nil {
			return 0, err
		}
		if op := f.hdr[0] & 0x0f; op == 0xa && f.hdr[0]&0x80 != 0 && payload <= 125 {
			if err := f.discard(payload); err != nil {
				return 0, err
			}
			f.n = 0
			if f.pong != nil {
				f.pong()
			}
			continue
		}
		f.n, f.off, f.left = size, 0, payload
	}
}

// readHeader reads a frame's header into hdr and returns its size and the
// payload's length.
func (f *pongFilter) readHeader() (size int, payload int64, err error) {
	if err := f.fill(2); err != nil {
		return 0, 0, err
	}
	size = 2
	switch f.hdr[1] & 0x7f {
	case 126:
		size += 2
	case 127:
		size += 8
	}
	if f.hdr[1]&0x80 != 0 {
		size += 4 // the mask
	}
	if err := f.fill(size); err != nil {
		return 0, 0, err
	}
	switch payload = int64(f.hdr[1] & 0x7f); payload {
	case 126:
		payload = int64(binary.BigEndian.Uint16(f.hdr[2:4]))
	case 127:
		payload = int64(binary.BigEndian.Uint64(f.hdr[2:10]) &^ (1 << 63))
	}
	return size, payload, nil
}

// fill reads header bytes until hdr holds n.
func (f *pongFilter) fill(n int) error {
	for f.n < n {
		m, err := f.r.Read(f.hdr[f.n:n])
		f.n += m
		if f.n < n && err != nil {
			if err == io.EOF && f.n > 0 {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}

// discard reads and drops n bytes (a pong's payload, at most 125), using
// hdr as the buffer.
func (f *pongFilter) discard(n int64) error {
	for n > 0 {
		m, err := f.r.Read(f.hdr[:min(n, int64(len(f.hdr)))])
		n -= int64(m)
		if n > 0 && err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}
