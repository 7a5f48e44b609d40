package dockerclient

// #include <dockerclient.h>
import "C"

import "unsafe"

// ProgressKind tells what one progress message is about (DC_PROGRESS_* in dockerclient.h).
type ProgressKind int32

// The kinds of progress messages.
const (
	ProgressOther     ProgressKind = C.DC_PROGRESS_OTHER     // nothing a display needs
	ProgressLayer     ProgressKind = C.DC_PROGRESS_LAYER     // a layer: ID, Text, Current/Total
	ProgressAggregate ProgressKind = C.DC_PROGRESS_AGGREGATE // overall figures (Aggregate: true)
	ProgressStatus    ProgressKind = C.DC_PROGRESS_STATUS    // a line about the whole image
	ProgressOutput    ProgressKind = C.DC_PROGRESS_OUTPUT    // build output (Text)
	ProgressError     ProgressKind = C.DC_PROGRESS_ERROR     // the error that ends the operation
	ProgressVertex    ProgressKind = C.DC_PROGRESS_VERTEX    // a BuildKit step started or ended
	ProgressCounter   ProgressKind = C.DC_PROGRESS_COUNTER   // a BuildKit counter inside a step
	ProgressLog       ProgressKind = C.DC_PROGRESS_LOG       // a BuildKit step's output chunk
	ProgressWarning   ProgressKind = C.DC_PROGRESS_WARNING   // a BuildKit warning
	ProgressImage     ProgressKind = C.DC_PROGRESS_IMAGE     // the image a BuildKit build produced
	ProgressText      ProgressKind = C.DC_PROGRESS_TEXT      // a text-mode message, whole
)

// Progress is one progress message as figures (dc_progress_parse): what a progress bar
// needs, without decoding JSON.
type Progress struct {
	Kind ProgressKind
	// State is DC_VERTEX_* for a vertex (1 started, 2 done, 3 cached, 4 error, 5 canceled),
	// 1 for a completed counter.
	State int32
	// ID is the layer, BuildKit digest, counter or image ID.
	ID string
	// Text is the status, step name, output, warning or error message (cut at 1 KiB,
	// TextTruncated then true).
	Text          string
	TextTruncated bool
	// Current and Total are this layer's or counter's bytes (Total 0: unknown).
	Current, Total int64
	// Number is a BuildKit step's number.
	Number int64
	// AggregateCurrent and AggregateTotal are the bytes over all layers (ProgressAggregate).
	AggregateCurrent, AggregateTotal int64
	// Layers and LayersDone count the layers seen and transferred.
	Layers, LayersDone int64
	// TotalFinal is true once AggregateTotal cannot grow any more: a percentage is honest
	// from then on, and never goes back.
	TotalFinal bool
	// ExtractCurrent and ExtractTotal are a pull's unpacking phase.
	ExtractCurrent, ExtractTotal int64
}

// ParseProgress reads one progress message: what one Write of a PullImage, PushImage,
// BuildImage, LoadImage or ImportImage OutputStream received (any mode). Unknown messages
// are ProgressOther.
func ParseProgress(msg []byte) Progress {
	var p C.dc_progress
	var buf *C.uint8_t
	if len(msg) > 0 {
		// C reads the Go bytes during the call only; they hold no Go pointers.
		buf = (*C.uint8_t)(unsafe.Pointer(&msg[0]))
	}
	if C.dc_progress_parse(buf, C.size_t(len(msg)), &p, nil) != C.DC_OK {
		return Progress{}
	}
	return Progress{
		Kind:             ProgressKind(p.kind),
		State:            int32(p.state),
		ID:               C.GoString(&p.id[0]),
		Text:             C.GoString(&p.text[0]),
		TextTruncated:    p.text_truncated != 0,
		Current:          int64(p.current),
		Total:            int64(p.total),
		Number:           int64(p.number),
		AggregateCurrent: int64(p.aggregate_current),
		AggregateTotal:   int64(p.aggregate_total),
		Layers:           int64(p.layers),
		LayersDone:       int64(p.layers_done),
		TotalFinal:       p.total_final != 0,
		ExtractCurrent:   int64(p.extract_current),
		ExtractTotal:     int64(p.extract_total),
	}
}
