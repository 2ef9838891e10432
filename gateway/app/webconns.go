package app

import (
	"github.com/drawbridge/drawbridge/gateway/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

// webConnCollector exports the cap on connections before login
// (web.max_conns_per_addr), from one snapshot per scrape.
type webConnCollector struct {
	stats                 func() web.ConnStats // nil: nothing to export
	open, addrs, refusals *prometheus.Desc
}

func newWebConnCollector(stats func() web.ConnStats) *webConnCollector {
	return &webConnCollector{
		stats: stats,
		open: prometheus.NewDesc("drawbridge_web_preauth_connections",
			"Web connections counted against web.max_conns_per_addr now: all but logged-in players' WebSockets and trusted proxies'.", nil, nil),
		addrs: prometheus.NewDesc("drawbridge_web_addresses_refused",
			"Addresses (IPv4, or IPv6 /64) whose new web connections are being refused for web.max_conns_per_addr.", nil, nil),
		refusals: prometheus.NewDesc("drawbridge_web_connections_refused_total",
			"Web connections refused for web.max_conns_per_addr, by how: told (answered 429) or dropped (closed at once, too many being told).", []string{"how"}, nil),
	}
}

func (c *webConnCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.open
	ch <- c.addrs
	ch <- c.refusals
}

func (c *webConnCollector) Collect(ch chan<- prometheus.Metric) {
	if c.stats == nil {
		return
	}
	st := c.stats()
	gauge(ch, c.open, float64(st.Open))
	gauge(ch, c.addrs, float64(st.AddrsRefused))
	counter(ch, c.refusals, st.Told, "told")
	counter(ch, c.refusals, st.Dropped, "dropped")
}
