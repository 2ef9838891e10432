package link

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// inbox builds what drawbridgeInbox's take() hands over (www/loader.js).
func inbox(msgs ...[]byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(msgs)))
	for _, m := range msgs {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(m)))
	}
	for _, m := range msgs {
		b = append(b, m...)
	}
	return b
}

func TestSplitInbox(t *testing.T) {
	msgs := [][]byte{[]byte("first"), {}, []byte("third, longer")}
	got, err := splitInbox(inbox(msgs...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(msgs) {
		t.Fatalf("got %d messages, want %d", len(got), len(msgs))
	}
	for i := range msgs {
		if !bytes.Equal(got[i], msgs[i]) {
			t.Errorf("message %d: %q, want %q", i, got[i], msgs[i])
		}
	}
	// A message's capacity ends with it: appending to one cannot
	// overwrite the next.
	_ = append(got[0], 'X')
	if string(got[2]) != "third, longer" {
		t.Errorf("appending to the first changed the third: %q", got[2])
	}
}

func TestSplitInboxMalformed(t *testing.T) {
	good := inbox([]byte("abc"), []byte("de"))
	for name, b := range map[string][]byte{
		"empty":            nil,
		"count too large":  binary.LittleEndian.AppendUint32(nil, 1000),
		"length past end":  good[:len(good)-1],
		"bytes after last": append(bytes.Clone(good), 'x'),
	} {
		if _, err := splitInbox(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
