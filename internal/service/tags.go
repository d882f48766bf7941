package service

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/internal/record"
	"github.com/workmaild/workmaild/internal/store"
)

// MaxTags is how many tags an organization may carry (WorkMail's
// TooManyTagsException: up to 50 user-applied tags).
const MaxTags = 50

// orgTags holds an organization's tags, sorted by key: organizations are
// WorkMail's only taggable resource. DeleteOrganization drops them.
var orgTags = &table[tagSet]{
	codec:     record.For[tagSet](),
	coll:      "tags",
	id:        func(*tagSet) string { return "" },
	singleton: true,
}

type tagSet struct {
	Tags []tag `json:"tags,omitempty"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
}

var orgIDPattern = regexp.MustCompile(`^m-[0-9a-f]{32}$`)

// taggedOrganization resolves the ARN of a tag operation to an
// organization of the caller's partition that is not deleted. Every way
// of missing (an ARN of another form, account or region, an unknown or
// deleted organization) is ResourceNotFoundException, the one error all
// three tag operations declare.
func (s *Service) taggedOrganization(r store.Reader, p store.Partition, arn string) (*organization, orgRef, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "organization/") || !orgIDPattern.MatchString(parts[5][len("organization/"):]) {
		return nil, orgRef{}, model.ErrResourceNotFound.Errorf("Resource %s is not a WorkMail organization; only organizations (arn:aws:workmail:<region>:<account>:organization/<id>) carry tags.", arn)
	}
	if parts[3] != p.Region || parts[4] != p.Account {
		return nil, orgRef{}, model.ErrResourceNotFound.Errorf("Resource %s not found in account %s, region %s.", arn, p.Account, p.Region)
	}
	o := orgRef{p, parts[5][len("organization/"):]}
	org, err := s.findOrganization(r, o)
	if errors.Is(err, model.ErrOrganizationNotFound) || (err == nil && !org.DeleteRequestedAt.IsZero()) {
		return nil, orgRef{}, model.ErrResourceNotFound.Errorf("Resource %s not found.", arn)
	}
	if err != nil {
		return nil, orgRef{}, err
	}
	return org, o, nil
}

// TagResource implements WorkMailService.TagResource: each tag is added,
// or replaces the value of its key.
func (s *Service) TagResource(ctx context.Context, in *model.TagResourceInput) (*model.TagResourceOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		org, o, err := s.taggedOrganization(tx, p, str(in.ResourceARN))
		if err != nil {
			return err
		}
		if st := org.state(s.now(), s.lifecycle); st != StateActive {
			return model.ErrOrganizationState.Errorf("Organization %s is not Active, state: %s", o.ID, st)
		}
		given := make(map[string]bool, len(in.Tags))
		for _, t := range in.Tags {
			key := *t.Key
			if strings.HasPrefix(strings.ToLower(key), "aws:") {
				return model.ErrInvalidParameter.Errorf("Tag key %s starts with aws:, which is reserved for AWS.", key)
			}
			if given[key] {
				return model.ErrInvalidParameter.Errorf("Tag key %s is given more than once.", key)
			}
			given[key] = true
		}
		set, err := orgTags.get(tx, o, "")
		if err != nil {
			return err
		}
		if set == nil {
			set = &tagSet{}
		}
		for _, t := range in.Tags {
			set.Tags = setTag(set.Tags, tag{Key: *t.Key, Value: *t.Value})
		}
		if len(set.Tags) > MaxTags {
			return model.ErrTooManyTags.Errorf("Resource %s would have %d tags; a resource can have up to %d user-applied tags.", str(in.ResourceARN), len(set.Tags), MaxTags)
		}
		if len(set.Tags) == 0 {
			return nil
		}
		return orgTags.put(tx, o, set)
	})
	if err != nil {
		return nil, err
	}
	return &model.TagResourceOutput{}, nil
}

// setTag sets t in tags, kept sorted by key (keys compare exactly).
func setTag(tags []tag, t tag) []tag {
	i, found := slices.BinarySearchFunc(tags, t.Key, func(have tag, key string) int { return strings.Compare(have.Key, key) })
	if found {
		tags[i].Value = t.Value
		return tags
	}
	return slices.Insert(tags, i, t)
}

// UntagResource implements WorkMailService.UntagResource: keys the
// organization does not carry are ignored.
func (s *Service) UntagResource(ctx context.Context, in *model.UntagResourceInput) (*model.UntagResourceOutput, error) {
	err := s.update(ctx, func(p store.Partition, tx store.Tx) error {
		_, o, err := s.taggedOrganization(tx, p, str(in.ResourceARN))
		if err != nil {
			return err
		}
		set, err := orgTags.get(tx, o, "")
		if err != nil || set == nil {
			return err
		}
		n := len(set.Tags)
		set.Tags = slices.DeleteFunc(set.Tags, func(t tag) bool { return slices.Contains(in.TagKeys, t.Key) })
		switch {
		case len(set.Tags) == n:
			return nil
		case len(set.Tags) == 0:
			return orgTags.delete(tx, o, "")
		}
		return orgTags.put(tx, o, set)
	})
	if err != nil {
		return nil, err
	}
	return &model.UntagResourceOutput{}, nil
}

// ListTagsForResource implements WorkMailService.ListTagsForResource: the
// organization's tags in key order ([] when it has none).
func (s *Service) ListTagsForResource(ctx context.Context, in *model.ListTagsForResourceInput) (*model.ListTagsForResourceOutput, error) {
	var out *model.ListTagsForResourceOutput
	err := s.view(ctx, func(p store.Partition, r store.Reader) error {
		_, o, err := s.taggedOrganization(r, p, str(in.ResourceARN))
		if err != nil {
			return err
		}
		set, err := orgTags.get(r, o, "")
		if err != nil {
			return err
		}
		out = &model.ListTagsForResourceOutput{Tags: []model.Tag{}}
		if set != nil {
			for _, t := range set.Tags {
				out.Tags = append(out.Tags, model.Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
			}
		}
		return nil
	})
	return out, err
}
