package discovery

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Record is one published entry point: an A or AAAA record of the entry name.
type Record struct {
	ID        string     // the provider's record ID
	Addr      netip.Addr // the entry point's IP address (unmapped)
	CreatedOn time.Time  // when the provider created the record
	Key       string     // the publishing node's key (hex GUID) from the record's comment; "" if none
}

// DNSProvider manages the A/AAAA records of one entry name.
type DNSProvider interface {
	// List returns the A and AAAA records of the entry name.
	List(ctx context.Context) ([]Record, error)
	// Create publishes addr as an A (IPv4) or AAAA (IPv6) record of the entry name.
	Create(ctx context.Context, addr netip.Addr) (Record, error)
	// Delete removes the record with the given ID; ErrRecordNotFound if it is gone.
	Delete(ctx context.Context, id string) error
}

// ErrRecordNotFound means the record to delete no longer exists.
var ErrRecordNotFound = errors.New("DNS record not found")

// ErrRecordExists means an identical record (same name, type and address) already exists.
var ErrRecordExists = errors.New("identical DNS record already exists")

// ErrAuth means the DNS provider refused the credentials.
var ErrAuth = errors.New("DNS provider refused the API token")

// ErrBadRecord means a record's type or content is not a usable entry address.
var ErrBadRecord = errors.New("bad entry record")

// maxContentLen bounds the content of a record we are willing to parse.
const maxContentLen = 64

// ParseRecordContent parses the content of an A or AAAA record into an
// address of the matching family; AAAA records may not hold IPv4-mapped
// addresses, and neither type may carry a zone.
func ParseRecordContent(typ, content string) (netip.Addr, error) {
	if len(content) > maxContentLen {
		return netip.Addr{}, fmt.Errorf("%w: content is %d bytes, at most %d", ErrBadRecord, len(content), maxContentLen)
	}
	a, err := netip.ParseAddr(content)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: %s content %q: %w", ErrBadRecord, typ, content, err)
	}
	if a.Zone() != "" {
		return netip.Addr{}, fmt.Errorf("%w: %s content %q has a zone", ErrBadRecord, typ, content)
	}
	switch typ {
	case "A":
		if !a.Is4() {
			return netip.Addr{}, fmt.Errorf("%w: A content %q is not IPv4", ErrBadRecord, content)
		}
	case "AAAA":
		if !a.Is6() || a.Is4In6() {
			return netip.Addr{}, fmt.Errorf("%w: AAAA content %q is not IPv6", ErrBadRecord, content)
		}
	default:
		return netip.Addr{}, fmt.Errorf("%w: type %q is neither A nor AAAA", ErrBadRecord, typ)
	}
	return a, nil
}

// RecordType returns "A" for an IPv4 address and "AAAA" for IPv6.
func RecordType(a netip.Addr) string {
	if a.Unmap().Is4() {
		return "A"
	}
	return "AAAA"
}

// usableEntryAddr reports whether a can be published as an entry point.
func usableEntryAddr(a netip.Addr) bool {
	return a.IsValid() && !a.IsUnspecified() && !a.IsMulticast() && a.Zone() == ""
}
