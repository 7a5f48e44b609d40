package dockerclient

// The one place that names the C library. The callbacks the library calls are the Go
// functions exported in callbacks.go; a file with //export may only declare C functions, so
// the small helpers that turn them into dc_write_cb / dc_read_cb pointers live here.

/*
#cgo pkg-config: dockerclient
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dockerclient.h>

extern int32_t dcgoWrite(void *userdata, uint8_t *buf, size_t len);
extern ptrdiff_t dcgoRead(void *userdata, uint8_t *buf, size_t cap);

// The callback pointers, or NULL when the call has no Go writer / reader (the library then
// sends no progress, or takes its input from a path or URL named in the options).
static dc_write_cb dcgo_write_cb(int on) { return on ? (dc_write_cb)dcgoWrite : NULL; }
static dc_read_cb dcgo_read_cb(int on) { return on ? (dc_read_cb)dcgoRead : NULL; }

// A cgo.Handle travels through the library as its userdata pointer. Converting the integer in
// C keeps Go code free of uintptr-to-pointer conversions (which go vet rightly distrusts).
static void *dcgo_userdata(uintptr_t handle) { return (void *)handle; }
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// cString copies s into C memory; free it with freeCString.
func cString(s string) *C.char { return C.CString(s) }

func freeCString(p *C.char) {
	if p != nil {
		C.free(unsafe.Pointer(p))
	}
}

// takeString copies a string the library returned into Go memory and frees it.
func takeString(p *C.char) string {
	if p == nil {
		return ""
	}
	s := C.GoString(p)
	C.dc_string_free(p)
	return s
}

// libraryBytes lends the bytes of a string the library returned, without copying, until
// freeLibraryString. Results are decoded straight from it (encoding/json copies what it keeps).
func libraryBytes(p *C.char) []byte {
	if p == nil {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(C.strlen(p)))
}

func freeLibraryString(p *C.char) { C.dc_string_free(p) }

// LibraryVersion is the version of the libdockerclient the program runs with, e.g. "0.1.0".
func LibraryVersion() string { return C.GoString(C.dc_version()) }

// begin registers the streams for one call; the returned userdata goes to the library, and
// end must be called once the call returned.
func (s *streams) begin() (userdata unsafe.Pointer, end func()) {
	h := cgo.NewHandle(s)
	return C.dcgo_userdata(C.uintptr_t(h)), h.Delete
}

func (s *streams) writeCB() C.dc_write_cb {
	return C.dcgo_write_cb(boolInt(s.out != nil))
}

func (s *streams) readCB() C.dc_read_cb {
	return C.dcgo_read_cb(boolInt(s.in != nil))
}

func boolInt(b bool) C.int {
	if b {
		return 1
	}
	return 0
}
