package overlay

// RSAKeysForTest gives external tests the two real RSA-3072 keys.
var RSAKeysForTest = rsaKeys
