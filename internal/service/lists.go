package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/store"
)

// listScope names one list for NextToken binding: the operation, the
// partition and whatever narrows the list (organization, user, filters).
// A token minted for one scope is refused in every other.
func listScope(operation string, p store.Partition, narrowing ...string) string {
	return operation + "\x00" + p.Account + "\x00" + p.Region + "\x00" + strings.Join(narrowing, "\x00")
}

// decodeNextToken returns the position a NextToken resumes after ("" for
// the first page), or InvalidParameterException for a token this server
// did not mint for this list.
func (s *Service) decodeNextToken(scope string, token *string) (string, error) {
	if token == nil {
		return "", nil
	}
	after, err := s.paging.Decode(scope, *token)
	if err != nil {
		return "", model.ErrInvalidParameter.Errorf("The NextToken is invalid or was issued for a different request.")
	}
	return after, nil
}

// decodeRecord decodes a scanned record.
func decodeRecord(collection, id string, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("service: corrupt %s record %q: %w", collection, id, err)
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
