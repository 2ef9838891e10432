package app

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/drawbridge/drawbridge/gateway/internal/bridge"
	"github.com/drawbridge/drawbridge/gateway/internal/status"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// certState is what the admin listener reports of one certificate.
type certState struct {
	Name        string
	NotAfter    time.Time // zero when there is none yet
	LastError   string    // "" when the last attempt worked
	NextAttempt time.Time // zero when nothing is scheduled
}

// adminSources are what the metrics read, at scrape time.
type adminSources struct {
	players      func() bridge.Stats
	telnetsConns func() int             // nil without telnets
	game         func() status.Snapshot // nil when status checks are off
	certs        func() []certState
	ready        *atomic.Bool
}

// adminHandler serves /healthz (the process answers), /readyz (it serves
// players: listeners up and a certificate to present) and /metrics
// (Prometheus), from a registry of its own rather than the global one.
func adminHandler(src adminSources) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "drawbridge_players",
			Help: "Players connected through the web client, those away waiting for a resume included.",
		}, func() float64 { return float64(src.players().Players) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "drawbridge_players_away",
			Help: "Players whose WebSocket dropped and whose game connection is held for a resume.",
		}, func() float64 { return float64(src.players().Away) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "drawbridge_resumes_total",
			Help:        "Clients that came back with a resume token, by result: resumed (same game connection) or failed (token unknown, used or expired).",
			ConstLabels: prometheus.Labels{"result": "resumed"},
		}, func() float64 { return float64(src.players().Resumed) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "drawbridge_resumes_total",
			Help:        "Clients that came back with a resume token, by result: resumed (same game connection) or failed (token unknown, used or expired).",
			ConstLabels: prometheus.Labels{"result": "failed"},
		}, func() float64 { return float64(src.players().ResumeFailed) }),
		newCertCollector(src.certs),
	)
	if src.telnetsConns != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "drawbridge_telnets_connections",
			Help: "Classic clients connected through the TLS telnet port.",
		}, func() float64 { return float64(src.telnetsConns()) }))
	}

	if src.game != nil {
		reg.MustRegister(newGameCollector(src.game))
	}

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !src.ready.Load() {
			http.Error(w, "not ready: starting or shutting down", http.StatusServiceUnavailable)
			return
		}
		for _, c := range src.certs() {
			if c.NotAfter.IsZero() || time.Now().After(c.NotAfter) {
				http.Error(w, "not ready: no valid certificate for "+c.Name, http.StatusServiceUnavailable)
				return
			}
		}
		fmt.Fprintln(w, "ready")
	})
	return mux
}

// certCollector exports each certificate's state at scrape time.
type certCollector struct {
	certs                    func() []certState
	expiry, failing, nextTry *prometheus.Desc
}

func newCertCollector(certs func() []certState) *certCollector {
	return &certCollector{
		certs: certs,
		expiry: prometheus.NewDesc("drawbridge_certificate_expiry_timestamp_seconds",
			"When the certificate served for a name expires (Unix time); absent until there is one.", []string{"name"}, nil),
		failing: prometheus.NewDesc("drawbridge_certificate_renewal_failing",
			"1 while the last attempt to obtain or renew the name's certificate failed.", []string{"name"}, nil),
		nextTry: prometheus.NewDesc("drawbridge_certificate_next_attempt_timestamp_seconds",
			"When the next attempt to obtain the name's certificate is due (Unix time), while one is scheduled.", []string{"name"}, nil),
	}
}

func (c *certCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.expiry
	ch <- c.failing
	ch <- c.nextTry
}

func (c *certCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.certs() {
		if !s.NotAfter.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.expiry, prometheus.GaugeValue, float64(s.NotAfter.Unix()), s.Name)
		}
		failing := 0.0
		if s.LastError != "" {
			failing = 1
		}
		ch <- prometheus.MustNewConstMetric(c.failing, prometheus.GaugeValue, failing, s.Name)
		if !s.NextAttempt.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.nextTry, prometheus.GaugeValue, float64(s.NextAttempt.Unix()), s.Name)
		}
	}
}

// gameCollector exports what the status checks learnt of the game.
type gameCollector struct {
	snap                              func() status.Snapshot
	reachable, mssp, players, checked *prometheus.Desc
}

func newGameCollector(snap func() status.Snapshot) *gameCollector {
	return &gameCollector{
		snap: snap,
		reachable: prometheus.NewDesc("drawbridge_game_reachable",
			"1 when the last status check connected to the game.", nil, nil),
		mssp: prometheus.NewDesc("drawbridge_game_mssp",
			"1 when the game answered the last status check with MSSP.", nil, nil),
		players: prometheus.NewDesc("drawbridge_game_players",
			"Players online by the game's own MSSP count, all clients; absent unless the last check got one.", nil, nil),
		checked: prometheus.NewDesc("drawbridge_game_status_checked_timestamp_seconds",
			"When the last status check of the game ended (Unix time); absent before the first.", nil, nil),
	}
}

func (c *gameCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.reachable
	ch <- c.mssp
	ch <- c.players
	ch <- c.checked
}

func (c *gameCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.snap()
	if s.Checked.IsZero() {
		return
	}
	bit := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	ch <- prometheus.MustNewConstMetric(c.checked, prometheus.GaugeValue, float64(s.Checked.Unix()))
	ch <- prometheus.MustNewConstMetric(c.reachable, prometheus.GaugeValue, bit(s.Reachable))
	ch <- prometheus.MustNewConstMetric(c.mssp, prometheus.GaugeValue, bit(s.MSSP))
	if s.Reachable && s.MSSP && s.Game.Players >= 0 {
		ch <- prometheus.MustNewConstMetric(c.players, prometheus.GaugeValue, float64(s.Game.Players))
	}
}
