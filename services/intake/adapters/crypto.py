"""Encryption at rest for the reporter's contact (AES-256-GCM, from `cryptography`)."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from schemas.intake import ReporterContact


class ContactCipher:
    """Seals a contact under a 32-byte key; the key id is stored so keys can rotate."""

    def __init__(self, key_b64: str, key_id: str = "k1") -> None:
        key = base64.b64decode(key_b64)
        if len(key) != 32:
            raise ValueError("the contact key must be 32 bytes, base64-encoded")
        self._aead = AESGCM(key)
        self.key_id = key_id

    def seal(self, contact: ReporterContact, case_id: str) -> bytes:
        nonce = os.urandom(12)
        # The case id is authenticated data: a row copied to another case will not open.
        return nonce + self._aead.encrypt(nonce, contact.model_dump_json().encode(), case_id.encode())

    def open(self, sealed: bytes, case_id: str) -> ReporterContact:
        plain = self._aead.decrypt(sealed[:12], sealed[12:], case_id.encode())
        return ReporterContact.model_validate_json(plain)
