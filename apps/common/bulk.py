"""COPY-based insert for large imports: PostgreSQL's fastest way in, triggers included.

Django's bulk_create spends most of a 10,000-row import building model instances and one
giant parameterised INSERT; COPY streams the rows as text. Each value is prepared as a save
would prepare it (encrypted fields encrypt, date-times become aware), defaults fill what a
row leaves out, and auto_now/auto_now_add columns are stamped once for the batch.

The work is done column by column (one encrypt_many() per encrypted column, one escape
check per text column, lines joined in C), and the rows go to the server as one COPY
statement fed in batches by a generator: each batch is prepared while the server is still
inserting the previous one, and the statement-level history trigger runs once."""
from itertools import repeat

from django.db import connection, models
from django.utils import timezone

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
BATCH = 500


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if type(value) is str:
        return value.translate(_ESCAPES)
    return str(value)


def _texts(values: list) -> list:
    """_text() of each value; a column of plain strings (the usual case) is checked once."""
    if set(map(type, values)) == {str}:
        joined = "".join(values)
        if not ("\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined):
            return values
    return [_text(value) for value in values]


def _preparer(field):
    """How a list of a field's Python values becomes database values. None: as they are."""
    from apps.common.crypto import EncryptedTextField

    if isinstance(field, EncryptedTextField):
        return field.get_prep_values
    if isinstance(field, models.DateTimeField):
        return lambda values: [field.get_db_prep_save(value, connection) for value in values]
    return None


class _Stream:
    """The file psycopg2's copy_expert() reads: each read() is the next batch of lines."""

    def __init__(self, chunks):
        self._chunks = chunks

    def read(self, size=-1) -> str:
        return next(self._chunks, "")


def copy_columns(model, columns: dict, count: int, *, progress=None) -> int:
    """Insert ``count`` rows given as {attname: list of values} with one COPY. Must run inside
    a transaction. Columns left out take their default. ``progress(n)`` is called after each
    batch has been handed to the server, with the number of rows handed so far.

    Primary keys are not read back: callers that need the rows query them afterwards."""
    if not count:
        return 0
    now = timezone.now()
    plan = []  # (values or None, prepare, text of the default)
    names = []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        prepare = _preparer(field)
        stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = now if stamped else field.get_default()  # "" for text columns, as Django
        default_text = _text(default if prepare is None else prepare([default])[0])
        values = None if stamped else columns.get(field.attname)
        if values is not None and len(values) != count:
            raise ValueError(f"column {field.attname} has {len(values)} values, not {count}")
        plan.append((values, prepare, default_text))
        names.append(connection.ops.quote_name(field.column))
    unknown = set(columns) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")

    def chunks():
        for start in range(0, count, BATCH):
            stop = min(start + BATCH, count)
            texts = []
            for values, prepare, default_text in plan:
                if values is None:
                    texts.append(repeat(default_text, stop - start))
                else:
                    part = values[start:stop]
                    texts.append(_texts(part if prepare is None else prepare(part)))
            yield "\n".join(map("\t".join, zip(*texts))) + "\n"
            if progress is not None:
                progress(stop)

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # Through Django's cursor first, so that the history context (who, which upload) is
        # set for this transaction before COPY fires the history trigger; pghistory skips
        # SELECTs, hence a no-op block.
        cursor.execute("DO $$ BEGIN END $$")
        # copy_expert() is psycopg2's own: wrapped, its errors are Django's DatabaseErrors
        # like those of any query (a connection killed mid-COPY included).
        with connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {table} ({', '.join(names)}) FROM STDIN",
                               _Stream(chunks()), size=1 << 16)
    return count


def copy_update(model, pks: list, columns: dict) -> int:
    """Update the rows whose primary keys are ``pks``, each from its place in ``columns``
    ({attname: list of values}); a None keeps the row's current value (so an encrypted value
    that does not change keeps its token). auto_now columns are stamped. One COPY into a
    temporary table and one UPDATE … FROM: the statement-level history trigger records each
    row once, where Django's bulk_update() builds a CASE per row and field (~5 s for 10,000).
    Must run inside a transaction."""
    if not pks:
        return 0
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    fields = [f for f in meta.concrete_fields if f in fields]  # the table's order
    stamped = [f for f in meta.concrete_fields if getattr(f, "auto_now", False)]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    scratch = quote(f"bulk_update_{meta.db_table}")
    names = [quote(f.column) for f in fields]
    sets = [f"{name} = COALESCE(t.{name}, p.{name})" for name in names]
    sets += [f"{quote(f.column)} = %s" for f in stamped]
    now = timezone.now()

    def chunks():
        for start in range(0, len(pks), BATCH):
            stop = min(start + BATCH, len(pks))
            texts = [_texts(pks[start:stop])]
            for field in fields:
                part = columns[field.attname][start:stop]
                prepare = _preparer(field)
                if prepare is not None:
                    given = [i for i, value in enumerate(part) if value is not None]
                    prepared = prepare([part[i] for i in given])
                    part = [None] * len(part)
                    for i, value in zip(given, prepared):
                        part[i] = value
                texts.append(_texts(part))
            yield "\n".join(map("\t".join, zip(*texts))) + "\n"

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
                       f"SELECT {pk}, {', '.join(names)} FROM {table} WITH NO DATA")
        with connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {scratch} ({pk}, {', '.join(names)}) FROM STDIN",
                               _Stream(chunks()), size=1 << 16)
        cursor.execute(f"UPDATE {table} AS p SET {', '.join(sets)} FROM {scratch} AS t "
                       f"WHERE p.{pk} = t.{pk}",
                       [f.get_db_prep_save(now, connection) for f in stamped])
        updated = cursor.rowcount
        cursor.execute(f"DROP TABLE {scratch}")
    return updated


def copy_insert(model, rows: list[dict]) -> int:
    """copy_columns() for rows given as {attname: value}; a key a row leaves out takes the
    field's default, as before."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = {}
    for field in fields:
        if any(field.attname in row for row in rows):
            default = field.get_default()
            columns[field.attname] = [row.get(field.attname, default) for row in rows]
    return copy_columns(model, columns, len(rows))
