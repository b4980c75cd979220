// Package backup writes and reads one passphrase-encrypted file that holds
// everything a tincan home needs to move to another computer: the master
// key, the home's ID, the sealed identity and retired keys as stored, the
// stored Cloudflare token if any, and a consistent copy of the database.
//
// The file is a header (magic, version, the Argon2id parameters and salt,
// the nonce prefix, the chunk size) followed by XChaCha20-Poly1305 chunks
// whose additional data is the header and a final-chunk flag; inside is a
// small archive of named entries, each with a size limit.
//
// It must never write a secret to disk in the clear outside the home's own
// owner-only directory, never change a home on import before the whole file
// has been authenticated, never import over an existing identity, and never
// write an entry to a path its name chooses: names come from a fixed list.
package backup
