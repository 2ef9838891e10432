package telnet

import (
	"bytes"
	"unicode/utf8"

	"github.com/drawbridge/drawbridge/gateway/internal/mxp"
)

// maxMXPOutput bounds one Sink.Output call of filtered text: the most a
// call carries without MXP, three bytes for each of inflateChunk.
const maxMXPOutput = 3 * inflateChunk

// maxKeptMXP is the most scratch the filter's output keeps between reads.
const maxKeptMXP = 256 << 10

// setMXP starts or ends MXP as the option turns on or off (on either
// side): text goes through an mxp.Filter while it is on. Ending it gives
// the Sink what the filter held, its colours and links closed.
func (c *Client) setMXP(on bool) {
	switch {
	case on && c.mx == nil:
		c.deliver(c.sink, c.guard.End(c.mxOut[:0]))
		c.mx = mxp.New(c.mxCfg)
		c.log.Debug("MXP on")
	case !on && c.mx != nil:
		c.mxOut = c.mx.End(c.mxOut[:0])
		c.mx = nil
		c.flushReplies()
		c.deliver(c.sink, c.mxOut)
		c.log.Debug("MXP off")
	}
}

// emit gives text, valid UTF-8 in whole runes, to s: through the MXP
// filter while MXP is on, its answers queued for the game; through the
// Guard while it is off, so that a game without MXP makes no command
// links.
func (c *Client) emit(s Sink, p []byte) {
	if c.mx == nil {
		if c.guard.Pass(p) {
			s.Output(p) // it can start no link
			return
		}
		c.mxOut = c.guard.Append(c.mxOut[:0], p)
		c.deliver(s, c.mxOut)
		return
	}
	c.mxOut, c.mxReply = c.mx.Append(c.mxOut[:0], c.mxReply[:0], p)
	c.answerMXP(c.mxReply)
	c.deliver(s, c.mxOut)
}

// deliver gives the filter's output to s, in calls of at most
// maxMXPOutput bytes cut between runes, none empty.
func (c *Client) deliver(s Sink, out []byte) {
	for len(out) > 0 {
		n := len(out)
		if n > maxMXPOutput {
			n = maxMXPOutput
			for n > 0 && !utf8.RuneStart(out[n]) {
				n--
			}
		}
		s.Output(out[:n])
		out = out[n:]
	}
	if cap(c.mxOut) > maxKeptMXP {
		c.mxOut = nil // do not pin a buffer sized for one odd burst
	}
}

// answerMXP queues the filter's answers for the game: each line of reply
// (each ends in LF) goes as SendLine sends a line, in the game's charset.
func (c *Client) answerMXP(reply []byte) {
	if len(reply) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for line := range bytes.Lines(reply) {
		line = bytes.TrimSuffix(line, []byte{'\n'})
		c.out = AppendEscaped(c.out, c.encodeLocked(line))
		c.out = append(c.out, '\r', '\n')
	}
	c.dirty = true
}
