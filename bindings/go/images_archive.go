package dockerclient

// Archives: save (ExportImage/ExportImages), load and import. The archive streams through in
// the library's chunks (up to 256 KiB), written to the caller's io.Writer or read from its
// io.Reader straight from/into the library's buffer: memory stays bounded whatever the size.

// #include <dockerclient.h>
import "C"

import (
	"context"
	"io"
	"net/url"
	"time"
)

// ExportImageOptions are ExportImage's parameters.
type ExportImageOptions struct {
	// Name is the image (name, tag or ID).
	Name string
	// OutputStream receives the tar archive (nil: it is read and dropped).
	OutputStream io.Writer
	// InactivityTimeout is the longest silence allowed between two reads (0: the client's).
	InactivityTimeout time.Duration
	Context           context.Context
}

// ExportImage saves one image as a tar archive (`docker save`) into OutputStream. The
// archive is checked as it passes: a daemon failure mid-archive is an error, never a
// truncated archive reported as success.
func (c *Client) ExportImage(opts ExportImageOptions) error {
	return c.save(opts.Context, []string{opts.Name}, opts.OutputStream, opts.InactivityTimeout)
}

// ExportImagesOptions are ExportImages' parameters.
type ExportImagesOptions struct {
	// Names are the images, all saved into one archive.
	Names             []string
	OutputStream      io.Writer
	InactivityTimeout time.Duration
	Context           context.Context
}

// ExportImages saves several images into one tar archive. (The names are sent as repeated
// parameters, which every API version reads; go-dockerclient joins them with commas from API
// 1.25 on, which the daemon reads as one wrong name.)
func (c *Client) ExportImages(opts ExportImagesOptions) error {
	if len(opts.Names) == 0 {
		return ErrMustSpecifyNames
	}
	return c.save(opts.Context, opts.Names, opts.OutputStream, opts.InactivityTimeout)
}

func (c *Client) save(ctx context.Context, names []string, w io.Writer, inactivity time.Duration) error {
	if w == nil {
		w = io.Discard
	}
	o := options{"names": names}
	o.millis("inactivity_timeout_ms", inactivity)
	s := &streams{out: w}
	_, err := c.run(ctx, o, s, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_save(inv.client, inv.opts, inv.write, inv.userdata, cerr)
	})
	return err
}

// LoadImageOptions are LoadImage's parameters.
type LoadImageOptions struct {
	// InputStream supplies the tar archive (`docker save`'s format).
	InputStream io.Reader
	// OutputStream receives the daemon's progress as the docker CLI prints it (nil: none is
	// asked for).
	OutputStream io.Writer
	Context      context.Context
}

// LoadResult is what a load produced. This package's addition (LoadImageWithResult).
type LoadResult struct {
	Images []LoadedImage `json:"images"`
}

// LoadedImage is one image a load reported: its name ("" for one loaded by ID only) and ID.
type LoadedImage struct {
	Name string `json:"name"`
	ID   string `json:"id"`
}

// LoadImage loads images from a tar archive (`docker load`). A truncated or corrupt archive
// is an error (ErrStreamError), never a silent partial load.
func (c *Client) LoadImage(opts LoadImageOptions) error {
	_, err := c.LoadImageWithResult(opts)
	return err
}

// LoadImageWithResult is LoadImage, returning the images loaded.
func (c *Client) LoadImageWithResult(opts LoadImageOptions) (*LoadResult, error) {
	if opts.InputStream == nil {
		return nil, localError(StatusInvalidArgument, "LoadImageOptions.InputStream is nil")
	}
	o := options{}
	progressOptions(o, opts.OutputStream, false, false)
	s := &streams{in: opts.InputStream, out: opts.OutputStream}
	out, err := c.run(opts.Context, o, s, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_load(inv.client, inv.opts, inv.read, inv.userdata, inv.write, inv.userdata, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var result LoadResult
	if err := decodeResult(out, &result); err != nil {
		return nil, err
	}
	return &result, nil
}

// ImportImageOptions are ImportImage's parameters.
type ImportImageOptions struct {
	// Repository names the new image, optionally with ":tag" ("" leaves it untagged).
	Repository string
	// Source is "-" (read InputStream), an http(s) URL the daemon downloads, or a file path.
	Source string
	// Tag is the new image's tag (needs Repository).
	Tag string

	InputStream       io.Reader
	OutputStream      io.Writer
	RawJSONStream     bool
	InactivityTimeout time.Duration
	Context           context.Context
}

// ImportResult is what an import produced. This package's addition (ImportImageWithResult).
type ImportResult struct {
	// ID is the new image's ID.
	ID string `json:"id"`
}

// ImportImage creates an image from a filesystem tarball (`docker import`), possibly
// compressed.
func (c *Client) ImportImage(opts ImportImageOptions) error {
	_, err := c.ImportImageWithResult(opts)
	return err
}

// ImportImageWithResult is ImportImage, returning the new image's ID.
func (c *Client) ImportImageWithResult(opts ImportImageOptions) (*ImportResult, error) {
	o := options{}
	o.str("repository", opts.Repository)
	o.str("tag", opts.Tag)
	s := &streams{out: opts.OutputStream}
	switch {
	case opts.Source == "-" || (opts.Source == "" && opts.InputStream != nil):
		if opts.InputStream == nil {
			return nil, localError(StatusInvalidArgument, "ImportImageOptions.Source is \"-\" but InputStream is nil")
		}
		s.in = opts.InputStream
	case isURL(opts.Source):
		o["url"] = opts.Source
	case opts.Source != "":
		o["input_path"] = opts.Source
	default:
		return nil, localError(StatusInvalidArgument, "ImportImageOptions: no Source and no InputStream")
	}
	progressOptions(o, opts.OutputStream, opts.RawJSONStream, false)
	o.millis("inactivity_timeout_ms", opts.InactivityTimeout)
	out, err := c.run(opts.Context, o, s, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_import(inv.client, inv.opts, inv.read, inv.userdata, inv.write, inv.userdata, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var result ImportResult
	if err := decodeResult(out, &result); err != nil {
		return nil, err
	}
	return &result, nil
}

func isURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https")
}
