package dockerclient

// #include <dockerclient.h>
import "C"

// Status is the class of a failure: the library's dc_status. Each non-OK value is also an
// error, so that errors.Is(err, dockerclient.ErrNotFound) tells the class of any error this
// package returns.
type Status int32

// The library's status codes (DC_* in dockerclient.h).
const (
	StatusOK              Status = C.DC_OK
	StatusInvalidArgument Status = C.DC_INVALID_ARGUMENT
	StatusNotFound        Status = C.DC_NOT_FOUND
	StatusConflict        Status = C.DC_CONFLICT
	StatusUnauthorized    Status = C.DC_UNAUTHORIZED
	StatusForbidden       Status = C.DC_FORBIDDEN
	StatusServerError     Status = C.DC_SERVER_ERROR
	StatusTransport       Status = C.DC_TRANSPORT
	StatusTimeout         Status = C.DC_TIMEOUT
	StatusCancelled       Status = C.DC_CANCELLED
	StatusUnsupported     Status = C.DC_UNSUPPORTED
	StatusStreamError     Status = C.DC_STREAM_ERROR
	StatusInternal        Status = C.DC_INTERNAL
)

// Sentinels for errors.Is, one per status.
var (
	// ErrInvalidArgument: bad option, bad name, bad endpoint (checked before anything is sent).
	ErrInvalidArgument error = StatusInvalidArgument
	// ErrNotFound: no such image, repository, tag, manifest or file.
	ErrNotFound error = StatusNotFound
	// ErrConflict: e.g. removing an image a container uses.
	ErrConflict error = StatusConflict
	// ErrUnauthorized: credentials missing or refused.
	ErrUnauthorized error = StatusUnauthorized
	// ErrForbidden: the daemon refused for lack of permission (HTTP 403).
	ErrForbidden error = StatusForbidden
	// ErrServerError: the daemon failed (HTTP 5xx) or answered something unreadable.
	ErrServerError error = StatusServerError
	// ErrTransport: connecting, TLS, sending or receiving failed; a stream cut short.
	ErrTransport error = StatusTransport
	// ErrTimeout: the client's whole-call or inactivity timeout expired.
	ErrTimeout error = StatusTimeout
	// ErrCancelled: the call was stopped: its Context ended, or its writer or reader failed.
	ErrCancelled error = StatusCancelled
	// ErrUnsupported: the daemon's API version lacks an option (the message names it).
	ErrUnsupported error = StatusUnsupported
	// ErrStreamError: an error reported inside a progress stream (a failed build step, …).
	ErrStreamError error = StatusStreamError
	// ErrInternal: a bug in the library.
	ErrInternal error = StatusInternal
)

// Error returns the status's name, e.g. "NOT_FOUND".
func (s Status) Error() string { return s.String() }

// String returns the status's name, e.g. "NOT_FOUND" (the library's dc_status_name).
func (s Status) String() string { return C.GoString(C.dc_status_name(C.dc_status(s))) }
