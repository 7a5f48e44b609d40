package dockerclient

// Pull and push: the daemon's progress goes to OutputStream as the library delivers it, one
// message per Write (the text `docker pull` prints into a pipe, or with RawJSONStream the
// daemon's JSON lines), straight from the library's buffer.

// #include <dockerclient.h>
import "C"

import (
	"context"
	"io"
	"time"
)

// PullImageOptions are PullImage's parameters.
type PullImageOptions struct {
	// All pulls every tag of Repository (which then names no tag).
	All bool
	// Repository is "name", "name:tag" or "name@sha256:…", with or without a registry host.
	Repository string
	// Tag is a tag or digest for a Repository given without one. Empty means "latest"
	// (go-dockerclient sends an empty tag, which the daemon takes as every tag).
	Tag string
	// Platform is "os[/arch[/variant]]" (API 1.32+).
	Platform string
	// Registry is accepted for go-dockerclient programs and ignored: the registry is the
	// host part of Repository (daemons since Engine 1.11 ignore the parameter).
	Registry string

	// OutputStream receives the progress, one message per Write; nil: none is asked for.
	OutputStream io.Writer
	// RawJSONStream: the daemon's JSON messages (one line each) instead of the text the
	// docker CLI prints into a pipe.
	RawJSONStream bool
	// Aggregate (with RawJSONStream) adds, after each update, one message with the overall
	// bytes and layers ({"aggregate": {…}}); ParseProgress reads it. This package's addition.
	Aggregate bool
	// InactivityTimeout is the longest silence allowed between two reads (0: the client's).
	InactivityTimeout time.Duration
	// Context stops the pull when it ends, even while the daemon is silent.
	Context context.Context
}

// PullResult is what a pull produced. This package's addition (PullImageWithResult).
type PullResult struct {
	// Reference is the reference pulled ("127.0.0.1:5000/app:1").
	Reference string `json:"reference"`
	// Digest is the manifest's digest ("" with All).
	Digest string `json:"digest"`
	// ID is the local image's ID ("" with All).
	ID string `json:"id"`
	// New tells whether a newer image was downloaded (false: it was up to date).
	New bool `json:"new"`
}

// PullImage pulls an image from its registry. An empty auth means the credentials of the
// docker config for that registry, else none.
func (c *Client) PullImage(opts PullImageOptions, auth AuthConfiguration) error {
	_, err := c.PullImageWithResult(opts, auth)
	return err
}

// PullImageWithResult is PullImage, returning what was pulled.
func (c *Client) PullImageWithResult(opts PullImageOptions, auth AuthConfiguration) (*PullResult, error) {
	o := options{"image": opts.Repository}
	o.str("tag", opts.Tag)
	o.flag("all_tags", opts.All)
	o.str("platform", opts.Platform)
	o.auth("auth", auth)
	progressOptions(o, opts.OutputStream, opts.RawJSONStream, opts.Aggregate)
	o.millis("inactivity_timeout_ms", opts.InactivityTimeout)
	s := &streams{out: opts.OutputStream}
	out, err := c.run(opts.Context, o, s, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_pull(inv.client, inv.opts, inv.write, inv.userdata, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var result PullResult
	if err := decodeResult(out, &result); err != nil {
		return nil, err
	}
	return &result, nil
}

// PushImageOptions are PushImage's parameters.
type PushImageOptions struct {
	// Name is the image, "repo" or "repo:tag", with its registry host.
	Name string
	// Tag is the tag to push for a Name without one (default "latest"; never every tag).
	Tag string
	// Registry is accepted for go-dockerclient programs and ignored: the registry is the host
	// part of Name.
	Registry string

	OutputStream      io.Writer
	RawJSONStream     bool
	Aggregate         bool // see PullImageOptions.Aggregate
	InactivityTimeout time.Duration
	Context           context.Context
}

// PushResult is what a push sent. This package's addition (PushImageWithResult).
type PushResult struct {
	Tag    string      `json:"tag"`
	Digest string      `json:"digest"`
	Size   int64       `json:"size"`
	Pushed []PushedTag `json:"pushed"`
}

// PushedTag is one tag a push sent.
type PushedTag struct {
	Tag    string `json:"tag"`
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
}

// PushImage pushes a local image to its registry. An empty auth means the credentials of the
// docker config for that registry, else none.
func (c *Client) PushImage(opts PushImageOptions, auth AuthConfiguration) error {
	_, err := c.PushImageWithResult(opts, auth)
	return err
}

// PushImageWithResult is PushImage, returning what was pushed.
func (c *Client) PushImageWithResult(opts PushImageOptions, auth AuthConfiguration) (*PushResult, error) {
	o := options{}
	o.str("tag", opts.Tag)
	o.auth("auth", auth)
	progressOptions(o, opts.OutputStream, opts.RawJSONStream, opts.Aggregate)
	o.millis("inactivity_timeout_ms", opts.InactivityTimeout)
	name := cString(opts.Name)
	defer freeCString(name)
	s := &streams{out: opts.OutputStream}
	out, err := c.run(opts.Context, o, s, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_push(inv.client, name, inv.opts, inv.write, inv.userdata, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var result PushResult
	if err := decodeResult(out, &result); err != nil {
		return nil, err
	}
	return &result, nil
}

// progressOptions asks for what go-dockerclient writes to OutputStream: the rendered text,
// or the daemon's JSON with RawJSONStream. The library renders the text, so no JSON is
// decoded on the Go side.
func progressOptions(o options, w io.Writer, rawJSON, aggregate bool) {
	if w == nil {
		return
	}
	if rawJSON {
		o["progress"] = "json"
	} else {
		o["progress"] = "text"
	}
	// Aggregate without RawJSONStream is refused by the library (INVALID_ARGUMENT), never
	// dropped.
	o.flag("aggregate", aggregate)
}
