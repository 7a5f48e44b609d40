package dockerclient

// The calls that answer with one JSON document: list, inspect, history, tag, remove, prune,
// search. Each decodes the library's JSON straight from C memory into go-dockerclient's
// types.

// #include <dockerclient.h>
import "C"

import (
	"context"
)

// ListImagesOptions are ListImages' parameters.
type ListImagesOptions struct {
	// Filters: "dangling", "label", "reference", "before", "since", "until", each a list.
	Filters map[string][]string
	// All also lists intermediate images.
	All bool
	// Digests includes RepoDigests.
	Digests bool
	// Filter is a name pattern; sent as Filters["reference"] (the daemon's legacy "filter"
	// parameter before API 1.25, where the library translates it back).
	Filter  string
	Context context.Context
}

// ListImages lists local images.
func (c *Client) ListImages(opts ListImagesOptions) ([]APIImages, error) {
	o := options{}
	o.flag("all", opts.All)
	o.flag("digests", opts.Digests)
	filters := opts.Filters
	if opts.Filter != "" {
		filters = make(map[string][]string, len(opts.Filters)+1)
		for k, v := range opts.Filters {
			filters[k] = v
		}
		filters["reference"] = append(append([]string(nil), filters["reference"]...), opts.Filter)
	}
	if len(filters) > 0 {
		o["filters"] = filters
	}
	out, err := c.run(opts.Context, o, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_list(inv.client, inv.opts, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var images []APIImages
	return images, decodeResult(out, &images)
}

// InspectImage returns an image by name, reference or ID. A missing image is an error for
// which errors.Is(err, ErrNoSuchImage) holds.
func (c *Client) InspectImage(name string) (*Image, error) {
	out, err := c.named(nil, name, nil, func(inv *invocation, cname *C.char, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_inspect(inv.client, cname, inv.opts, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var image Image
	if err := decodeResult(out, &image); err != nil {
		return nil, err
	}
	return &image, nil
}

// ImageHistory returns the layers an image was built from, newest first.
func (c *Client) ImageHistory(name string) ([]ImageHistory, error) {
	out, err := c.named(nil, name, nil, func(inv *invocation, cname *C.char, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_history(inv.client, cname, inv.opts, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var history []ImageHistory
	return history, decodeResult(out, &history)
}

// RemoveImage removes an image, or one of its tags.
func (c *Client) RemoveImage(name string) error {
	return c.RemoveImageExtended(name, RemoveImageOptions{})
}

// RemoveImageOptions are RemoveImageExtended's parameters.
type RemoveImageOptions struct {
	// Force removes even an image stopped containers use, or that has several tags.
	Force bool
	// NoPrune keeps untagged parent images.
	NoPrune bool
	Context context.Context
}

// RemoveImageExtended removes an image, or one of its tags, with options.
func (c *Client) RemoveImageExtended(name string, opts RemoveImageOptions) error {
	o := options{}
	o.flag("force", opts.Force)
	o.flag("noprune", opts.NoPrune)
	out, err := c.named(opts.Context, name, o, func(inv *invocation, cname *C.char, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_remove(inv.client, cname, inv.opts, out, cerr)
	})
	if err == nil {
		freeLibraryString(out)
	}
	return err
}

// TagImageOptions are TagImage's parameters.
type TagImageOptions struct {
	// Repo is the new repository ("name", "host:port/name", optionally with ":tag").
	Repo string
	// Tag is the new tag (default: the tag in Repo, else "latest").
	Tag string
	// Force is accepted for go-dockerclient programs; daemons since API 1.25 ignore it (a tag
	// always moves to the image named).
	Force   bool
	Context context.Context
}

// TagImage gives image name another name. A digest as target is refused before anything is
// sent (a digest names content and cannot be assigned).
func (c *Client) TagImage(name string, opts TagImageOptions) error {
	o := options{"repo": opts.Repo}
	o.str("tag", opts.Tag)
	_, err := c.named(opts.Context, name, o, func(inv *invocation, cname *C.char, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_tag(inv.client, cname, inv.opts, cerr)
	})
	return err
}

// SearchImages searches a registry's index through the daemon. A term whose first component
// is a host ("127.0.0.1:5000/app") searches that registry, anything else Docker Hub.
func (c *Client) SearchImages(term string) ([]APIImageSearch, error) {
	return c.SearchImagesEx(term, AuthConfiguration{})
}

// SearchImagesEx is SearchImages with credentials for the searched registry (an empty
// AuthConfiguration: those of the docker config, else anonymous).
func (c *Client) SearchImagesEx(term string, auth AuthConfiguration) ([]APIImageSearch, error) {
	o := options{"term": term}
	o.auth("auth", auth)
	out, err := c.run(nil, o, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_search(inv.client, inv.opts, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var results []APIImageSearch
	return results, decodeResult(out, &results)
}

// PruneImagesOptions are PruneImages' parameters.
type PruneImagesOptions struct {
	// Filters: "dangling" (["false"] prunes every unused image), "until", "label", "label!".
	Filters map[string][]string
	Context context.Context
}

// PruneImages removes unused images (by default the dangling ones).
func (c *Client) PruneImages(opts PruneImagesOptions) (*PruneImagesResults, error) {
	o := options{}
	if len(opts.Filters) > 0 {
		o["filters"] = opts.Filters
	}
	out, err := c.run(opts.Context, o, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return C.dc_image_prune(inv.client, inv.opts, out, cerr)
	})
	if err != nil {
		return nil, err
	}
	var results PruneImagesResults
	if err := decodeResult(out, &results); err != nil {
		return nil, err
	}
	return &results, nil
}

// namedFunc calls a C function that takes an image name.
type namedFunc func(inv *invocation, name *C.char, out **C.char, cerr **C.dc_error) C.dc_status

// named makes a call about one image.
func (c *Client) named(ctx context.Context, name string, o options, f namedFunc) (*C.char, error) {
	cname := cString(name)
	defer freeCString(cname)
	return c.run(ctx, o, nil, func(inv *invocation, out **C.char, cerr **C.dc_error) C.dc_status {
		return f(inv, cname, out, cerr)
	})
}
