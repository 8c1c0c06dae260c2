// OpenSSL's libcrypto (Debian libssl-dev): the SHA-256 of every input, through the EVP interface.
#include <openssl/evp.h>
