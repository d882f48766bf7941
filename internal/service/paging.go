package service

import (
	"errors"
	"strconv"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// defaultListPage is the page size of list operations called without
// MaxResults (the model's maximum).
const defaultListPage = 100

// pager is one page of one list. A list is an ordered scan of one
// collection under one prefix; the NextToken carries the key of the last
// item returned, signed for the list's scope (the operation, the record
// layout, the partition and whatever narrows the list), so a token minted
// for one list is refused by every other, a token of an older layout
// (whose key may belong to another collection now) is refused rather than
// resumed at the wrong place, and a page resumes strictly after the last item
// whatever was inserted or deleted in between: no record present
// throughout is repeated or skipped.
type pager struct {
	s     *Service
	scope string
	after string
	limit int
}

// newPager reads NextToken and MaxResults; a token this server did not
// mint for this scope is InvalidParameterException.
func (s *Service) newPager(operation string, p store.Partition, token *string, maxResults *int32, narrowing ...string) (*pager, error) {
	pg := &pager{s: s, limit: defaultListPage,
		scope: operation + "\x00" + strconv.Itoa(schemaVersion) + "\x00" + p.Account + "\x00" + p.Region + "\x00" + strings.Join(narrowing, "\x00")}
	if maxResults != nil {
		pg.limit = int(*maxResults)
	}
	if token != nil {
		after, err := s.paging.Decode(pg.scope, *token)
		if err != nil {
			return nil, model.ErrInvalidParameter.Errorf("The NextToken is invalid or was issued for a different request.")
		}
		pg.after = after
	}
	return pg, nil
}

// page scans coll under prefix from the pager's position and returns up
// to limit items, and the NextToken when another item follows. item maps
// a scanned record to a list item; it reports false for records the list
// does not show (filtered out, or an index entry with nothing behind it).
func page[T any](r store.Reader, pg *pager, coll, prefix string, item func(key string, raw []byte) (T, bool, error)) ([]T, *string, error) {
	items := []T{}
	var next *string
	after := pg.after
	err := r.Scan(coll, prefix, after, 0, func(key string, raw []byte) (bool, error) {
		it, ok, err := item(key, raw)
		if err != nil || !ok {
			return err == nil, err
		}
		if len(items) == pg.limit {
			next = ptr(pg.s.paging.Encode(pg.scope, after))
			return false, nil
		}
		items = append(items, it)
		after = key
		return true, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return items, next, nil
}

// given spells an optional filter for a list scope, telling an absent
// filter from an empty one (they may read different collections).
func given[T ~string](p *T) string {
	if p == nil {
		return "-"
	}
	return "=" + string(*p)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
func isExists(err error) bool   { return errors.Is(err, store.ErrExists) }
