"""ECDSA over the short-Weierstrass NIST curves P-256, P-384 and P-521 (FIPS 186-4, SEC 1) with
RFC 6979 deterministic nonces, and their SPKI / PKCS#8 DER forms (RFC 5480, RFC 5915), written
plainly with the standard library only, for the shared vectors (asym2.py).

Deterministic, so regenerating the vectors gives the same files. Slow and not constant-time:
for test vectors, never real keys.
"""

import hashlib
import hmac

import jose_der as der


class Curve:
    def __init__(self, name, oid, p, b, n, gx, gy, hash_fn):
        self.name, self.oid, self.p, self.a, self.b, self.n = name, oid, p, p - 3, b, n
        self.g, self.hash = (gx, gy), hash_fn
        self.size = (p.bit_length() + 7) // 8  # bytes of a coordinate and of r, s
        assert self.on_curve(*self.g) and self.mul(n, self.g) is None

    def on_curve(self, x: int, y: int) -> bool:
        return (y * y - (x * x * x + self.a * x + self.b)) % self.p == 0

    def add(self, a, b):
        p = self.p
        if a is None:
            return b
        if b is None:
            return a
        if a[0] == b[0] and (a[1] + b[1]) % p == 0:
            return None
        if a == b:
            lam = (3 * a[0] * a[0] + self.a) * pow(2 * a[1], -1, p) % p
        else:
            lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, p) % p
        x = (lam * lam - a[0] - b[0]) % p
        return (x, (lam * (a[0] - x) - a[1]) % p)

    def mul(self, k: int, pt):
        q = None
        while k > 0:
            if k & 1:
                q = self.add(q, pt)
            pt = self.add(pt, pt)
            k >>= 1
        return q

    # --- keys --------------------------------------------------------------------------
    def private(self, label: str) -> int:
        """A fixed private scalar in [1, n − 1] derived from `label`."""
        seed = hashlib.sha512(f"auth-core vectors {self.name} {label}".encode()).digest()
        return 1 + int.from_bytes(seed + hashlib.sha512(seed).digest(), "big") % (self.n - 1)

    def public(self, d: int):
        x, y = self.mul(d, self.g)
        return x.to_bytes(self.size, "big"), y.to_bytes(self.size, "big")

    def spki_der(self, d: int = None, point: bytes = None) -> bytes:
        if point is None:
            x, y = self.public(d)
            point = b"\x04" + x + y
        alg = der.seq(der.oid("1.2.840.10045.2.1"), der.oid(self.oid))
        return der.seq(alg, der.bit_string(point))

    def pkcs8_der(self, d: int) -> bytes:
        x, y = self.public(d)
        ec = der.seq(der.integer(1), der.octet_string(d.to_bytes(self.size, "big")),
                     der.context(1, der.bit_string(b"\x04" + x + y)))
        alg = der.seq(der.oid("1.2.840.10045.2.1"), der.oid(self.oid))
        return der.seq(der.integer(0), alg, der.octet_string(ec))

    def public_pem(self, d: int) -> str:
        return der.pem("PUBLIC KEY", self.spki_der(d))

    def private_pem(self, d: int) -> str:
        return der.pem("PRIVATE KEY", self.pkcs8_der(d))

    # --- ECDSA with RFC 6979 nonces --------------------------------------------------------
    def _bits2int(self, b: bytes) -> int:
        v, qlen = int.from_bytes(b, "big"), self.n.bit_length()
        return v >> (len(b) * 8 - qlen) if len(b) * 8 > qlen else v

    def _nonce(self, d: int, h1: bytes) -> int:
        """RFC 6979 §3.2 with HMAC over the signature's own hash."""
        rlen, qlen = (self.n.bit_length() + 7) // 8, self.n.bit_length()
        x = d.to_bytes(rlen, "big")
        h = (self._bits2int(h1) % self.n).to_bytes(rlen, "big")
        hh = self.hash
        v, k = b"\x01" * len(h1), b"\x00" * len(h1)
        k = hmac.new(k, v + b"\x00" + x + h, hh).digest()
        v = hmac.new(k, v, hh).digest()
        k = hmac.new(k, v + b"\x01" + x + h, hh).digest()
        v = hmac.new(k, v, hh).digest()
        while True:
            t = b""
            while len(t) * 8 < qlen:
                v = hmac.new(k, v, hh).digest()
                t += v
            cand = self._bits2int(t)
            if 1 <= cand < self.n:
                return cand
            k = hmac.new(k, v + b"\x00", hh).digest()
            v = hmac.new(k, v, hh).digest()

    def sign(self, d: int, msg: bytes, high_s: bool = False) -> bytes:
        """The raw r‖s signature (2 × size bytes), s ≤ n/2 (or > n/2 with `high_s`)."""
        h1 = self.hash(msg).digest()
        z = self._bits2int(h1)
        k = self._nonce(d, h1)
        r = self.mul(k, self.g)[0] % self.n
        s = pow(k, -1, self.n) * (z + r * d) % self.n
        if (s > self.n // 2) != high_s:
            s = self.n - s
        return r.to_bytes(self.size, "big") + s.to_bytes(self.size, "big")

    def der_signature(self, raw: bytes) -> bytes:
        """The ASN.1 DER form (SEQUENCE of two INTEGERs) of a raw r‖s signature."""
        half = len(raw) // 2
        return der.seq(der.integer(int.from_bytes(raw[:half], "big")),
                       der.integer(int.from_bytes(raw[half:], "big")))


P256 = Curve(
    "P-256", "1.2.840.10045.3.1.7",
    0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    hashlib.sha256)

P384 = Curve(
    "P-384", "1.3.132.0.34",
    2**384 - 2**128 - 2**96 + 2**32 - 1,
    0xB3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF,
    0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973,
    0xAA87CA22BE8B05378EB1C71EF320AD746E1D3B628BA79B9859F741E082542A385502F25DBF55296C3A545E3872760AB7,
    0x3617DE4A96262C6F5D9E98BF9292DC29F8F41DBD289A147CE9DA3113B5F0B8C00A60B1CE1D7E819D7A431D7C90EA0E5F,
    hashlib.sha384)

P521 = Curve(
    "P-521", "1.3.132.0.35",
    2**521 - 1,
    0x0051953EB9618E1C9A1F929A21A0B68540EEA2DA725B99B315F3B8B489918EF109E156193951EC7E937B1652C0BD3BB1BF073573DF883D2C34F1EF451FD46B503F00,
    0x01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409,
    0x00C6858E06B70404E9CD9E3ECB662395B4429C648139053FB521F828AF606B4D3DBAA14B5E77EFE75928FE1DC127A2FFA8DE3348B3C1856A429BF97E7E31C2E5BD66,
    0x011839296A789A3BC0045C8A5FB42C7D1BD998F54449579B446817AFBD17273E662C97EE72995EF42640C550B9013FAD0761353C7086A272C24088BE94769FD16650,
    hashlib.sha512)
