package dockerclient

// #include <dockerclient.h>
import "C"

import (
	"encoding/json"
	"fmt"
)

// Error is every failure a call of this package returns (as an error; use errors.As to
// reach it, errors.Is with the Err* sentinels to test its class).
//
// Status and Message have go-dockerclient's names and meanings: the HTTP status of the
// daemon's answer and the message to show. Nothing in an Error ever holds a credential.
type Error struct {
	// Status is the HTTP status of the daemon's answer, 0 when the daemon did not answer
	// (a refused option, a connection failure, a stopped call).
	Status int
	// Message is the library's message: the daemon's words where it sent some, with what the
	// library knows about the failure (the option that was refused, the step that failed).
	Message string
	// Code is the class of the failure (StatusNotFound, StatusTimeout, …).
	Code Status
	// DaemonMessage is the daemon's own message, alone ("" when it sent none).
	DaemonMessage string
	// APIVersion is the API version the client was speaking ("" when none was settled).
	APIVersion string

	// cause is what stopped a call from this side: the Context's error, or the error (or panic
	// value) of the caller's writer or reader. errors.Is and errors.As reach it through Unwrap.
	cause error
}

// Error formats the failure as "STATUS: message".
func (e *Error) Error() string {
	msg := e.Code.String() + ": " + e.Message
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

// Is reports whether target is the sentinel of this error's class (ErrNotFound, …).
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Code
}

// Unwrap returns what stopped the call from this side: context.Canceled or
// context.DeadlineExceeded for a Context that ended, or the error the caller's writer or
// reader returned. Nil otherwise.
func (e *Error) Unwrap() error { return e.cause }

// errorJSON is dc_error_json's document (the keys this package keeps).
type errorJSON struct {
	HTTPStatus    int     `json:"http_status"`
	Message       string  `json:"message"`
	DaemonMessage *string `json:"daemon_message"`
	APIVersion    *string `json:"api_version"`
}

// takeError turns a failed call's dc_error into an *Error and frees it.
func takeError(status C.dc_status, cerr *C.dc_error) *Error {
	defer C.dc_error_free(cerr)
	e := &Error{Code: Status(status)}
	if cerr == nil {
		e.Message = "the library returned no error details"
		return e
	}
	e.Code = Status(C.dc_error_status(cerr))
	e.Status = int(C.dc_error_http_status(cerr))
	e.Message = C.GoString(C.dc_error_message(cerr))
	var doc errorJSON
	if json.Unmarshal([]byte(C.GoString(C.dc_error_json(cerr))), &doc) == nil {
		if doc.DaemonMessage != nil {
			e.DaemonMessage = *doc.DaemonMessage
		}
		if doc.APIVersion != nil {
			e.APIVersion = *doc.APIVersion
		}
	}
	return e
}

// localError is a failure found by this package before the library was called.
func localError(code Status, format string, args ...interface{}) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
