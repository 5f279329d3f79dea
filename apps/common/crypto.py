"""Encrypted sensitive fields and blind indexes (SECURITY.md §3).

ID numbers, passports, phones, family contacts and medical details are stored as AES-256-GCM
tokens; a keyed hash (HMAC-SHA256, the "blind index") of the normalised ID or passport
number sits in a separate column for uniqueness and exact search.

Keys live in settings, each a urlsafe-base64 string of 32 bytes:

    FIELD_ENCRYPTION_KEY        encrypts every new value
    FIELD_ENCRYPTION_OLD_KEYS   optional list, tried for decryption after the current key
    BLIND_INDEX_KEY             keys the HMAC of blind_index()

They are read at call time, so tests can override them with the pytest-django ``settings``
fixture; derived objects are cached by key value, so an override takes effect at once.

Rotation: put the new key in FIELD_ENCRYPTION_KEY and the old one in
FIELD_ENCRYPTION_OLD_KEYS; old tokens still decrypt and are re-encrypted with the new key the
next time their row is saved. (Changing BLIND_INDEX_KEY means recomputing every index.)
"""
import base64
import binascii
import functools
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import IsNull

__all__ = [
    "DecryptionError",
    "EncryptedTextField",
    "blind_index",
    "blind_indexes",
    "decrypt",
    "encrypt",
    "encrypt_many",
]

TOKEN_PREFIX = "v1:"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32

LOOKUP_REFUSED = "encrypted fields cannot be filtered; use the blind index"


class DecryptionError(ValueError):
    """A token that is malformed, tampered with, or encrypted under a key we do not hold."""


# --- Keys ----------------------------------------------------------------------------------

def _decode_key(value, name: str) -> bytes:
    """The 32 raw bytes of a urlsafe-base64 key; never puts the key itself in a message."""
    if not isinstance(value, str) or not value.strip():
        raise ImproperlyConfigured(
            f"{name} is not set: it must be a urlsafe-base64 string of {KEY_BYTES} bytes, "
            "e.g. the output of python -c \"import base64, os; "
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode())\""
        )
    text = value.strip()
    text += "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(text, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} is not valid urlsafe base64.") from None
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must decode to exactly {KEY_BYTES} bytes (it decodes to {len(raw)})."
        )
    return raw


@functools.lru_cache(maxsize=16)
def _aead(key: str, name: str) -> AESGCM:
    return AESGCM(_decode_key(key, name))


@functools.lru_cache(maxsize=16)
def _index_key(key: str) -> bytes:
    return _decode_key(key, "BLIND_INDEX_KEY")


def _current_aead() -> AESGCM:
    key = getattr(settings, "FIELD_ENCRYPTION_KEY", None)
    if not isinstance(key, str):
        _decode_key(key, "FIELD_ENCRYPTION_KEY")  # raises with the "not set" message
    return _aead(key, "FIELD_ENCRYPTION_KEY")


def _decryption_aeads() -> list[AESGCM]:
    """The current key first, then FIELD_ENCRYPTION_OLD_KEYS in order."""
    old = getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", None) or []
    if isinstance(old, str):  # tolerate "k1,k2" straight from the environment
        old = [k for k in old.split(",") if k.strip()]
    aeads = [_current_aead()]
    for i, key in enumerate(old):
        name = f"FIELD_ENCRYPTION_OLD_KEYS[{i}]"
        if not isinstance(key, str):
            _decode_key(key, name)
        aeads.append(_aead(key, name))
    return aeads


# --- Encryption ----------------------------------------------------------------------------

def encrypt(plaintext: str) -> str:
    """AES-256-GCM under FIELD_ENCRYPTION_KEY with a random nonce: ``"v1:" + b64(nonce + ct)``.

    The empty string stays empty, so blank fields stay blank.
    """
    if not isinstance(plaintext, str):
        raise TypeError(f"encrypt() takes str, not {type(plaintext).__name__}")
    if plaintext == "":
        return ""
    nonce = os.urandom(NONCE_BYTES)
    sealed = _current_aead().encrypt(nonce, plaintext.encode("utf-8"), None)
    return TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


# urlsafe_b64encode() is b64encode() plus a translate, both in Python; this is the same in C.
_URLSAFE = bytes.maketrans(b"+/", b"-_")


def encrypt_many(plaintexts: list) -> list[str]:
    """encrypt() of each plaintext, in order: the same token format, a fresh random nonce each.

    For bulk writes (a roster encrypts tens of thousands of values): the key is looked up
    once and the nonces come from one os.urandom() call, each 12 bytes of it as random as a
    call of its own; per value this is about a third of encrypt()'s cost."""
    aead = _current_aead()
    seal = aead.encrypt
    nonces = os.urandom(NONCE_BYTES * len(plaintexts))
    tokens = []
    append = tokens.append
    for i, plaintext in enumerate(plaintexts):
        if plaintext.__class__ is not str:
            raise TypeError(f"encrypt() takes str, not {type(plaintext).__name__}")
        if plaintext == "":
            append("")
            continue
        nonce = nonces[i * NONCE_BYTES:(i + 1) * NONCE_BYTES]
        raw = binascii.b2a_base64(nonce + seal(nonce, plaintext.encode("utf-8"), None),
                                  newline=False)
        append(TOKEN_PREFIX + raw.translate(_URLSAFE).decode("ascii"))
    return tokens


def decrypt(token: str) -> str:
    """The plaintext of a token from encrypt(); "" for "".

    Raises DecryptionError for anything that is not a well-formed token authenticated by the
    current key or one of FIELD_ENCRYPTION_OLD_KEYS; it never returns garbage.
    """
    if not isinstance(token, str):
        raise TypeError(f"decrypt() takes str, not {type(token).__name__}")
    if token == "":
        return ""
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError("not an encrypted token (unknown or missing version prefix)")
    body = token[len(TOKEN_PREFIX):]
    try:
        raw = base64.b64decode(body, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("encrypted token is not valid base64") from None
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("encrypted token is too short")
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    for aead in _decryption_aeads():
        try:
            data = aead.decrypt(nonce, sealed, None)
        except InvalidTag:
            continue
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:  # authenticated but not ours: cannot happen via encrypt()
            raise DecryptionError("encrypted token does not hold UTF-8 text") from None
    raise DecryptionError(
        "encrypted token failed authentication: tampered with, or encrypted under a key "
        "that is neither FIELD_ENCRYPTION_KEY nor in FIELD_ENCRYPTION_OLD_KEYS"
    )


# --- Blind index ---------------------------------------------------------------------------

def blind_index(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``purpose + "\\x00" + value`` under BLIND_INDEX_KEY, as 64 hex digits.

    ``purpose`` (e.g. "id_number", "passport", "phone") keeps the indexes of different fields
    unlinkable. The caller normalises ``value`` first (strip, upper-case, ...). "" gives "".
    """
    if not isinstance(value, str):
        raise TypeError(f"blind_index() takes str, not {type(value).__name__}")
    if not isinstance(purpose, str) or not purpose or "\x00" in purpose:
        raise ValueError("blind_index() needs a non-empty purpose without NUL characters")
    if value == "":
        return ""
    key = getattr(settings, "BLIND_INDEX_KEY", None)
    if not isinstance(key, str):
        _decode_key(key, "BLIND_INDEX_KEY")
    message = (purpose + "\x00" + value).encode("utf-8")
    return hmac.new(_index_key(key), message, hashlib.sha256).hexdigest()


def blind_indexes(values: list, *, purpose: str) -> list[str]:
    """blind_index() of each value, in order, keyed once for the lot (HMAC copies)."""
    if not isinstance(purpose, str) or not purpose or "\x00" in purpose:
        raise ValueError("blind_index() needs a non-empty purpose without NUL characters")
    key = getattr(settings, "BLIND_INDEX_KEY", None)
    if not isinstance(key, str):
        _decode_key(key, "BLIND_INDEX_KEY")
    keyed = hmac.new(_index_key(key), (purpose + "\x00").encode("utf-8"), hashlib.sha256)
    digests = []
    append = digests.append
    for value in values:
        if value.__class__ is not str:
            raise TypeError(f"blind_index() takes str, not {type(value).__name__}")
        if value == "":
            append("")
            continue
        mac = keyed.copy()
        mac.update(value.encode("utf-8"))
        append(mac.hexdigest())
    return digests


# --- Model field ---------------------------------------------------------------------------

class EncryptedTextField(models.TextField):
    """A TextField whose database column holds an encrypt() token; Python sees plaintext.

    Encrypted values cannot be searched: every lookup except ``isnull`` raises TypeError.
    Search a separate blind-index column instead, e.g.::

        id_number = EncryptedTextField(blank=True, default="")
        id_number_index = models.CharField(max_length=64, blank=True, default="", db_index=True)

    ``QuerySet.update()`` and ``bulk_create()`` encrypt too (they go through get_prep_value).
    ``filter(field=None)`` is refused as well; write ``filter(field__isnull=True)``.
    """

    description = "Text encrypted with AES-256-GCM"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # Promise -> str, then to_python()
        if value is None:
            return None
        return encrypt(value)

    def get_prep_values(self, values: list) -> list:
        """get_prep_value() of each value, for bulk writes (see encrypt_many)."""
        if set(map(type, values)) <= {str}:
            return encrypt_many(values)
        return [self.get_prep_value(value) for value in values]

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        raise TypeError(f"{self._where()}: {LOOKUP_REFUSED} (lookup '{lookup_name}')")

    def get_transform(self, lookup_name):
        raise TypeError(f"{self._where()}: {LOOKUP_REFUSED} (transform '{lookup_name}')")

    def _where(self) -> str:
        model = getattr(self, "model", None)
        if model is not None and self.name:
            return f"{model._meta.label}.{self.name}"
        return type(self).__name__
