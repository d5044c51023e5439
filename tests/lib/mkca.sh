#!/usr/bin/env bash
# mkca.sh OUTDIR -- test-only certificates for the ghauth test suite (never shipped).
#
# Creates in OUTDIR (idempotent: an existing, still-valid, consistent set is kept):
#   ca.pem / ca.key                 test root CA "ghauth test CA"
#   server.pem / server.key         leaf for DNS:localhost, IP:127.0.0.1 (signed by ca)
#   wronghost.pem / wronghost.key   leaf for DNS:wrong.example only   (signed by ca)
#   container.pem / container.key   leaf for localhost, 127.0.0.1 and DNS:github.test
#                                   (the name containers reach the mock by; signed by ca)
#   untrusted-ca.pem / untrusted-ca.key   a second, unrelated CA
#   untrusted.pem / untrusted.key   leaf for localhost/127.0.0.1 signed by untrusted-ca
# Keys are EC P-256, mode 0600; leaves are valid 2 days with the serverAuth EKU.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Serialise concurrent runs on the same directory (flock is in util-linux).
if command -v flock >/dev/null 2>&1 && [ -z "${MKCA_LOCKED:-}" ]; then
    exec 9>"$out/.mkca.lock"
    flock 9
    export MKCA_LOCKED=1
fi

all_files="ca.pem ca.key server.pem server.key wronghost.pem wronghost.key
           container.pem container.key
           untrusted-ca.pem untrusted-ca.key untrusted.pem untrusted.key"

uptodate() {
    local f
    for f in $all_files; do [ -s "$out/$f" ] || return 1; done
    # Leaves must stay valid for at least another hour and chain to the right CA.
    for f in server wronghost container untrusted; do
        openssl x509 -noout -checkend 3600 -in "$out/$f.pem" >/dev/null 2>&1 || return 1
    done
    openssl verify -CAfile "$out/ca.pem" "$out/server.pem" "$out/wronghost.pem" "$out/container.pem" >/dev/null 2>&1 || return 1
    openssl verify -CAfile "$out/untrusted-ca.pem" "$out/untrusted.pem" >/dev/null 2>&1 || return 1
    return 0
}

if uptodate; then
    chmod 600 "$out"/*.key
    exit 0
fi

tmp=$(mktemp -d "$out/.mkca.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
umask 077

genkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

mkroot() { # name CN
    genkey "$tmp/$1.key"
    openssl req -x509 -new -key "$tmp/$1.key" -sha256 -days 3 -subj "/O=ghauth tests/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" \
        -out "$tmp/$1.pem" 2>/dev/null
}

mkleaf() { # name CN SAN caname
    genkey "$tmp/$1.key"
    openssl req -new -key "$tmp/$1.key" -subj "/O=ghauth tests/CN=$2" -out "$tmp/$1.csr" 2>/dev/null
    cat >"$tmp/$1.ext" <<EXT
[v3]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = $3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
EXT
    openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$4.pem" -CAkey "$tmp/$4.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days 2 -sha256 \
        -extfile "$tmp/$1.ext" -extensions v3 -out "$tmp/$1.pem" 2>/dev/null
}

mkroot ca "ghauth test CA"
mkleaf server localhost "DNS:localhost,IP:127.0.0.1" ca
mkleaf wronghost wrong.example "DNS:wrong.example" ca
mkleaf container localhost "DNS:localhost,IP:127.0.0.1,DNS:github.test" ca
mkroot untrusted-ca "ghauth untrusted test CA"
mkleaf untrusted localhost "DNS:localhost,IP:127.0.0.1" untrusted-ca

chmod 644 "$tmp"/*.pem
chmod 600 "$tmp"/*.key
# Move keys before certificates so a reader never sees a cert without its key.
for f in $all_files; do
    case $f in *.key) mv -f "$tmp/$f" "$out/$f" ;; esac
done
for f in $all_files; do
    case $f in *.pem) mv -f "$tmp/$f" "$out/$f" ;; esac
done
