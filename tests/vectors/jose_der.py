"""A small DER writer (X.690) and PEM armour for the key forms of the shared vectors:
SEQUENCE, INTEGER, OBJECT IDENTIFIER, NULL, BIT STRING, OCTET STRING and context tags.
Standard library only; deterministic by construction."""

import base64


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _len(len(body)) + body


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def integer(v: int) -> bytes:
    assert v >= 0
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")  # one more byte: room for the sign bit
    while len(b) > 1 and b[0] == 0 and not b[1] & 0x80:
        b = b[1:]
    return tlv(0x02, b)


def oid(dotted: str) -> bytes:
    parts = [int(x) for x in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(reversed(chunk))
    return tlv(0x06, body)


def null() -> bytes:
    return b"\x05\x00"


def bit_string(data: bytes) -> bytes:
    return tlv(0x03, b"\x00" + data)


def octet_string(data: bytes) -> bytes:
    return tlv(0x04, data)


def context(n: int, body: bytes) -> bytes:
    """An explicit [n] tag (constructed)."""
    return tlv(0xA0 | n, body)


def pem(label: str, data: bytes) -> str:
    text = base64.b64encode(data).decode()
    lines = [text[i:i + 64] for i in range(0, len(text), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----\n"
