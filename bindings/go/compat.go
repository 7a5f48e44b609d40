package dockerclient

// go-dockerclient's error variables, for the programs that test for them. Each is (or
// matches, through errors.Is) one of this package's classes, so that errors.Is works the
// same way with either set of names; see the package documentation for where == does not.

var (
	// ErrNoSuchImage matches every not-found failure (ErrNotFound): go-dockerclient returns
	// it for an inspect, history or removal of a missing image.
	ErrNoSuchImage = ErrNotFound

	// ErrInactivityTimeout matches every timeout (ErrTimeout).
	ErrInactivityTimeout = ErrTimeout

	// ErrConnectionRefused matches every transport failure (ErrTransport), a refused
	// connection among them.
	ErrConnectionRefused = ErrTransport

	// ErrInvalidEndpoint matches every invalid argument (ErrInvalidArgument), a bad endpoint
	// among them.
	ErrInvalidEndpoint = ErrInvalidArgument

	// ErrMissingRepo is returned by BuildImage given no context (no ContextDir, InputStream
	// or Remote).
	ErrMissingRepo error = localError(StatusInvalidArgument, "missing remote repository e.g. 'github.com/user/repo'")

	// ErrMissingOutputStream is kept for go-dockerclient programs; this package never
	// returns it (a nil OutputStream means: no output is asked for).
	ErrMissingOutputStream error = localError(StatusInvalidArgument, "missing output stream")

	// ErrMultipleContexts is returned by BuildImage given both ContextDir and InputStream.
	ErrMultipleContexts error = localError(StatusInvalidArgument, "image build may not be provided BOTH context dir and input stream")

	// ErrMustSpecifyNames is returned by ExportImages given no names.
	ErrMustSpecifyNames error = localError(StatusInvalidArgument, "must specify at least one name to export")
)
