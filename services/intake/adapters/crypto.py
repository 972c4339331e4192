"""Encryption at rest for personal data: the reporter's contact, free text before masking (AES-256-GCM)."""

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
        return self.seal_bytes(contact.model_dump_json().encode(), case_id)

    def seal_bytes(self, plain: bytes, case_id: str) -> bytes:
        """Any personal data of a case: its contact, or free text as typed before masking."""
        nonce = os.urandom(12)
        # The case id is authenticated data: a row copied to another case will not open.
        return nonce + self._aead.encrypt(nonce, plain, case_id.encode())

    def open_bytes(self, sealed: bytes, case_id: str) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], case_id.encode())

    def open(self, sealed: bytes, case_id: str) -> ReporterContact:
        return ReporterContact.model_validate_json(self.open_bytes(sealed, case_id))
