package fastlog

import (
	"strconv"
	"time"
)

// stamp is a time's RFC 3339 form to the second, with its zone, kept for
// the next line: lines logged in the same second and location share it,
// and only their fractions of a second are formatted.
type stamp struct {
	unix int64          // the Unix second of form
	loc  *time.Location // the location of form; nil before the first
	form []byte         // time.RFC3339: "2006-01-02T15:04:05" and the zone
}

// secondsLen is the length of a form up to the seconds, for years 0-9999.
const secondsLen = len("2006-01-02T15:04:05")

// update makes s hold t's second, reporting false, and leaving s as it
// was, if t's year is outside 0-9999: such forms are not secondsLen long
// up to the seconds.
func (s *stamp) update(t time.Time) bool {
	unix, loc := t.Unix(), t.Location()
	if unix == s.unix && loc == s.loc {
		return true
	}
	if year := t.Year(); year < 0 || year > 9999 {
		return false
	}
	s.unix, s.loc = unix, loc
	s.form = t.AppendFormat(s.form[:0], time.RFC3339)
	return true
}

// appendText appends t as slog's TextHandler does: RFC 3339 with exactly
// three fractional digits.
func (s *stamp) appendText(b []byte, t time.Time) []byte {
	if !s.update(t) {
		return appendRFC3339MillisSlow(b, t)
	}
	ms := t.Nanosecond() / 1e6
	b = append(b, s.form[:secondsLen]...)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.form[secondsLen:]...)
}

// appendJSON appends t as slog's JSONHandler does, time.RFC3339Nano in
// quotes, reporting false if t's year is outside 0-9999: slog writes an
// error there, and so is left to write the line.
func (s *stamp) appendJSON(b []byte, t time.Time) ([]byte, bool) {
	if !s.update(t) {
		return b, false
	}
	b = append(b, '"')
	b = append(b, s.form[:secondsLen]...)
	b = appendNanos(b, t.Nanosecond())
	b = append(b, s.form[secondsLen:]...)
	return append(b, '"'), true
}

// appendNanos appends ns as time.RFC3339Nano's ".999999999": nine digits
// without their trailing zeros, and nothing at all for zero.
func appendNanos(b []byte, ns int) []byte {
	if ns == 0 {
		return b
	}
	var buf [len(".999999999")]byte
	buf[0] = '.'
	for i := len(buf) - 1; i > 0; i-- {
		buf[i] = byte('0' + ns%10)
		ns /= 10
	}
	n := len(buf)
	for buf[n-1] == '0' {
		n--
	}
	return append(b, buf[:n]...)
}

// appendRFC3339MillisSlow is slog's text time format through time.Format,
// as slog writes it, for years outside 0-9999.
func appendRFC3339MillisSlow(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros; adding 0.1ms keeps four digits,
	// the last of which is dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendDuration appends d as time.Duration.String writes it, without the
// string it allocates.
func appendDuration(b []byte, d time.Duration) []byte {
	if d == 0 {
		return append(b, "0s"...)
	}
	u := uint64(d)
	neg := d < 0
	if neg {
		b = append(b, '-')
		u = -u
	}
	switch {
	case u < uint64(time.Microsecond):
		b = strconv.AppendUint(b, u, 10)
		return append(b, "ns"...)
	case u < uint64(time.Millisecond):
		b = appendFraction(b, u, 3)
		return append(b, "µs"...)
	case u < uint64(time.Second):
		b = appendFraction(b, u, 6)
		return append(b, "ms"...)
	}
	// Whole hours and minutes first, then seconds with up to nine decimals.
	if hours := u / uint64(time.Hour); hours > 0 {
		b = strconv.AppendUint(b, hours, 10)
		b = append(b, 'h')
		u -= hours * uint64(time.Hour)
		minutes := u / uint64(time.Minute)
		b = strconv.AppendUint(b, minutes, 10)
		b = append(b, 'm')
		u -= minutes * uint64(time.Minute)
	} else if minutes := u / uint64(time.Minute); minutes > 0 {
		b = strconv.AppendUint(b, minutes, 10)
		b = append(b, 'm')
		u -= minutes * uint64(time.Minute)
	}
	b = appendFraction(b, u, 9)
	return append(b, 's')
}

// appendFraction appends v / 10^prec with the trailing zeros of the
// fraction (and a point left alone) removed, as Duration.String does.
func appendFraction(b []byte, v uint64, prec int) []byte {
	var buf [32]byte
	w := len(buf)
	print := false
	for range prec {
		digit := v % 10
		print = print || digit != 0
		if print {
			w--
			buf[w] = byte(digit) + '0'
		}
		v /= 10
	}
	if print {
		w--
		buf[w] = '.'
	}
	b = strconv.AppendUint(b, v, 10)
	return append(b, buf[w:]...)
}
