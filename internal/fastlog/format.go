package fastlog

import (
	"strconv"
	"time"
)

// appendRFC3339Millis is slog's text time format: RFC 3339 with exactly
// three fractional digits, as slog writes it. Years outside 0-9999, which
// the fixed layout cannot hold, go through time.Format's own path.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return appendRFC3339MillisSlow(b, t)
	}
	hour, minute, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, 'T')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, minute, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	b = append(b, '.')
	b = appendDigits(b, t.Nanosecond()/1e6, 3)
	_, offset := t.Zone()
	if offset == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	// RFC 3339 has no seconds in the offset: time.Format drops them too.
	b = append(b, sign)
	b = appendDigits(b, offset/3600, 2)
	b = append(b, ':')
	return appendDigits(b, offset/60%60, 2)
}

// appendRFC3339MillisSlow is appendRFC3339Millis through time.Format.
func appendRFC3339MillisSlow(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros; adding 0.1ms keeps four digits,
	// the last of which is dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendDigits appends v, which is not negative, zero-padded to width.
func appendDigits(b []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v >= 10 || width > 1 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		width--
	}
	i--
	buf[i] = byte('0' + v)
	return append(b, buf[i:]...)
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
