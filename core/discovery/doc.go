// Package discovery finds and maintains tincan's entry points: the nodes whose
// addresses are published as A/AAAA records of a DNS entry name, through which
// new nodes join the overlay.
//
// It resolves the entry name (Resolver), manages the records through a
// DNSProvider (Cloudflare's API in production), and runs the Elector, the
// loop by which reachable nodes with credentials keep the record set alive,
// small and free of dead entries. It is transport-agnostic: probing an entry
// point goes through the Prober seam and time through the Clock seam.
//
// It must never publish an address that the caller has not proven reachable,
// never write records without credentials, never delete the last live entry
// record, and never log or return the API token.
package discovery
