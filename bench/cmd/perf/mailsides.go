package main

import (
	"slices"
	"time"
)

// sideRuns are the figures of one side of the logins or delivery step:
// a measured server, or the baseline, over its rounds.
type sideRuns struct {
	perSecond []float64       // one per round
	latencies []time.Duration // of every login or message
	cpu       time.Duration   // workmaild's CPU time over its rounds
	count     int             // logins or messages that succeeded
	failed    int
}

// add records one round.
func (s *sideRuns) add(n, failed int, latencies []time.Duration, elapsed time.Duration) {
	s.perSecond = append(s.perSecond, float64(n)/elapsed.Seconds())
	s.latencies = append(s.latencies, latencies...)
	s.count += n
	s.failed += failed
}

// roundOrder is the order of a round's two sides: the measured server
// first in even rounds, the baseline first in odd ones.
func roundOrder(round, server, baseline int) []int {
	order := []int{server, baseline}
	if round%2 == 1 {
		slices.Reverse(order)
	}
	return order
}

// rateRows are the throughput, p50 and p99 rows of each server's side
// against the baseline's, and workmaild's CPU per operation.
func rateRows(servers []*sideRuns, base *sideRuns, rateName, p50Name, p99Name, cpuName, target string) []row {
	rate := row{figure: rateName, baseline: perSecond(median(base.perSecond)), target: target}
	p50 := row{figure: p50Name, baseline: ms(quantile(base.latencies, 0.50))}
	p99 := row{figure: p99Name, baseline: ms(quantile(base.latencies, 0.99))}
	cpu := row{figure: cpuName}
	for _, m := range servers {
		rate.values = append(rate.values, perSecond(median(m.perSecond)))
		rate.ratios = append(rate.ratios, ratio(median(m.perSecond), median(base.perSecond)))
		for _, q := range []struct {
			r *row
			q float64
		}{{&p50, 0.50}, {&p99, 0.99}} {
			q.r.values = append(q.r.values, ms(quantile(m.latencies, q.q)))
			q.r.ratios = append(q.r.ratios, ratio(float64(quantile(m.latencies, q.q)), float64(quantile(base.latencies, q.q))))
		}
		cpu.values = append(cpu.values, us(m.cpu/time.Duration(max(m.count, 1))))
	}
	return []row{rate, p50, p99, cpu}
}
