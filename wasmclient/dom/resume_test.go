package dom

import "testing"

func TestResumeKeeper(t *testing.T) {
	store := mapStorage{}
	k := NewResumeKeeper(store)
	if tok, seq := k.Load(); tok != "" || seq != 0 {
		t.Fatalf("empty storage loads %q %d, want nothing", tok, seq)
	}
	k.Save("abc-DEF_123", 42)
	if got := store[resumeKey]; got != "42 abc-DEF_123" {
		t.Fatalf("stored %q", got)
	}
	// Another keeper on the same storage is the reloaded page.
	if tok, seq := NewResumeKeeper(store).Load(); tok != "abc-DEF_123" || seq != 42 {
		t.Fatalf("loaded %q %d, want abc-DEF_123 42", tok, seq)
	}
	k.Save("", 0)
	if tok, _ := k.Load(); tok != "" {
		t.Fatalf("after clearing, loaded %q", tok)
	}
	for _, bad := range []string{"x", "12", "12 ", "-1 tok", "12 tok&evil=1", "12 tok en", "99999999999999999999 tok"} {
		store[resumeKey] = bad
		if tok, seq := k.Load(); tok != "" || seq != 0 {
			t.Errorf("stored %q loads %q %d, want nothing", bad, tok, seq)
		}
	}
	k.Save("not a token", 1)
	if store[resumeKey] != "" {
		t.Errorf("saving a malformed token stored %q, want nothing", store[resumeKey])
	}
	var none *ResumeKeeper
	none.Save("tok", 1)
	if tok, _ := NewResumeKeeper(nil).Load(); tok != "" {
		t.Errorf("a keeper without storage loaded %q", tok)
	}
}

// removingStorage is a Storage that can remove keys, as the browser's can.
type removingStorage struct{ mapStorage }

func (r removingStorage) Remove(key string) { delete(r.mapStorage, key) }

func TestResumeKeeperRemovesWhenCleared(t *testing.T) {
	store := removingStorage{mapStorage{}}
	k := NewResumeKeeper(store)
	k.Save("tok", 3)
	k.Save("", 0)
	if _, ok := store.mapStorage[resumeKey]; ok {
		t.Fatalf("clearing left %q behind, want the key removed", store.mapStorage[resumeKey])
	}
}
