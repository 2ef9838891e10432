//go:build js && wasm

package dom

import "syscall/js"

// TabStorage returns the tab's sessionStorage, where the client keeps its
// resume token (ResumeKeeper), or nil when the browser refuses it: a
// reload then starts a new game connection, as it did before there was
// one.
func TabStorage() Storage {
	var ss js.Value
	func() {
		defer func() { _ = recover() }() // the getter throws where storage is blocked
		ss = js.Global().Get("sessionStorage")
	}()
	if !ss.Truthy() {
		return nil
	}
	return jsStorage{ss}
}

// Remove removes key, so that nothing is left behind (dom.remover).
func (s jsStorage) Remove(key string) {
	defer func() { _ = recover() }()
	s.v.Call("removeItem", key)
}
