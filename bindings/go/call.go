package dockerclient

// What every call does around its C function: hold the client open, turn the Context into a
// dc_cancel token, marshal the options, hand the Go writer and reader to the callbacks, and
// turn the outcome into a Go error (or the writer's panic, raised again here).

// #include <stdlib.h>
// #include <dockerclient.h>
import "C"

import (
	"context"
	"encoding/json"
	"time"
	"unsafe"
)

// options is one call's options object, as dockerclient.h documents it per function. The
// setters leave zero values out, so the library's defaults apply.
type options map[string]interface{}

func (o options) str(key, v string) {
	if v != "" {
		o[key] = v
	}
}

func (o options) flag(key string, v bool) {
	if v {
		o[key] = true
	}
}

func (o options) num(key string, v int64) {
	if v != 0 {
		o[key] = v
	}
}

func (o options) list(key string, v []string) {
	if len(v) > 0 {
		o[key] = v
	}
}

func (o options) millis(key string, d time.Duration) {
	if d > 0 {
		ms := d.Milliseconds()
		if ms == 0 {
			ms = 1
		}
		o[key] = ms
	}
}

func (o options) auth(key string, a AuthConfiguration) {
	if a != (AuthConfiguration{}) {
		o[key] = a
	}
}

// cJSON is the options as a C string (NULL for none: the library's defaults).
func (o options) cJSON() (*C.char, error) {
	if len(o) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(map[string]interface{}(o))
	if err != nil {
		return nil, localError(StatusInvalidArgument, "options: %v", err)
	}
	return C.CString(string(b)), nil
}

// invocation is what a call's C function receives.
type invocation struct {
	client   *C.dc_client
	opts     *C.char
	userdata unsafe.Pointer
	write    C.dc_write_cb
	read     C.dc_read_cb
	cancel   *C.dc_cancel // the token named in opts, when the call has a Context that can end
}

// cFunc calls one C function with an invocation; out may be left NULL by functions that
// return no JSON.
type cFunc func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status

// run makes one call. s may be nil (no writer, no reader). On success it returns the
// library's result string, to be freed by the caller (see takeString, decodeResult).
func (c *Client) run(ctx context.Context, o options, s *streams, f cFunc) (*C.char, error) {
	h, err := c.acquire()
	if err != nil {
		return nil, err
	}
	defer c.release()

	inv := invocation{client: h}
	if s == nil {
		s = &streams{}
	}
	inv.write, inv.read = s.writeCB(), s.readCB()
	if s.out != nil || s.in != nil {
		userdata, end := s.begin()
		defer end()
		inv.userdata = userdata
	}

	watch, err := watchContext(ctx)
	if err != nil {
		return nil, err
	}
	if watch != nil {
		if o == nil {
			o = options{}
		}
		o["cancel"] = watch.id()
		inv.cancel = watch.token
	}
	inv.opts, err = o.cJSON()
	if err != nil {
		watch.stop()
		return nil, err
	}
	defer freeCString(inv.opts)

	var out *C.char
	var cerr *C.dc_error
	status := f(&inv, &out, &cerr)
	watch.stop()

	var callErr *Error
	if status != C.DC_OK {
		callErr = takeError(status, cerr)
		if callErr.Code == StatusCancelled && ctx != nil && ctx.Err() != nil {
			callErr.Message, callErr.cause = "the call's Context ended", ctx.Err()
		}
	}
	if err := s.finish(callErr); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeResult decodes the library's result JSON into v and frees it.
func decodeResult(out *C.char, v interface{}) error {
	defer freeLibraryString(out)
	if err := json.Unmarshal(libraryBytes(out), v); err != nil {
		return localError(StatusServerError, "unreadable answer: %v", err)
	}
	return nil
}

// contextWatch triggers a dc_cancel token when a Context ends, so that the call made with it
// returns DC_CANCELLED at once, even while the daemon is silent.
type contextWatch struct {
	token   *C.dc_cancel
	done    chan struct{}
	stopped chan struct{}
}

// watchContext returns nil for a Context that can never end (nil, Background, TODO).
func watchContext(ctx context.Context) (*contextWatch, error) {
	if ctx == nil || ctx.Done() == nil {
		return nil, nil
	}
	w := &contextWatch{done: make(chan struct{}), stopped: make(chan struct{})}
	var cerr *C.dc_error
	if status := C.dc_cancel_new(&w.token, &cerr); status != C.DC_OK {
		return nil, takeError(status, cerr)
	}
	if ctx.Err() != nil {
		// Already over: the call fails at once, before it sends anything.
		C.dc_cancel_trigger(w.token)
		close(w.stopped)
		return w, nil
	}
	go func() {
		defer close(w.stopped)
		select {
		case <-ctx.Done():
			C.dc_cancel_trigger(w.token)
		case <-w.done:
		}
	}()
	return w, nil
}

func (w *contextWatch) id() uint64 { return uint64(C.dc_cancel_id(w.token)) }

// stop ends the watch and frees the token; the goroutine is gone when it returns, so the
// token is never triggered after it is freed. Safe on nil and twice.
func (w *contextWatch) stop() {
	if w == nil || w.token == nil {
		return
	}
	select {
	case <-w.done:
	default:
		close(w.done)
	}
	<-w.stopped
	C.dc_cancel_free(w.token)
	w.token = nil
}
