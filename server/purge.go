package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/workmaild/workmaild/internal/service"
)

// PurgeInterval is how often a Server removes records past their
// retention (deleted organizations, users and resources).
const PurgeInterval = time.Minute

// Purge removes now the records no answer can show any more: organizations
// past their DeletedRetention and users and resources deleted 30 days ago,
// with everything under them. The Server also does this by itself every
// PurgeInterval and once when it starts; answers never depend on it. Safe
// to call concurrently and from several processes sharing a store.
func (s *Server) Purge(ctx context.Context) error { return s.service.Purge(ctx) }

// purger runs Purge in the background until stopped.
type purger struct {
	cancel context.CancelFunc
	done   sync.WaitGroup
}

func startPurger(svc *service.Service, log *slog.Logger) *purger {
	ctx, cancel := context.WithCancel(context.Background())
	p := &purger{cancel: cancel}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		tick := time.NewTicker(PurgeInterval)
		defer tick.Stop()
		for {
			if err := svc.Purge(ctx); err != nil && ctx.Err() == nil {
				log.Error("purging expired records", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// stop ends the loop and waits for a running purge to finish.
func (p *purger) stop() {
	p.cancel()
	p.done.Wait()
}
