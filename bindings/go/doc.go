// Package dockerclient is libdockerclient (a Docker Engine API client for images, written in
// Rust, shipped as a C library) for Go, through cgo, with go-dockerclient's image API: the
// same constructors, method names, option structs and fields, and result types, so that a
// go-dockerclient program moves over by changing its import.
//
//	import docker "github.com/dockerclient/dockerclient/bindings/go"
//
//	client, err := docker.NewClientFromEnv()
//	images, err := client.ListImages(docker.ListImagesOptions{All: true})
//	err = client.PullImage(docker.PullImageOptions{Repository: "127.0.0.1:5000/app", Tag: "1",
//		OutputStream: os.Stdout, Context: ctx}, docker.AuthConfiguration{})
//
// The module path is github.com/dockerclient/dockerclient/bindings/go (the module lives in
// the bindings/go directory of the dockerclient repository; it is not on a module proxy: use
// it from a checkout, with a replace directive or a go.work). It needs no other module, and
// finds the C library with pkg-config (`#cgo pkg-config: dockerclient`): install it with
// `make install`, or point PKG_CONFIG_PATH at a staged install.
//
// # What the package adds
//
// Errors: every failure is an *Error (HTTP status and message, as go-dockerclient's Error,
// plus the library's status class, the daemon's own message and the API version), and
// errors.Is(err, ErrNotFound) — or ErrConflict, ErrUnauthorized, ErrTimeout, ErrCancelled, …,
// one sentinel per status — tells its class.
//
// Streams: OutputStream receives one progress message per Write (rendered by the library as
// the docker CLI prints it, or the daemon's JSON with RawJSONStream), and archives pass
// through io.Writer and io.Reader straight from and into the library's buffers, in bounded
// memory. ParseProgress reads a progress message as figures (with PullImageOptions.Aggregate:
// overall bytes and an honest total for a progress bar).
//
// Panics: a panic in the caller's writer or reader never unwinds through the C library (which
// would leak the call's connection): it is recovered in the callback, the library stops the
// call and releases everything, and the panic is raised again, with the same value, in the
// goroutine that made the call. (runtime.Goexit, which t.FailNow calls, cannot be stopped
// that way: do not call it from a writer or reader.)
//
// Contexts: a call's Context (the Context field of its options, or PingWithContext) stops it
// as soon as the Context ends, even while the daemon is silent: a goroutine triggers the
// call's dc_cancel token. The error then matches ErrCancelled and ctx.Err(). (A writer or
// reader of yours that blocks holds the call until it returns.)
//
// Concurrency: a *Client is safe for any number of goroutines (the library pools
// connections). Close frees it once its running calls end; a finalizer closes a forgotten one
// as a safety net only.
//
// Results: PullImageWithResult, PushImageWithResult, BuildImageWithResult,
// LoadImageWithResult and ImportImageWithResult return what the operation produced (the
// image ID, digest, tags) where go-dockerclient returns only an error.
//
// # Where it deliberately differs from go-dockerclient
//
//   - An empty PullImageOptions.Tag pulls "latest"; go-dockerclient sends an empty tag, which
//     the daemon takes as every tag. All: true asks for every tag.
//   - Errors are *Error values (or one of the sentinels below), never a bare string error.
//     ErrNoSuchImage, ErrInactivityTimeout, ErrConnectionRefused and ErrInvalidEndpoint are
//     aliases of ErrNotFound, ErrTimeout, ErrTransport and ErrInvalidArgument: test them with
//     errors.Is (err == ErrNoSuchImage is false, as the returned error carries the daemon's
//     message). ErrMultipleContexts, ErrMissingRepo and ErrMustSpecifyNames are returned as
//     themselves, so == works for those.
//   - A pull, push, load, import or build whose stream reports an error returns that error
//     with RawJSONStream too (go-dockerclient then copies the stream and returns nil), and a
//     save is checked to be a whole tar archive: one that breaks off is an error.
//   - PushImage with an empty AuthConfiguration sends the docker config's credentials for the
//     registry, else an empty X-Registry-Auth; go-dockerclient sends no header, which the
//     daemon refuses ("Bad parameters and missing X-Registry-Auth").
//   - ExportImages sends the names as repeated parameters (go-dockerclient joins them with
//     commas from API 1.25 on, which the daemon reads as one wrong name).
//   - An option the daemon's API version lacks is refused (ErrUnsupported) before anything is
//     sent, never dropped; the version is negotiated on first use, so SkipServerVersionCheck
//     changes nothing.
//   - BuildImage takes a nil OutputStream (no output is asked for) and ImportImage an empty
//     Repository (the image is left untagged); go-dockerclient refuses both.
//   - Registry (in PullImageOptions, PushImageOptions) and TagImageOptions.Force are accepted
//     and ignored, as current daemons ignore them.
//   - Client has no HTTPClient, TLSConfig or Dialer fields, and there is no
//     NewTLSClientFromBytes: the connection is the library's (TLS from PEM files).
//   - Only the image API (and Ping, Version, AuthCheck) is here: no containers, networks,
//     volumes or events.
package dockerclient
