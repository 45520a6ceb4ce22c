"""RSA for the shared vectors (asym2.py): deterministic key generation, RSASSA-PKCS1-v1_5 and
RSASSA-PSS signatures (RFC 8017 §8, §9) and the DER/PEM key forms (SPKI, PKCS#8, PKCS#1),
written plainly from the RFCs with the standard library only.

Keys come from a seeded SHA-256 stream and PSS salts from the message, so regenerating the
vectors gives the same files. Slow and not constant-time: for test vectors, never real keys.
"""

import hashlib

import jose_der as der

HASHES = {256: hashlib.sha256, 384: hashlib.sha384, 512: hashlib.sha512}
# DigestInfo prefixes (RFC 8017 §9.2 note 1): SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING }.
DIGEST_INFO = {
    256: bytes.fromhex("3031300d060960864801650304020105000420"),
    384: bytes.fromhex("3041300d060960864801650304020205000430"),
    512: bytes.fromhex("3051300d060960864801650304020305000440"),
}
RSA_OID = "1.2.840.113549.1.1.1"
_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** 0.5) + 1))]


class Stream:
    """A deterministic byte stream: SHA-256(seed ‖ counter) blocks."""

    def __init__(self, seed: bytes):
        self.seed, self.counter = seed, 0

    def read(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            out += hashlib.sha256(self.seed + self.counter.to_bytes(8, "big")).digest()
            self.counter += 1
        return out[:n]


def _probable_prime(n: int, stream: Stream, rounds: int = 40) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        a = 2 + int.from_bytes(stream.read(len(hex(n)) // 2 + 8), "big") % (n - 3)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, e: int, stream: Stream) -> int:
    while True:
        c = int.from_bytes(stream.read(bits // 8), "big")
        c |= (3 << (bits - 2)) | 1  # top two bits set: p·q has exactly 2·bits bits
        if (c - 1) % e != 0 and _probable_prime(c, stream):
            return c


class RsaKey:
    """An RSA private key (n, e, d, p, q and the CRT values)."""

    def __init__(self, p: int, q: int, e: int = 65537):
        if p < q:
            p, q = q, p
        self.p, self.q, self.e, self.n = p, q, e, p * q
        self.d = pow(e, -1, (p - 1) * (q - 1))
        self.dp, self.dq, self.qi = self.d % (p - 1), self.d % (q - 1), pow(q, -1, p)

    @classmethod
    def generate(cls, bits: int, label: str, e: int = 65537) -> "RsaKey":
        stream = Stream(f"auth-core vectors RSA {bits} {label}".encode())
        p = _prime(bits // 2, e, stream)
        while True:
            q = _prime(bits // 2, e, stream)
            if q != p:
                break
        key = cls(p, q, e)
        assert key.n.bit_length() == bits
        return key

    @property
    def k(self) -> int:
        """The modulus length in bytes (the signature length)."""
        return (self.n.bit_length() + 7) // 8

    def raw_sign(self, em: bytes) -> bytes:
        """m^d mod n through the CRT, as k bytes (RSASP1, RFC 8017 §5.2.1)."""
        m = int.from_bytes(em, "big")
        assert m < self.n
        s1, s2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = s2 + self.q * ((self.qi * (s1 - s2)) % self.p)
        assert pow(s, self.e, self.n) == m
        return s.to_bytes(self.k, "big")

    # --- key forms ---------------------------------------------------------------------
    def public_der(self) -> bytes:
        """PKCS#1 RSAPublicKey (RFC 8017 A.1.1)."""
        return der.seq(der.integer(self.n), der.integer(self.e))

    def spki_der(self) -> bytes:
        return der.seq(der.seq(der.oid(RSA_OID), der.null()), der.bit_string(self.public_der()))

    def pkcs8_der(self) -> bytes:
        pkcs1 = der.seq(*(der.integer(v) for v in (0, self.n, self.e, self.d, self.p, self.q,
                                                    self.dp, self.dq, self.qi)))
        return der.seq(der.integer(0), der.seq(der.oid(RSA_OID), der.null()), der.octet_string(pkcs1))

    def public_pem(self) -> str:
        return der.pem("PUBLIC KEY", self.spki_der())

    def pkcs1_public_pem(self) -> str:
        return der.pem("RSA PUBLIC KEY", self.public_der())

    def private_pem(self) -> str:
        return der.pem("PRIVATE KEY", self.pkcs8_der())


def uint(v: int) -> bytes:
    """The big-endian bytes of v without leading zero octets (RFC 7518 §6.3.1 `n`, `e`)."""
    return v.to_bytes(max(1, (v.bit_length() + 7) // 8), "big")


# --- RSASSA-PKCS1-v1_5 (RFC 8017 §9.2) ---------------------------------------------------------

def pkcs1_v15_encode(k: int, t: bytes, block_type: int = 1) -> bytes:
    """EM = 0x00 ‖ BT ‖ PS (0xff…) ‖ 0x00 ‖ T for a DigestInfo (or any) T."""
    ps = b"\xff" * (k - len(t) - 3)
    assert len(ps) >= 8
    return bytes([0, block_type]) + ps + b"\x00" + t


def sign_v15(key: RsaKey, msg: bytes, bits: int, t=None, block_type: int = 1) -> bytes:
    """RS256/384/512; `t` replaces the DigestInfo (to build wrong paddings)."""
    if t is None:
        t = DIGEST_INFO[bits] + HASHES[bits](msg).digest()
    return key.raw_sign(pkcs1_v15_encode(key.k, t, block_type))


# --- RSASSA-PSS (RFC 8017 §9.1, MGF1 of §B.2.1) -------------------------------------------------

def mgf1(seed: bytes, length: int, h) -> bytes:
    out, c = b"", 0
    while len(out) < length:
        out += h(seed + c.to_bytes(4, "big")).digest()
        c += 1
    return out[:length]


def pss_encode(msg: bytes, em_bits: int, h, salt: bytes, mgf_hash=None) -> bytes:
    m_hash = h(msg).digest()
    em_len = (em_bits + 7) // 8
    hlen = len(m_hash)
    assert em_len >= hlen + len(salt) + 2
    hh = h(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - hlen - 2) + b"\x01" + salt
    mask = mgf1(hh, em_len - hlen - 1, mgf_hash or h)
    masked = bytearray(a ^ b for a, b in zip(db, mask))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + hh + b"\xbc"


def sign_pss(key: RsaKey, msg: bytes, bits: int, salt_len=None, mgf_bits=None) -> bytes:
    """PS256/384/512: salt length = hash length unless `salt_len`; the salt is derived from
    the message (deterministic); MGF1 uses the same hash unless `mgf_bits` (1 = SHA-1)."""
    h = HASHES[bits]
    salt_len = h().digest_size if salt_len is None else salt_len
    salt = Stream(b"pss salt " + msg).read(salt_len)
    mgf = {1: hashlib.sha1, None: None}.get(mgf_bits, HASHES.get(mgf_bits))
    em = pss_encode(msg, key.n.bit_length() - 1, h, salt, mgf)
    return key.raw_sign(em.rjust(key.k, b"\x00"))
