#!/usr/bin/env bash
# Makes the certificates the Redis TLS tests use, with openssl, in DIR (created):
#   ca.pem/ca.key            the test CA
#   server.pem/server.key    a server certificate for 127.0.0.1 and localhost, signed by the CA
#   client.pem/client.key    a client certificate signed by the CA (mutual TLS)
#   other-ca.pem             another CA, which signed nothing here (a wrong CA)
#   wrong-name.pem/.key      a server certificate for other.example only, signed by the CA
#   expired.pem/.key         a server certificate for 127.0.0.1 that expired in 2020, signed by the CA
# P-256 keys; nothing here is secret outside the test. Usage: make-certs.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key
openssl req -x509 -new -key ca.key -out ca.pem -days 3 -subj "/CN=auth-core test CA" 2>/dev/null
key other-ca.key
openssl req -x509 -new -key other-ca.key -out other-ca.pem -days 3 -subj "/CN=another CA" 2>/dev/null
# sign NAME SAN [openssl-ca dates]: a certificate for NAME.key signed by the CA.
sign() {
  local name=$1 san=$2
  key "$name.key"
  openssl req -new -key "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$name.pem" \
    -days 3 -extfile "$name.ext" 2>/dev/null
}
sign server "IP:127.0.0.1,DNS:localhost"
sign client "DNS:client"
sign wrong-name "DNS:other.example"
# An expired certificate: `openssl ca` takes explicit dates.
key expired.key
openssl req -new -key expired.key -out expired.csr -subj "/CN=expired" 2>/dev/null
mkdir -p ca-db && : > ca-db/index.txt && echo 1000 > ca-db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = test
[test]
dir = ca-db
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any
copy_extensions = none
unique_subject = no
[any]
commonName = supplied
[ext]
subjectAltName = IP:127.0.0.1,DNS:localhost
extendedKeyUsage = serverAuth
CNF
openssl ca -batch -config ca.cnf -extensions ext -in expired.csr -out expired.pem \
  -startdate 20200101000000Z -enddate 20200102000000Z -notext 2>/dev/null
rm -f ./*.csr ./*.ext
