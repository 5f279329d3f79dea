"""Substring search on short text columns (拟就业工种, 外语及水平) over a million rows.

A substring match (icontains) cannot walk a btree index, and pg_trgm's index needs three
characters while a Chinese trade or language is mostly two (焊工, 日语): such a search read
every row (130–220 ms, bench/lists.py). The column's one- and two-character pieces
(``le_grams``, a SQL function of registry migration 0007_reserve_pool_indexes) are kept in a GIN index; a search
asks for the rows holding every piece of the text, then checks the substring itself, so
the answer is exactly icontains'."""
from django.contrib.postgres.fields import ArrayField
from django.db.models import Func, TextField, Value

# Every single character and every pair of neighbours of the upper-cased text.
GRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION le_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT piece), '{}') FROM (
    SELECT substr(upper(value), i, 1) AS piece FROM generate_series(1, length(value)) AS i
    UNION ALL
    SELECT substr(upper(value), i, 2) FROM generate_series(1, length(value) - 1) AS i
  ) AS pieces
$$;
"""


class Grams(Func):
    function = "le_grams"
    output_field = ArrayField(TextField())


def containing(qs, field: str, text: str):
    """``qs`` narrowed to rows whose ``field`` contains ``text`` (case-insensitive)."""
    alias = f"{field}_grams"
    return qs.alias(**{alias: Grams(field)}).filter(
        **{f"{alias}__contains": Grams(Value(text)), f"{field}__icontains": text})
