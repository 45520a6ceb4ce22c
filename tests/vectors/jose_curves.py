"""Ed25519 (RFC 8032) and deterministic ECDSA P-256 (FIPS 186-4 with RFC 6979 nonces), written
plainly from the RFCs with the standard library only, for the shared vectors (generate.py).

Both signatures are deterministic, so regenerating the vectors gives the same files. Slow
and not constant-time: for generating test vectors, never for real keys.
"""

import hashlib
import hmac

# --- Ed25519 (RFC 8032 §5.1) -------------------------------------------------------------

P25519 = 2**255 - 19
L25519 = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, -1, P25519) % P25519
_SQRT_M1 = pow(2, (P25519 - 1) // 4, P25519)


def _ed_add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    p = P25519
    aa = (y1 - x1) * (y2 - x2) % p
    bb = (y1 + x1) * (y2 + x2) % p
    c = t1 * 2 * _D * t2 % p
    dd = z1 * 2 * z2 % p
    e, f, g, h = bb - aa, dd - c, dd + c, bb + aa
    return (e * f % p, g * h % p, f * g % p, e * h % p)


def _ed_mul(s, pt):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = _ed_add(q, pt)
        pt = _ed_add(pt, pt)
        s >>= 1
    return q


def _ed_recover_x(y, sign):
    p = P25519
    if y >= p:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, -1, p)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (p + 3) // 8, p)
    if (x * x - x2) % p != 0:
        x = x * _SQRT_M1 % p
    if (x * x - x2) % p != 0:
        return None
    if (x & 1) != sign:
        x = p - x
    return x


_GY = 4 * pow(5, -1, P25519) % P25519
_GX = _ed_recover_x(_GY, 0)
_G = (_GX, _GY, 1, _GX * _GY % P25519)


def _ed_compress(pt):
    zinv = pow(pt[2], -1, P25519)
    x, y = pt[0] * zinv % P25519, pt[1] * zinv % P25519
    return int.to_bytes(y | ((x & 1) << 255), 32, "little")


def _sha512_int(data):
    return int.from_bytes(hashlib.sha512(data).digest(), "little")


def _ed_expand(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def ed25519_public(seed: bytes) -> bytes:
    a, _ = _ed_expand(seed)
    return _ed_compress(_ed_mul(a, _G))


def ed25519_sign(seed: bytes, msg: bytes) -> bytes:
    a, prefix = _ed_expand(seed)
    pub = _ed_compress(_ed_mul(a, _G))
    r = _sha512_int(prefix + msg) % L25519
    rs = _ed_compress(_ed_mul(r, _G))
    h = _sha512_int(rs + pub + msg) % L25519
    s = (r + h * a) % L25519
    return rs + int.to_bytes(s, 32, "little")


# --- P-256 (FIPS 186-4, SEC 1) with RFC 6979 nonces ------------------------------------------

P256_P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
P256_A = P256_P - 3
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_G = (
    0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
)


def _p_add(a, b):
    p = P256_P
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % p == 0:
        return None
    if a == b:
        lam = (3 * a[0] * a[0] + P256_A) * pow(2 * a[1], -1, p) % p
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], -1, p) % p
    x = (lam * lam - a[0] - b[0]) % p
    return (x, (lam * (a[0] - x) - a[1]) % p)


def _p_mul(k, pt):
    q = None
    while k > 0:
        if k & 1:
            q = _p_add(q, pt)
        pt = _p_add(pt, pt)
        k >>= 1
    return q


def p256_on_curve(x: int, y: int) -> bool:
    p = P256_P
    return (y * y - (x * x * x + P256_A * x + P256_B)) % p == 0


def p256_public(d: bytes):
    x, y = _p_mul(int.from_bytes(d, "big"), P256_G)
    return x.to_bytes(32, "big"), y.to_bytes(32, "big")


def _rfc6979_k(d: int, h1: bytes):
    # RFC 6979 §3.2 with HMAC-SHA-256; qlen = hlen = 256 bits.
    x = d.to_bytes(32, "big")
    h = (int.from_bytes(h1, "big") % P256_N).to_bytes(32, "big")
    v, k = b"\x01" * 32, b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        cand = int.from_bytes(v, "big")
        if 1 <= cand < P256_N:
            return cand
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def p256_sign(d: bytes, msg: bytes, high_s: bool = False) -> bytes:
    """The raw r‖s signature (64 bytes) of SHA-256(msg), s ≤ n/2 (or > n/2 with `high_s`)."""
    di = int.from_bytes(d, "big")
    h1 = hashlib.sha256(msg).digest()
    z = int.from_bytes(h1, "big")
    k = _rfc6979_k(di, h1)
    r = _p_mul(k, P256_G)[0] % P256_N
    s = pow(k, -1, P256_N) * (z + r * di) % P256_N
    if not high_s and s > P256_N // 2:
        s = P256_N - s
    if high_s and s <= P256_N // 2:
        s = P256_N - s
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def der_signature(raw: bytes) -> bytes:
    """The ASN.1 DER form (SEQUENCE of two INTEGERs) of a raw r‖s signature."""
    def integer(b):
        b = b.lstrip(b"\x00") or b"\x00"
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b
    body = integer(raw[:32]) + integer(raw[32:])
    return b"\x30" + bytes([len(body)]) + body


# --- PEM (PKCS#8 private, SPKI public), fixed DER prefixes of RFC 8410 and RFC 5915/5480 ----

_ED_PKCS8 = bytes.fromhex("302e020100300506032b657004220420")
_ED_SPKI = bytes.fromhex("302a300506032b6570032100")
_EC_PKCS8 = bytes.fromhex("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420")
_EC_PKCS8_PUB = bytes.fromhex("a144034200")
_EC_SPKI = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")


def pem(label: str, der: bytes) -> str:
    import base64
    text = base64.b64encode(der).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"


def ed25519_private_pem(seed: bytes) -> str:
    return pem("PRIVATE KEY", _ED_PKCS8 + seed)


def ed25519_public_pem(seed: bytes) -> str:
    return pem("PUBLIC KEY", _ED_SPKI + ed25519_public(seed))


def p256_private_pem(d: bytes) -> str:
    x, y = p256_public(d)
    return pem("PRIVATE KEY", _EC_PKCS8 + d + _EC_PKCS8_PUB + b"\x04" + x + y)


def p256_public_pem(d: bytes) -> str:
    x, y = p256_public(d)
    return pem("PUBLIC KEY", _EC_SPKI + b"\x04" + x + y)
