package http

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
	"testing/iotest"
)

// clientFrame is a masked frame as a browser sends it.
func clientFrame(fin bool, op byte, payload []byte) []byte {
	b := []byte{op}
	if fin {
		b[0] |= 0x80
	}
	switch n := len(payload); {
	case n < 126:
		b = append(b, 0x80|byte(n))
	case n < 1<<16:
		b = append(b, 0x80|126, byte(n>>8), byte(n))
	default:
		b = append(b, 0x80|127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	mask := []byte{1, 2, 3, 4}
	b = append(b, mask...)
	for i, c := range payload {
		b = append(b, c^mask[i%4])
	}
	return b
}

// TestPongFilter: the peer's pongs are taken out of the stream and
// reported, every other frame (text of each length encoding, a ping, a
// close, a fragmented message, a pong too large or not final, which the
// library refuses itself) passes through byte for byte, however the
// stream is cut into reads.
func TestPongFilter(t *testing.T) {
	var in, want bytes.Buffer
	pongs := 0
	add := func(frame []byte, isPong bool) {
		in.Write(frame)
		if isPong {
			pongs++
		} else {
			want.Write(frame)
		}
	}
	add(clientFrame(true, 0xa, nil), true)
	add(clientFrame(true, 1, []byte(`{"type":"ping"}`)), false)
	add(clientFrame(true, 0xa, []byte("1234")), true)
	add(clientFrame(true, 1, bytes.Repeat([]byte("x"), 300)), false)
	add(clientFrame(true, 0xa, bytes.Repeat([]byte("p"), 125)), true)
	add(clientFrame(true, 2, bytes.Repeat([]byte("y"), 70000)), false)
	add(clientFrame(true, 9, []byte("ping")), false)
	add(clientFrame(false, 1, []byte("frag")), false)
	add(clientFrame(true, 0, []byte("ment")), false)
	add(clientFrame(true, 1, nil), false)
	add(clientFrame(false, 0xa, nil), false)                           // not final: the library's to refuse
	add(clientFrame(true, 0xa, bytes.Repeat([]byte("p"), 126)), false) // too long: the same
	add(clientFrame(true, 0xa, nil), true)
	add(clientFrame(true, 8, []byte{3, 232}), false)
	for _, c := range []struct {
		name string
		r    func(io.Reader) io.Reader
		buf  int
	}{
		{"one byte at a time", iotest.OneByteReader, 256},
		{"half reads", iotest.HalfReader, 256},
		{"whole", func(r io.Reader) io.Reader { return r }, 256},
		{"small buffer", func(r io.Reader) io.Reader { return r }, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := 0
			f := &pongFilter{r: c.r(bytes.NewReader(in.Bytes())), pong: func() { got++ }}
			var out bytes.Buffer
			buf := make([]byte, c.buf)
			for {
				n, err := f.Read(buf)
				out.Write(buf[:n])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(out.Bytes(), want.Bytes()) {
				t.Errorf("passed through %d bytes, want %d (the frames without the pongs)", out.Len(), want.Len())
			}
			if got != pongs {
				t.Errorf("%d pongs reported, want %d", got, pongs)
			}
		})
	}
}

// TestPongFilterTruncated: a stream that ends inside a pong or a header
// is an unexpected EOF, not a clean end.
func TestPongFilterTruncated(t *testing.T) {
	for _, in := range [][]byte{clientFrame(true, 0xa, []byte("1234"))[:7], clientFrame(true, 1, []byte("x"))[:3]} {
		f := &pongFilter{r: bytes.NewReader(in)}
		_, err := io.ReadAll(f)
		if err != io.ErrUnexpectedEOF {
			t.Errorf("%x: %v, want unexpected EOF", in, err)
		}
	}
}
