package bridge

import "encoding/binary"

// replay keeps the numbered frames a player may not have received yet, so
// a client that resumes after a drop gets them again, in order. Frames
// leave it when the client acknowledges them (wire Ack) or, oldest first,
// when it would grow past max; a resume then reports the gap.
//
// Frames are stored back to back in one buffer, each behind a 4-byte
// length. The buffer is dropped as soon as everything is acknowledged, so
// an idle player holds none.
type replay struct {
	buf   []byte // [len u32][frame] ..., from off
	off   int    // where the oldest kept frame starts
	first uint64 // number of the oldest kept frame
	n     int    // frames kept
	max   int    // bound on the bytes kept
}

// next is the number the next added frame gets.
func (r *replay) next() uint64 { return r.first + uint64(r.n) }

// size is the number of bytes kept.
func (r *replay) size() int { return len(r.buf) - r.off }

// add keeps a copy of frame, numbered next(), dropping the oldest frames
// while the total would exceed max.
func (r *replay) add(frame []byte) {
	for r.n > 0 && r.size()+4+len(frame) > r.max {
		r.dropOldest()
	}
	if r.n == 0 {
		r.buf, r.off = r.buf[:0], 0
	} else if r.off > len(r.buf)/2 && r.off >= 4<<10 {
		// Slide the kept frames down rather than grow forever.
		r.buf = r.buf[:copy(r.buf, r.buf[r.off:])]
		r.off = 0
	}
	r.buf = binary.BigEndian.AppendUint32(r.buf, uint32(len(frame)))
	r.buf = append(r.buf, frame...)
	r.n++
}

// skip counts a numbered frame that is not kept (the session is not
// resumable), so numbering stays in step with the client's.
func (r *replay) skip() {
	r.ack(r.next()) // nothing is kept while frames are skipped
	r.first++
}

func (r *replay) dropOldest() {
	l := int(binary.BigEndian.Uint32(r.buf[r.off:]))
	r.off += 4 + l
	r.first++
	r.n--
	if r.n == 0 {
		r.release()
	}
}

// ack forgets the frames numbered below seq.
func (r *replay) ack(seq uint64) {
	for r.n > 0 && r.first < seq {
		r.dropOldest()
	}
}

func (r *replay) release() {
	r.buf, r.off = nil, 0
}

// since returns the number of the first frame kept at or after seq, and
// those frames, appended to dst as [len u32][frame] records. The first
// number is greater than seq when frames after seq were dropped.
func (r *replay) since(dst []byte, seq uint64) (uint64, []byte) {
	if seq >= r.next() {
		return r.next(), dst
	}
	first, off := r.first, r.off
	for first < seq {
		off += 4 + int(binary.BigEndian.Uint32(r.buf[off:]))
		first++
	}
	return first, append(dst, r.buf[off:]...)
}

// records splits what since returned into frames.
func records(b []byte, f func(frame []byte) error) error {
	for len(b) >= 4 {
		l := int(binary.BigEndian.Uint32(b))
		if err := f(b[4 : 4+l]); err != nil {
			return err
		}
		b = b[4+l:]
	}
	return nil
}
