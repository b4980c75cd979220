// Package cftest provides faithful local fakes of tincan's DDNS edges for
// tests: Server, the part of Cloudflare's v4 API that manages DNS records
// (as cloudflare-go calls it), and DNS, a DNS server that answers from the
// fake's records.
//
// It is for tests only: it must never be used to serve real clients, and it
// keeps everything in memory.
package cftest
