// Package observed keeps what peers say this node's address is, one say per
// peer, and answers only with what independent peers agree on.
//
// Every place that hears a peer's view of our address (the link hello, the
// overlay's Pong and Observed messages) writes into one Book, so there is
// one mechanism and one rule: a single peer's word is a hint, never a fact.
// Hints may be offered as dial candidates (a wrong one costs a failed dial);
// only an agreed address may be published or believed.
//
// This package must never send anything, resolve names, or treat one
// observer's claim, repeated any number of times, as agreement.
package observed
