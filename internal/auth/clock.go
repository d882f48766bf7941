package auth

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/sigv4"
)

const (
	// MaxClockSkew is how far a signature's time may be from the server's
	// clock, in either direction, as AWS allows.
	MaxClockSkew = 15 * time.Minute
	// MaxPresignExpiry is the longest X-Amz-Expires SigV4 allows (7 days).
	MaxPresignExpiry = 7 * 24 * time.Hour

	amzDateFormat = "20060102T150405Z"
)

// signingTime returns when the request was signed and how long after that
// it stays valid: 15 minutes, or X-Amz-Expires for a presigned request that
// sets it.
func signingTime(r *http.Request, sig sigv4.Signature) (time.Time, time.Duration, error) {
	raw := sig.AmzDate
	if !sig.Presigned {
		raw = r.Header.Get("X-Amz-Date")
		if raw == "" {
			return time.Time{}, 0, model.ErrIncompleteSignature.Errorf("Authorization header requires existence of a 'X-Amz-Date' header. Authorization=%s", r.Header.Get("Authorization"))
		}
	}
	signedAt, err := time.Parse(amzDateFormat, raw)
	if err != nil {
		return time.Time{}, 0, model.ErrIncompleteSignature.Errorf("Date must be in ISO-8601 'basic format' (yyyyMMddTHHmmssZ). Got '%s'.", raw)
	}
	if signedAt.Format("20060102") != sig.Date {
		return time.Time{}, 0, model.ErrInvalidSignature.Errorf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", sig.Date, signedAt.Format("20060102"), raw)
	}
	validFor := MaxClockSkew
	if sig.Presigned && sig.Expires != "" {
		seconds, err := strconv.ParseInt(sig.Expires, 10, 64)
		if err != nil || seconds < 1 || seconds > int64(MaxPresignExpiry/time.Second) {
			return time.Time{}, 0, model.ErrIncompleteSignature.Errorf("X-Amz-Expires must be a whole number of seconds from 1 to %d, got '%s'.", int64(MaxPresignExpiry/time.Second), sig.Expires)
		}
		validFor = time.Duration(seconds) * time.Second
	}
	return signedAt, validFor, nil
}

// checkWindow refuses a signature made more than validFor before now or
// more than MaxClockSkew after it, in AWS's words.
func checkWindow(signedAt, now time.Time, validFor time.Duration) error {
	now = now.UTC().Truncate(time.Second)
	if earliest := now.Add(-validFor); signedAt.Before(earliest) {
		return model.ErrInvalidSignature.Errorf("Signature expired: %s is now earlier than %s (%s - %s)",
			signedAt.Format(amzDateFormat), earliest.Format(amzDateFormat), now.Format(amzDateFormat), spell(validFor))
	}
	if latest := now.Add(MaxClockSkew); signedAt.After(latest) {
		return model.ErrInvalidSignature.Errorf("Signature not yet current: %s is still later than %s (%s + %s)",
			signedAt.Format(amzDateFormat), latest.Format(amzDateFormat), now.Format(amzDateFormat), spell(MaxClockSkew))
	}
	return nil
}

// spell writes a duration as AWS does in these messages: "15 min.".
func spell(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min.", d/time.Minute)
	}
	return fmt.Sprintf("%d sec.", d/time.Second)
}
