package dockerclient

// The C callbacks: the library calls dcgoWrite with each progress message or archive chunk
// and dcgoRead for each piece of an upload, on the goroutine that made the call. Their
// userdata is a cgo.Handle of the call's *streams.
//
// A Go panic must never unwind through the library (that would skip the code that closes the
// call's connection and frees its buffers: one leaked socket per panic). So each callback
// recovers, keeps the panic value, and returns the code that stops the operation; the call
// returns DC_CANCELLED with everything released, and the calling goroutine panics again with
// the same value (streams.finish).

// #include <dockerclient.h>
import "C"

import (
	"errors"
	"io"
	"runtime/cgo"
	"unsafe"
)

// streams is what one call's callbacks reach: the caller's writer and reader, and what went
// wrong inside them.
type streams struct {
	out io.Writer
	in  io.Reader

	panicked  bool
	panicVal  interface{}
	outErr    error // the writer's error: the call is reported as stopped by it
	inErr     error // the reader's error (not io.EOF)
	inPending error // an error the reader returned together with data, reported next time
	inEOF     bool
}

// maxEmptyReads bounds how often a reader may return (0, nil) in a row (io.Reader allows it
// now and then; forever would spin).
const maxEmptyReads = 100

//export dcgoWrite
func dcgoWrite(userdata unsafe.Pointer, buf *C.uint8_t, n C.size_t) (stop C.int32_t) {
	s := cgo.Handle(uintptr(userdata)).Value().(*streams)
	defer func() {
		if r := recover(); r != nil {
			s.panicked, s.panicVal = true, r
			stop = 1
		}
	}()
	// The library's buffer, lent for this call only: io.Writer promises not to keep it.
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
	written, err := s.out.Write(p)
	if err == nil && written < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		s.outErr = err
		return 1
	}
	return 0
}

//export dcgoRead
func dcgoRead(userdata unsafe.Pointer, buf *C.uint8_t, capacity C.size_t) (n C.ptrdiff_t) {
	s := cgo.Handle(uintptr(userdata)).Value().(*streams)
	defer func() {
		if r := recover(); r != nil {
			s.panicked, s.panicVal = true, r
			n = -1
		}
	}()
	if s.inPending != nil {
		s.inErr, s.inPending = s.inPending, nil
		return -1
	}
	if s.inEOF {
		return 0
	}
	// Read straight into the library's buffer: no copy on the Go side.
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	for empty := 0; empty < maxEmptyReads; empty++ {
		got, err := s.in.Read(p)
		if got < 0 || got > len(p) {
			s.inErr = errors.New("dockerclient: the input reader returned an impossible count")
			return -1
		}
		switch {
		case errors.Is(err, io.EOF):
			s.inEOF = true
		case err != nil && got > 0:
			s.inPending = err
		case err != nil:
			s.inErr = err
			return -1
		}
		if got > 0 || s.inEOF {
			return C.ptrdiff_t(got)
		}
	}
	s.inErr = io.ErrNoProgress
	return -1
}

// finish runs on the calling goroutine after the C call returned: a panic in the writer or
// reader is raised again here, with its own value; a writer's or reader's error becomes the
// call's error (the library only saw "stop").
func (s *streams) finish(err *Error) error {
	if s.panicked {
		panic(s.panicVal)
	}
	if err == nil {
		return nil
	}
	if err.Code == StatusCancelled {
		switch {
		case s.outErr != nil:
			err.Message, err.cause = "the output stream failed", s.outErr
		case s.inErr != nil:
			err.Message, err.cause = "the input stream failed", s.inErr
		}
	}
	return err
}
