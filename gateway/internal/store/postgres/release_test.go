package postgres

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// TestReleaseUnlocks: TryLock and Lock unlock their lock before they
// close its connection, so the lock is free the moment they return. The
// first node's connections go through a proxy that keeps the server's
// side of each connection open after the client has closed it, as a
// loaded machine delays the exit of the server process: had closing been
// all that released the lock, it would still be held.
func TestReleaseUnlocks(t *testing.T) {
	ctx := context.Background()
	u := pg.Server(t).NewDatabase(t)
	proxy := lingerProxy(t, u)
	a, b := open(t, proxy.url), open(t, u)
	if ran, err := a.TryLock(ctx, "sweep", func(context.Context) error { return nil }); !ran || err != nil {
		t.Fatalf("TryLock: got %v, %v; want true, nil", ran, err)
	}
	if n := advisoryLocks(t, b); n != 0 {
		t.Errorf("after TryLock returned: %d advisory locks held, want 0", n)
	}
	if ran, err := b.TryLock(ctx, "sweep", func(context.Context) error { return nil }); !ran || err != nil {
		t.Errorf("another node's TryLock right after: got %v, %v; want true, nil", ran, err)
	}
	unlock, err := a.Lock(ctx, "order cert example.com")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if n := advisoryLocks(t, b); n != 0 {
		t.Errorf("after unlock returned: %d advisory locks held, want 0", n)
	}
	// The proxy did hold the two lock connections open after their
	// close: without that, this test would prove nothing.
	for i := range 2 {
		select {
		case <-proxy.held:
		case <-time.After(wait):
			t.Fatalf("the proxy held back %d connections' Terminate, want 2 (the two locks')", i)
		}
	}
}

// advisoryLocks counts the advisory locks held on db's database by anyone.
func advisoryLocks(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND granted
		AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lingering is a TCP proxy to a PostgreSQL server that drops each
// client's Terminate message and keeps the server's side of a connection
// open after the client has closed its own, until the test ends.
type lingering struct {
	url  string        // the database's URL, through the proxy
	held chan struct{} // receives when a Terminate is held back

	mu    sync.Mutex
	conns []net.Conn
	wg    sync.WaitGroup
}

func lingerProxy(t *testing.T, dbURL string) *lingering {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u.Host = ln.Addr().String()
	p := &lingering{url: u.String(), held: make(chan struct{}, 100)}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				t.Errorf("proxy: %v", err)
				c.Close()
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(c, s); c.Close() })
			p.wg.Go(func() {
				if err := p.forward(s, c); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					t.Errorf("proxy: %v", err)
				}
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// forward copies the client's messages to the server, message by message
// (the startup message has no type byte; the others do), all but
// Terminate ('X').
func (p *lingering) forward(server, client net.Conn) error {
	startup := true
	for {
		var head []byte
		if startup {
			head = make([]byte, 4)
		} else {
			head = make([]byte, 5)
		}
		if _, err := io.ReadFull(client, head); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint32(head[len(head)-4:])) - 4
		if n < 0 {
			return errors.New("bad message length")
		}
		msg := make([]byte, len(head)+n)
		copy(msg, head)
		if _, err := io.ReadFull(client, msg[len(head):]); err != nil {
			return err
		}
		if !startup && head[0] == 'X' {
			select {
			case p.held <- struct{}{}:
			default:
			}
			continue
		}
		startup = false
		if _, err := server.Write(msg); err != nil {
			return err
		}
	}
}
