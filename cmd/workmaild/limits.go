package main

import (
	"flag"
	"log/slog"
	"net/http"
	"time"
)

// httpLimits bound what one connection may cost the server: header size
// and the time allowed to read a request, write a response and idle.
type httpLimits struct {
	maxHeaderBytes    int
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
}

func (l *httpLimits) register(fs *flag.FlagSet) {
	fs.IntVar(&l.maxHeaderBytes, "max-header-bytes", 64<<10, "largest request line and headers accepted (larger: 431)")
	fs.DurationVar(&l.readHeaderTimeout, "read-header-timeout", 10*time.Second, "time allowed to read a request's headers")
	fs.DurationVar(&l.readTimeout, "read-timeout", 60*time.Second, "time allowed to read a whole request, body included")
	fs.DurationVar(&l.writeTimeout, "write-timeout", 60*time.Second, "time allowed from the end of the request headers to the end of the response")
	fs.DurationVar(&l.idleTimeout, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
}

// check refuses limits that would turn a bound off: Go's http.Server reads
// zero as "no limit" (or a default, for the header size).
func (l *httpLimits) check() error {
	if l.maxHeaderBytes <= 0 {
		return usageError{msg: "--max-header-bytes must be positive"}
	}
	for name, d := range map[string]time.Duration{
		"--read-header-timeout": l.readHeaderTimeout,
		"--read-timeout":        l.readTimeout,
		"--write-timeout":       l.writeTimeout,
		"--idle-timeout":        l.idleTimeout,
	} {
		if d <= 0 {
			return usageError{msg: name + " must be positive"}
		}
	}
	return nil
}

// server is an http.Server for h with these limits.
func (l *httpLimits) server(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		MaxHeaderBytes:    l.maxHeaderBytes,
		ReadHeaderTimeout: l.readHeaderTimeout,
		ReadTimeout:       l.readTimeout,
		WriteTimeout:      l.writeTimeout,
		IdleTimeout:       l.idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
