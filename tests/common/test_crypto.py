"""Encrypted fields and blind indexes (SECURITY.md §3). No database needed."""
import base64
import hashlib
import hmac
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models.lookups import IsNull
from django.test.utils import isolate_apps

from apps.common.crypto import (
    DecryptionError, EncryptedTextField, blind_index, blind_indexes, decrypt, encrypt,
    encrypt_many,
)

ID_NUMBER = "14010519900307123X"
CHINESE = "张三 · 山西省太原市小店区 · 母亲电话 13812345678 · 既往病史：无 🙂"


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture(autouse=True)
def keys(settings):
    settings.FIELD_ENCRYPTION_KEY = new_key()
    settings.BLIND_INDEX_KEY = new_key()
    settings.FIELD_ENCRYPTION_OLD_KEYS = []
    return settings


def flip(token: str, index: int) -> str:
    """The token with one bit of its decoded bytes flipped (index may be negative)."""
    raw = bytearray(base64.urlsafe_b64decode(token[3:]))
    raw[index] ^= 0x01
    return "v1:" + base64.urlsafe_b64encode(bytes(raw)).decode()


# --- encrypt / decrypt ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [CHINESE, ID_NUMBER, "a", "x" * 10_000, " 前后空格 "])
def test_round_trip(text):
    token = encrypt(text)
    assert token.startswith("v1:")
    if len(text) > 4:  # a short text may turn up in random base64 by chance
        assert text not in token
    assert decrypt(token) == text


def test_token_is_urlsafe_ascii_of_nonce_ciphertext_and_tag():
    token = encrypt(ID_NUMBER)
    assert token.isascii() and "+" not in token and "/" not in token
    raw = base64.urlsafe_b64decode(token[3:])
    assert len(raw) == 12 + len(ID_NUMBER.encode()) + 16


def test_empty_stays_empty():
    assert encrypt("") == ""
    assert decrypt("") == ""


def test_random_nonce_gives_different_tokens():
    tokens = {encrypt(ID_NUMBER) for _ in range(20)}
    assert len(tokens) == 20
    assert {decrypt(t) for t in tokens} == {ID_NUMBER}


@pytest.mark.parametrize("index", [0, 11, 12, -17, -1],
                         ids=["nonce0", "nonce11", "ct", "ct-last", "tag"])
def test_tampering_is_detected(index):
    token = encrypt(ID_NUMBER)
    with pytest.raises(DecryptionError):
        decrypt(flip(token, index))


@pytest.mark.parametrize("bad", [
    ID_NUMBER,                                   # plaintext, never encrypted
    "v2:" + "A" * 40,                            # unknown version
    "v1:not base64 !!",                          # not base64
    "v1:" + base64.urlsafe_b64encode(b"short").decode(),  # shorter than nonce + tag
])
def test_malformed_tokens_are_refused(bad):
    with pytest.raises(DecryptionError):
        decrypt(bad)


def test_truncated_token_is_refused():
    token = encrypt(CHINESE)
    raw = base64.urlsafe_b64decode(token[3:])
    with pytest.raises(DecryptionError):
        decrypt("v1:" + base64.urlsafe_b64encode(raw[:-4]).decode())


def test_decryption_error_is_a_value_error():
    assert issubclass(DecryptionError, ValueError)


def test_wrong_key_fails(settings):
    token = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = new_key()
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_settings_override_takes_effect_each_time(settings):
    first = settings.FIELD_ENCRYPTION_KEY
    token = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = new_key()
    other = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = first
    assert decrypt(token) == ID_NUMBER
    with pytest.raises(DecryptionError):
        decrypt(other)


def test_old_keys_decrypt_after_rotation(settings):
    old = settings.FIELD_ENCRYPTION_KEY
    older = new_key()
    settings.FIELD_ENCRYPTION_KEY = older
    token_older = encrypt("最早的值")
    settings.FIELD_ENCRYPTION_KEY = old
    token_old = encrypt(CHINESE)

    settings.FIELD_ENCRYPTION_KEY = new_key()
    settings.FIELD_ENCRYPTION_OLD_KEYS = [old, older]
    assert decrypt(token_old) == CHINESE
    assert decrypt(token_older) == "最早的值"

    # New values use the new key only: without it, the old keys cannot read them.
    token_new = encrypt(CHINESE)
    assert decrypt(token_new) == CHINESE
    settings.FIELD_ENCRYPTION_KEY = old
    settings.FIELD_ENCRYPTION_OLD_KEYS = [older]
    with pytest.raises(DecryptionError):
        decrypt(token_new)


def test_old_keys_may_come_as_a_comma_separated_string(settings):
    old = settings.FIELD_ENCRYPTION_KEY
    token = encrypt(ID_NUMBER)
    settings.FIELD_ENCRYPTION_KEY = new_key()
    settings.FIELD_ENCRYPTION_OLD_KEYS = f"{new_key()},{old}"
    assert decrypt(token) == ID_NUMBER


def test_key_without_padding_is_accepted(settings):
    settings.FIELD_ENCRYPTION_KEY = settings.FIELD_ENCRYPTION_KEY.rstrip("=")
    assert decrypt(encrypt(CHINESE)) == CHINESE


def test_non_text_is_refused():
    with pytest.raises(TypeError):
        encrypt(b"bytes")
    with pytest.raises(TypeError):
        decrypt(None)


def test_encrypt_many_gives_encrypt_tokens_in_order():
    values = [ID_NUMBER, "", CHINESE, "13800012345", ID_NUMBER]
    tokens = encrypt_many(values)
    assert [decrypt(t) for t in tokens] == values
    assert tokens[1] == ""
    for token, single in zip(tokens, [encrypt(v) for v in values]):
        assert len(token) == len(single) and token[:3] == single[:3]  # the same format
        assert token == "" or base64.urlsafe_b64decode(token[3:])  # urlsafe, padded


def test_encrypt_many_draws_a_fresh_nonce_for_every_value():
    tokens = encrypt_many([ID_NUMBER] * 200)
    nonces = {base64.urlsafe_b64decode(t[3:])[:12] for t in tokens}
    assert len(nonces) == len(set(tokens)) == 200


def test_encrypt_many_tokens_decrypt_after_rotation(settings):
    tokens = encrypt_many([CHINESE])
    settings.FIELD_ENCRYPTION_OLD_KEYS = [settings.FIELD_ENCRYPTION_KEY]
    settings.FIELD_ENCRYPTION_KEY = new_key()
    assert decrypt(tokens[0]) == CHINESE


def test_encrypt_many_refuses_non_text():
    with pytest.raises(TypeError):
        encrypt_many(["ok", None])
    assert encrypt_many([]) == []


# --- key validation ------------------------------------------------------------------------

def short_key():
    return base64.urlsafe_b64encode(os.urandom(16)).decode()


@pytest.mark.parametrize("name", ["FIELD_ENCRYPTION_KEY", "BLIND_INDEX_KEY"])
def test_missing_key_is_improperly_configured(settings, name):
    delattr(settings, name)
    with pytest.raises(ImproperlyConfigured, match=f"{name} is not set"):
        encrypt("x") if name == "FIELD_ENCRYPTION_KEY" else blind_index("x", purpose="p")


@pytest.mark.parametrize("value, message", [
    ("", "is not set"),
    (None, "is not set"),
    ("not base64 at all!", "not valid urlsafe base64"),
    ("short", "not valid urlsafe base64"),     # 5 characters cannot be base64
    ("c2hvcnQ", "exactly 32 bytes"),            # b"short", padding left off
    (short_key(), "exactly 32 bytes"),
    (base64.urlsafe_b64encode(os.urandom(48)).decode(), "exactly 32 bytes"),
])
def test_bad_keys_are_improperly_configured(settings, value, message):
    settings.FIELD_ENCRYPTION_KEY = value
    with pytest.raises(ImproperlyConfigured, match=message):
        encrypt("x")
    settings.FIELD_ENCRYPTION_KEY = new_key()
    settings.BLIND_INDEX_KEY = value
    with pytest.raises(ImproperlyConfigured, match=f"BLIND_INDEX_KEY.*{message}|{message}"):
        blind_index("x", purpose="phone")


def test_bad_key_never_appears_in_the_message(settings):
    secret = base64.urlsafe_b64encode(os.urandom(31)).decode()
    settings.FIELD_ENCRYPTION_KEY = secret
    with pytest.raises(ImproperlyConfigured) as excinfo:
        encrypt("x")
    assert secret not in str(excinfo.value)


def test_bad_old_key_is_improperly_configured(settings):
    token = encrypt("x")
    settings.FIELD_ENCRYPTION_KEY = new_key()
    settings.FIELD_ENCRYPTION_OLD_KEYS = [short_key()]
    with pytest.raises(ImproperlyConfigured, match=r"FIELD_ENCRYPTION_OLD_KEYS\[0\]"):
        decrypt(token)


# --- blind index ---------------------------------------------------------------------------

def test_blind_index_is_hmac_sha256_of_purpose_nul_value(settings):
    key = base64.urlsafe_b64decode(settings.BLIND_INDEX_KEY)
    expected = hmac.new(key, ("id_number\x00" + ID_NUMBER).encode(), hashlib.sha256).hexdigest()
    assert blind_index(ID_NUMBER, purpose="id_number") == expected


def test_blind_index_is_stable_hex_of_64_chars():
    first = blind_index(ID_NUMBER, purpose="id_number")
    assert first == blind_index(ID_NUMBER, purpose="id_number")
    assert len(first) == 64 and all(c in "0123456789abcdef" for c in first)
    assert ID_NUMBER not in first


def test_blind_index_separates_purposes_and_values():
    passport = blind_index("E12345678", purpose="passport")
    assert passport != blind_index("E12345678", purpose="id_number")
    other = ID_NUMBER[:-1] + "9"
    assert blind_index(ID_NUMBER, purpose="id_number") != blind_index(other, purpose="id_number")
    # The separator keeps ("ab", "c") and ("a", "bc") apart.
    assert blind_index("c", purpose="ab") != blind_index("bc", purpose="a")


def test_blind_index_depends_on_the_key(settings):
    before = blind_index(ID_NUMBER, purpose="id_number")
    settings.BLIND_INDEX_KEY = new_key()
    assert blind_index(ID_NUMBER, purpose="id_number") != before


def test_blind_index_does_not_use_the_encryption_key(settings):
    before = blind_index("13812345678", purpose="phone")
    settings.FIELD_ENCRYPTION_KEY = new_key()
    assert blind_index("13812345678", purpose="phone") == before


def test_blind_index_of_empty_is_empty():
    assert blind_index("", purpose="phone") == ""


def test_blind_index_of_chinese_text():
    assert len(blind_index("张三", purpose="family_contact")) == 64


@pytest.mark.parametrize("purpose", ["", "a\x00b"])
def test_blind_index_needs_a_proper_purpose(purpose):
    with pytest.raises(ValueError):
        blind_index(ID_NUMBER, purpose=purpose)


def test_blind_index_purpose_is_keyword_only():
    with pytest.raises(TypeError):
        blind_index(ID_NUMBER, "id_number")


def test_blind_indexes_are_blind_index_of_each_value():
    values = [ID_NUMBER, "", "张三", ID_NUMBER.lower()]
    assert blind_indexes(values, purpose="id_number") == [
        blind_index(v, purpose="id_number") for v in values]
    assert blind_indexes(["x"], purpose="phone") != blind_indexes(["x"], purpose="id_number")
    with pytest.raises(ValueError):
        blind_indexes(["x"], purpose="")
    with pytest.raises(TypeError):
        blind_indexes([1], purpose="phone")


# --- EncryptedTextField --------------------------------------------------------------------

def test_field_round_trip_through_prep_and_from_db():
    field = EncryptedTextField()
    stored = field.get_prep_value(CHINESE)
    assert stored.startswith("v1:") and CHINESE not in stored
    assert field.from_db_value(stored, None, connection) == CHINESE


def test_field_db_prep_save_encrypts():
    # The path of save(), QuerySet.update() and bulk_create().
    field = EncryptedTextField()
    stored = field.get_db_prep_save(ID_NUMBER, connection)
    assert stored.startswith("v1:")
    assert decrypt(stored) == ID_NUMBER


def test_field_keeps_none_and_blank():
    field = EncryptedTextField(blank=True, default="")
    assert field.get_prep_value(None) is None
    assert field.from_db_value(None, None, connection) is None
    assert field.get_prep_value("") == ""
    assert field.from_db_value("", None, connection) == ""
    assert field.get_default() == ""


def test_field_to_python_leaves_plaintext_alone():
    field = EncryptedTextField()
    assert field.to_python(CHINESE) == CHINESE
    assert field.to_python(None) is None
    token = encrypt(CHINESE)
    assert field.to_python(token) == token  # no decryption outside from_db_value


def test_field_prep_value_converts_non_strings_to_text():
    assert decrypt(EncryptedTextField().get_prep_value(12345)) == "12345"


def test_field_prep_values_is_prep_value_of_each():
    field = EncryptedTextField(blank=True, default="")
    stored = field.get_prep_values([CHINESE, "", ID_NUMBER])
    assert stored[1] == "" and [decrypt(t) for t in stored] == [CHINESE, "", ID_NUMBER]
    mixed = field.get_prep_values([None, 12345, "x"])
    assert mixed[0] is None and decrypt(mixed[1]) == "12345" and decrypt(mixed[2]) == "x"


def test_field_from_db_value_refuses_tampered_rows():
    field = EncryptedTextField()
    with pytest.raises(DecryptionError):
        field.from_db_value(flip(encrypt(ID_NUMBER), -1), None, connection)
    with pytest.raises(DecryptionError):
        field.from_db_value(ID_NUMBER, None, connection)  # a plaintext row never passes


@pytest.mark.parametrize("lookup", ["exact", "iexact", "contains", "icontains", "in",
                                    "startswith", "gt", "regex"])
def test_field_lookups_are_refused(lookup):
    with pytest.raises(TypeError, match="encrypted fields cannot be filtered; use the blind index"):
        EncryptedTextField().get_lookup(lookup)


def test_field_transforms_are_refused():
    with pytest.raises(TypeError, match="use the blind index"):
        EncryptedTextField().get_transform("unaccent")


def test_field_isnull_is_allowed():
    assert EncryptedTextField().get_lookup("isnull") is IsNull


def test_field_deconstructs_as_a_text_field_subclass():
    field = EncryptedTextField(blank=True, default="", verbose_name="身份证号")
    name, path, args, kwargs = field.deconstruct()
    assert path == "apps.common.crypto.EncryptedTextField"
    assert args == []
    assert kwargs == {"blank": True, "default": "", "verbose_name": "身份证号"}
    clone = EncryptedTextField(*args, **kwargs)
    assert clone.blank and clone.get_default() == ""
    assert isinstance(clone, models.TextField)


@isolate_apps("tests.common")
def test_querysets_refuse_filters_but_allow_isnull():
    class Secretive(models.Model):
        secret = EncryptedTextField(blank=True, default="", null=True)

        class Meta:
            app_label = "common_tests"

    # Building a filter needs no database; it fails before any query is sent.
    with pytest.raises(TypeError, match="Secretive.secret: encrypted fields cannot be filtered"):
        Secretive.objects.filter(secret=ID_NUMBER)
    with pytest.raises(TypeError, match="use the blind index"):
        Secretive.objects.filter(secret__icontains="1401")
    with pytest.raises(TypeError, match="use the blind index"):
        Secretive.objects.exclude(secret__in=[ID_NUMBER])
    qs = Secretive.objects.filter(secret__isnull=True).exclude(secret__isnull=True)
    assert "IS NULL" in str(qs.query)


@isolate_apps("tests.common")
def test_update_and_bulk_create_sql_carry_tokens_not_plaintext():
    from django.db.models.sql import InsertQuery, UpdateQuery

    class Secretive(models.Model):
        secret = EncryptedTextField(blank=True, default="")

        class Meta:
            app_label = "common_tests"

    # QuerySet.update(secret=...)
    update = UpdateQuery(Secretive)
    update.add_update_values({"secret": ID_NUMBER})
    sql, params = update.get_compiler(connection=connection).as_sql()
    assert ID_NUMBER not in params
    [token] = [p for p in params if isinstance(p, str)]
    assert decrypt(token) == ID_NUMBER

    # bulk_create([...])
    insert = InsertQuery(Secretive)
    objs = [Secretive(secret=ID_NUMBER), Secretive(secret="")]
    insert.insert_values([Secretive._meta.get_field("secret")], objs)
    [(sql, params)] = insert.get_compiler(connection=connection).as_sql()
    # PostgreSQL sends the rows of a bulk insert as one array per column (UNNEST).
    values = [v for p in params for v in (p if isinstance(p, (list, tuple)) else [p])]
    assert ID_NUMBER not in values
    assert [decrypt(v) for v in values] == [ID_NUMBER, ""]
    assert values[0].startswith("v1:") and values[1] == ""
