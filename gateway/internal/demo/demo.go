// Package demo is a small built-in telnet game, a castle with a few rooms
// where players log in, walk, look and talk. It gives a first run of the
// gateway something to show and gives end-to-end tests a real telnet
// server to drive: ANSI colours, prompts marked with GA or EOR, password
// masking through WILL/WONT ECHO, NAWS (room text wraps to the window),
// TTYPE with MTTS, MSSP (its name, player count and start time, for the
// gateway's front page and MUD crawlers), GMCP, MSDP and MXP (exits and
// the things in a room as clickable commands and menus; see mxp.go).
//
// GMCP and MSDP: the game offers WILL GMCP and WILL MSDP and sends each
// datum one way only. The vitals go at login and whenever they change
// (cast spends mana, swimming in the moat costs health, rest restores
// both): over MSDP to a client that agreed to it, as HEALTH, HEALTH_MAX,
// MANA and MANA_MAX in one subnegotiation, those it asked to REPORT (or
// SEND); else as GMCP Char.Vitals ({"hp","maxhp","mp","maxmp"}). Room.Info
// ({"num","name","area","exits"}, IRE/Mudlet mapper style) goes over GMCP
// on entering a room. A client that agrees to neither sees no difference.
//
// The map command is a full-screen program in character mode, as games
// run editors and maps: WILL ECHO and WILL SGA, the alternate screen, a
// border drawn with cursor addressing at the NAWS size (redrawn when it
// changes), and an @ that walks with the arrow keys or hjkl; q, Ctrl-C or
// IAC IP go back to line mode (WONT ECHO, WONT SGA) and the prompt. Room
// messages wait until then.
//
// The server reads its input with telnet.Parser and negotiates with
// telnet.Negotiator, so it exercises the same code as the gateway's client
// side. Characters live in memory only, for as long as the Server does.
//
// Every connection has a bounded outgoing queue written by its own
// goroutine with a deadline: a player who stops reading is disconnected
// instead of slowing anyone else down.
package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Defaults and limits.
const (
	// DefaultName is the game's name when Config.Name is empty.
	DefaultName = "Drawbridge Demo"

	// Codebase is what the game calls its code in MSSP (CODEBASE).
	Codebase = "Drawbridge demo"

	// loginTimeout: a connection that has not logged in this long after
	// connecting is closed, so idle or junk-spewing sockets cannot pile up.
	loginTimeout = 2 * time.Minute
	// writeTimeout bounds one write to a player; a player who reads
	// slower than that is disconnected.
	writeTimeout = 10 * time.Second
	// maxQueue bounds the bytes waiting to be written to one player.
	maxQueue = 256 << 10
	// shutdownGrace is how long Serve waits for goodbyes to be written
	// before closing connections hard.
	shutdownGrace = 3 * time.Second
	// maxLine is the longest input line kept; the rest is cut.
	maxLine = 512
)

// Config configures a Server. The zero value works.
type Config struct {
	// Name is shown in the banner and the who list; empty means
	// DefaultName.
	Name string
	// Logger receives connection and error logs; nil discards them.
	Logger *slog.Logger
}

// Server is the demo game. Create it with New and run it with Serve.
type Server struct {
	name  string
	log   *slog.Logger
	world *world
	// started is when the game started, its MSSP UPTIME.
	started time.Time

	// Tuning, fixed by New; tests shorten them.
	loginTimeout  time.Duration
	writeTimeout  time.Duration
	maxQueue      int
	shutdownGrace time.Duration

	mu       sync.Mutex
	accounts map[string]*account // by lower-case name
	players  map[string]*player  // logged-in players, by lower-case name
	conns    map[*conn]struct{}  // every open connection
}

// New returns a Server configured by cfg.
func New(cfg Config) *Server {
	s := &Server{
		name:          cfg.Name,
		log:           cfg.Logger,
		world:         newWorld(),
		started:       time.Now(),
		loginTimeout:  loginTimeout,
		writeTimeout:  writeTimeout,
		maxQueue:      maxQueue,
		shutdownGrace: shutdownGrace,
		accounts:      make(map[string]*account),
		players:       make(map[string]*player),
		conns:         make(map[*conn]struct{}),
	}
	if s.name == "" {
		s.name = DefaultName
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Players returns how many players are logged in.
func (s *Server) Players() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.players)
}

// Serve accepts connections on ln and plays with them until ctx is done
// or ln fails. It closes ln. Before it returns, every player gets a short
// goodbye line, every connection is closed and every goroutine it started
// has ended. It returns nil when ctx ended it, else the accept error.
// Call Serve once per Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()

	var wg sync.WaitGroup
	var err error
	var backoff time.Duration
	for {
		nc, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() != nil {
				break
			}
			var te interface{ Temporary() bool }
			if errors.As(aerr, &te) && te.Temporary() {
				// Out of file descriptors and the like: wait and retry,
				// as net/http does.
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("demo: accept", "err", aerr, "retry_in", backoff)
				select {
				case <-time.After(backoff):
					continue
				case <-ctx.Done():
				}
				break
			}
			err = fmt.Errorf("demo: accept: %w", aerr)
			break
		}
		backoff = 0
		c := newConn(s, nc)
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
	ln.Close()

	// Say goodbye to everyone, give the writers a moment, then close hard.
	s.mu.Lock()
	for c := range s.conns {
		c.close([]byte("\r\n" + ansiNotice + "The " + s.name + " is shutting down. Goodbye!" + ansiReset + "\r\n"))
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(s.shutdownGrace):
		s.mu.Lock()
		for c := range s.conns {
			c.abort()
		}
		s.mu.Unlock()
		<-done
	}
	return err
}
