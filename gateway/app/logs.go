package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
)

// LogHandler is the gateway's log handler: text or JSON lines to one
// writer, from a level up. A configuration reload changes the format and
// the level (SetConfig), and every logger derived from it with With or
// WithGroup follows: the components keep the loggers Start gave them.
type LogHandler struct {
	root  *logRoot
	ops   []logOp                  // With and WithGroup calls, in order
	cache atomic.Pointer[logCache] // root's handler with ops applied
}

// logRoot is what all the handlers derived from one LogHandler share.
type logRoot struct {
	w     io.Writer
	level slog.LevelVar
	mu    sync.Mutex // serializes SetConfig
	base  atomic.Pointer[logBase]
}

// logBase is the handler for one format.
type logBase struct {
	format string
	h      slog.Handler
}

// logOp is one With (attrs) or WithGroup (group) call.
type logOp struct {
	attrs []slog.Attr
	group string
}

// logCache is base.h with a derived handler's ops applied, for base.
type logCache struct {
	base *logBase
	h    slog.Handler
}

// NewLogHandler returns a handler writing to w as c says (validated: an
// unknown format is text, an unknown level info).
func NewLogHandler(w io.Writer, c LogConfig) *LogHandler {
	h := &LogHandler{root: &logRoot{w: w}}
	h.SetConfig(c)
	return h
}

// NewLogger returns a logger on a NewLogHandler.
func NewLogger(w io.Writer, c LogConfig) *slog.Logger { return slog.New(NewLogHandler(w, c)) }

// SetConfig changes the format and the level of h and of every handler
// derived from it, from the next record on.
func (h *LogHandler) SetConfig(c LogConfig) {
	r := h.root
	r.mu.Lock()
	defer r.mu.Unlock()
	lv, err := parseLevel(c.Level)
	if err != nil {
		lv = slog.LevelInfo
	}
	r.level.Set(lv)
	format := "text"
	if c.Format == "json" {
		format = "json"
	}
	if b := r.base.Load(); b != nil && b.format == format {
		return
	}
	opts := &slog.HandlerOptions{
		Level: &r.level,
		// Durations as "1.5s", not JSON's nanosecond integers.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Value.Kind() == slog.KindDuration {
				return slog.String(a.Key, a.Value.Duration().String())
			}
			return a
		},
	}
	var base slog.Handler = slog.NewTextHandler(r.w, opts)
	if format == "json" {
		base = slog.NewJSONHandler(r.w, opts)
	}
	r.base.Store(&logBase{format: format, h: base})
}

// Enabled implements slog.Handler.
func (h *LogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.root.level.Level()
}

// Handle implements slog.Handler.
func (h *LogHandler) Handle(ctx context.Context, r slog.Record) error {
	return h.handler().Handle(ctx, r)
}

// handler is the current format's handler with h's attributes and
// groups.
func (h *LogHandler) handler() slog.Handler {
	base := h.root.base.Load()
	if c := h.cache.Load(); c != nil && c.base == base {
		return c.h
	}
	out := base.h
	for _, op := range h.ops {
		if op.group != "" {
			out = out.WithGroup(op.group)
		} else {
			out = out.WithAttrs(op.attrs)
		}
	}
	h.cache.Store(&logCache{base: base, h: out})
	return out
}

// WithAttrs implements slog.Handler.
func (h *LogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return &LogHandler{root: h.root, ops: append(slices.Clip(h.ops), logOp{attrs: slices.Clone(attrs)})}
}

// WithGroup implements slog.Handler.
func (h *LogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &LogHandler{root: h.root, ops: append(slices.Clip(h.ops), logOp{group: name})}
}

// auditFile is the audit trail's file (log.audit_file). A reload reopens
// it, so that after logrotate moved it away the trail goes on in a new
// file at the configured path, or opens another path.
type auditFile struct {
	mu sync.Mutex
	f  *os.File
}

// openAuditFile opens (creating it, mode 0600) the file at path for
// appending.
func openAuditFile(path string) (*auditFile, error) {
	f, err := openAppend(path)
	if err != nil {
		return nil, fmt.Errorf("log.audit_file: %w", err)
	}
	return &auditFile{f: f}, nil
}

// Write appends p to the file.
func (a *auditFile) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.f.Write(p)
}

// replace makes f (the configured path opened again, or another) the
// file written from now on, and closes the one before.
func (a *auditFile) replace(f *os.File) {
	a.mu.Lock()
	old := a.f
	a.f = f
	a.mu.Unlock()
	old.Close()
}

// Close closes the file.
func (a *auditFile) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.f.Close()
}
