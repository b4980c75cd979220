package discovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/miekg/dns"
)

// CloudflareConfig configures the Cloudflare DNSProvider.
type CloudflareConfig struct {
	Token      string       // API token with Zone.DNS edit permission (Zone.Zone read with ZoneName)
	ZoneID     string       // the zone's ID; or leave empty and give ZoneName
	ZoneName   string       // the zone's name, e.g. tincan.example, looked up once
	RecordName string       // the entry name, e.g. entry.tincan.example
	TTL        int          // record TTL in seconds: 1 (automatic) or 60..86400; 0 means 60
	BaseURL    string       // API base URL; "" means Cloudflare's
	HTTPClient *http.Client // nil means a client with a 20 second timeout
	RateLimit  float64      // requests per second; 0 means 4, Cloudflare's own limit
	Retries    int          // retries of 5xx and 429 answers, 1 s apart and doubling; 0 means none
	Logger     *slog.Logger // nil means slog.Default()
	// Key is this node's key (hex GUID), written in the comment of the
	// record it creates so that probes can tell it from a squatter.
	Key string
}

// Cloudflare is the DNSProvider over Cloudflare's v4 API.
type Cloudflare struct {
	api      *cloudflare.API
	name     string
	zoneName string
	ttl      int
	key      string
	log      *slog.Logger

	mu     sync.Mutex
	zoneID string // resolved from zoneName on first use when not configured
}

// recordComment marks the records tincan manages; the publisher's key
// follows it as " key=<hex GUID>".
const recordComment = "tincan entry point"

// commentKey is the comment's key prefix.
const commentKey = " key="

// maxKeyLen bounds the key read from a record's comment (a 20-byte GUID is 40).
const maxKeyLen = 64

// recordCommentFor is the comment of a record published by the node key.
func recordCommentFor(key string) string {
	if key == "" {
		return recordComment
	}
	return recordComment + commentKey + key
}

// keyFromComment returns the key a record's comment names, or "" when it
// names none or a malformed one.
func keyFromComment(c string) string {
	k, ok := strings.CutPrefix(c, recordComment+commentKey)
	if !ok || len(k) == 0 || len(k) > maxKeyLen {
		return ""
	}
	for _, r := range k {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return ""
		}
	}
	return k
}

// Cloudflare error codes the provider tells apart.
const (
	cfCodeRecordExists    = 81057 // "The record already exists."
	cfCodeIdenticalRecord = 81058 // "An identical record already exists."
)

// NewCloudflare returns a DNSProvider for the entry name in cfg.
func NewCloudflare(cfg CloudflareConfig) (*Cloudflare, error) {
	token, err := CheckToken(cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("cloudflare: %w", err)
	}
	name := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(cfg.RecordName), "."))
	if _, ok := dns.IsDomainName(name); !ok || name == "" || !strings.Contains(name, ".") {
		return nil, fmt.Errorf("cloudflare: entry name %q is not a fully qualified domain name", cfg.RecordName)
	}
	zoneName := strings.ToLower(strings.TrimSuffix(strings.TrimSpace(cfg.ZoneName), "."))
	if cfg.ZoneID == "" && zoneName == "" {
		return nil, errors.New("cloudflare: give a zone ID or a zone name")
	}
	if zoneName != "" && name != zoneName && !strings.HasSuffix(name, "."+zoneName) {
		return nil, fmt.Errorf("cloudflare: entry name %s is not inside zone %s", name, zoneName)
	}
	ttl := cfg.TTL
	if ttl == 0 {
		ttl = 60
	}
	if ttl != 1 && (ttl < 60 || ttl > 86400) {
		return nil, fmt.Errorf("cloudflare: TTL %d: want 1 (automatic) or 60..86400 seconds", ttl)
	}
	rate := cfg.RateLimit
	if rate <= 0 {
		rate = 4
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	opts := []cloudflare.Option{
		cloudflare.HTTPClient(hc),
		cloudflare.UsingRateLimit(rate),
		cloudflare.UsingRetryPolicy(max(cfg.Retries, 0), 1, 8),
		cloudflare.UserAgent("tincan"),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, cloudflare.BaseURL(strings.TrimSuffix(cfg.BaseURL, "/")))
	}
	api, err := cloudflare.NewWithAPIToken(token, opts...)
	if err != nil {
		return nil, fmt.Errorf("cloudflare: new client: %w", err)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.Key != "" && keyFromComment(recordCommentFor(cfg.Key)) != cfg.Key {
		return nil, fmt.Errorf("cloudflare: node key %q is not a lowercase hex GUID of at most %d digits", cfg.Key, maxKeyLen)
	}
	return &Cloudflare{api: api, name: name, zoneName: zoneName, ttl: ttl, key: cfg.Key, log: log, zoneID: cfg.ZoneID}, nil
}

// Name returns the entry name whose records the provider manages.
func (c *Cloudflare) Name() string { return c.name }

// zone returns the zone ID, looking the zone name up once.
func (c *Cloudflare) zone(ctx context.Context) (*cloudflare.ResourceContainer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.zoneID != "" {
		return cloudflare.ZoneIdentifier(c.zoneID), nil
	}
	res, err := c.api.ListZonesContext(ctx, cloudflare.WithZoneFilters(c.zoneName, "", ""))
	if err != nil {
		return nil, c.wrap("look up zone "+c.zoneName, err)
	}
	var ids []string
	for _, z := range res.Result {
		if strings.EqualFold(z.Name, c.zoneName) {
			ids = append(ids, z.ID)
		}
	}
	switch len(ids) {
	case 0:
		return nil, fmt.Errorf("cloudflare: zone %s not found (the token needs Zone.Zone read on it, or give the zone ID)", c.zoneName)
	case 1:
		c.zoneID = ids[0]
		return cloudflare.ZoneIdentifier(c.zoneID), nil
	default:
		return nil, fmt.Errorf("cloudflare: %d zones named %s: give the zone ID", len(ids), c.zoneName)
	}
}

// List returns the A and AAAA records of the entry name, skipping records
// whose content is not a usable address.
func (c *Cloudflare) List(ctx context.Context) ([]Record, error) {
	rc, err := c.zone(ctx)
	if err != nil {
		return nil, err
	}
	recs, _, err := c.api.ListDNSRecords(ctx, rc, cloudflare.ListDNSRecordsParams{Name: c.name})
	if err != nil {
		return nil, c.wrap("list records of "+c.name, err)
	}
	out := make([]Record, 0, len(recs))
	for _, r := range recs {
		if !strings.EqualFold(strings.TrimSuffix(r.Name, "."), c.name) || (r.Type != "A" && r.Type != "AAAA") {
			continue
		}
		a, err := ParseRecordContent(r.Type, r.Content)
		if err != nil || !usableEntryAddr(a) || r.ID == "" {
			c.log.Warn("ignoring an unusable entry record", "name", c.name, "id", r.ID, "type", r.Type, "content", r.Content, "err", err)
			continue
		}
		out = append(out, Record{ID: r.ID, Addr: a, CreatedOn: r.CreatedOn, Key: keyFromComment(r.Comment)})
	}
	slices.SortFunc(out, compareAge)
	return out, nil
}

// Create publishes addr under the entry name, unproxied, with the configured TTL.
func (c *Cloudflare) Create(ctx context.Context, addr netip.Addr) (Record, error) {
	addr = addr.Unmap()
	if !usableEntryAddr(addr) {
		return Record{}, fmt.Errorf("cloudflare: create record of %s: %w: address %v", c.name, ErrBadRecord, addr)
	}
	rc, err := c.zone(ctx)
	if err != nil {
		return Record{}, err
	}
	proxied := false
	r, err := c.api.CreateDNSRecord(ctx, rc, cloudflare.CreateDNSRecordParams{
		Type: RecordType(addr), Name: c.name, Content: addr.String(),
		TTL: c.ttl, Proxied: &proxied, Comment: recordCommentFor(c.key),
	})
	if err != nil {
		return Record{}, c.wrap(fmt.Sprintf("create %s record %s of %s", RecordType(addr), addr, c.name), err)
	}
	got, err := ParseRecordContent(r.Type, r.Content)
	if err != nil || got != addr || r.ID == "" {
		return Record{}, fmt.Errorf("cloudflare: create record of %s: API returned record %q %s %q", c.name, r.ID, r.Type, r.Content)
	}
	return Record{ID: r.ID, Addr: got, CreatedOn: r.CreatedOn, Key: c.key}, nil
}

// Delete removes the record with the given ID.
func (c *Cloudflare) Delete(ctx context.Context, id string) error {
	if id == "" {
		return fmt.Errorf("cloudflare: delete record of %s: empty record ID", c.name)
	}
	rc, err := c.zone(ctx)
	if err != nil {
		return err
	}
	if err := c.api.DeleteDNSRecord(ctx, rc, id); err != nil {
		op := fmt.Sprintf("delete record %s of %s", id, c.name)
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return fmt.Errorf("cloudflare: %s: %w: %w", op, ErrRecordNotFound, err)
		}
		return c.wrap(op, err)
	}
	return nil
}

// wrap turns a cloudflare-go error into one that names the operation and
// carries this package's sentinel errors.
func (c *Cloudflare) wrap(op string, err error) error {
	var cfErr *cloudflare.Error
	if errors.As(err, &cfErr) {
		switch {
		case cfErr.StatusCode == http.StatusUnauthorized || cfErr.StatusCode == http.StatusForbidden:
			return fmt.Errorf("cloudflare: %s: %w (check %s; it needs Zone.DNS edit permission on the zone): %w", op, ErrAuth, TokenEnv, err)
		case slices.Contains(cfErr.ErrorCodes, cfCodeIdenticalRecord) || slices.Contains(cfErr.ErrorCodes, cfCodeRecordExists):
			return fmt.Errorf("cloudflare: %s: %w: %w", op, ErrRecordExists, err)
		}
	}
	return fmt.Errorf("cloudflare: %s: %w", op, err)
}

// compareAge orders records oldest first, then by ID.
func compareAge(a, b Record) int {
	if c := a.CreatedOn.Compare(b.CreatedOn); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
