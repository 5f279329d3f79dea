"""clean_column() must give, for every column, exactly what the per-cell cleaners give: the
same values and the same messages for the same cells. No database."""
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.registry.idnumber import make_id
from apps.rosters import cleaning
from apps.rosters.importers import CLEANERS

# Characters that each take a different branch of text(), id_number() or phone().
TRICKY = ("0123456789 -+=@xX\t\n\r\x00\x1f\x7f\u00a0\u2002\u200b\u2060\u202e\u3000\ufeff"
          "０９ＸｘＡａ．－／张三李四山西省太原市男女学生社会人员大专年月日e.E/")


def per_cell(cells, cleaner):
    values, errors = [], {}
    for index, cell in enumerate(cells):
        try:
            values.append(cleaner(cell))
        except cleaning.CellError as error:
            values.append(None)
            errors[index] = error.message
    return values, errors


cell = st.one_of(
    st.text(alphabet=TRICKY, max_size=14),
    st.text(max_size=6),
    st.sampled_from(["", " ", "张三", "13800012345", "138-0001-2345", make_id(), make_id().lower()[:17] + "x",
                     "1.1010519491231E+17", "=1+1", "@SUM(1)", "+86138", "-1", "2020/6/5", "2020年6月5日",
                     "20200605", "43987", "男", "学生", "脱贫劳动力", "否", "x" * 501]),
    st.integers(min_value=-10, max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.datetimes(min_value=datetime(1900, 1, 1)),
    st.none(),
)
# Columns that are mostly clean (the fast path) with now and then an odd cell.
clean_text = st.text(alphabet="张三李四山西 机械0123456789", max_size=10).map(lambda s: " ".join(s.split()))
clean_id = st.sampled_from([make_id(seq=f"{i:03d}") for i in range(5)] + [""])
clean_phone = st.from_regex(r"1[3-9][0-9]{9}|0[1-9][0-9]{8,10}|[0-9]{7,12}|", fullmatch=True)
any_digits = st.from_regex(r"[0-9]{0,14}", fullmatch=True)
# One small thing for a cleaner to change or refuse, put into an otherwise clean column.
DEFECTS = ["?", "\ufffd", "000", " ", "  ", "\u3000", "\u00a0", "\t", "\n", "\r", "\x00", "\x1f", "\u200b", "\u2060",
           "\ufeff", "\u202e", "x", "X", "Ｘ", "ｘ", "０", "Ａ", "－", "=", "@", "+", "-", "e+", "E+", "."]


@st.composite
def defective(draw, clean):
    cells = draw(st.lists(clean, min_size=1, max_size=8))
    index = draw(st.integers(0, len(cells) - 1))
    where = draw(st.integers(0, len(cells[index])))
    defect = draw(st.sampled_from(DEFECTS))
    cells[index] = cells[index][:where] + defect + cells[index][where:]
    return cells


column = st.one_of(
    st.lists(cell, max_size=12),
    st.lists(clean_text, max_size=12),
    st.lists(st.one_of(clean_text, clean_text, clean_text, cell), max_size=12),
    st.lists(clean_phone, max_size=12),
    st.lists(st.one_of(clean_phone, clean_phone, any_digits), max_size=12),
    st.lists(clean_id, max_size=12),
    defective(clean_text),
    defective(clean_phone),
    defective(clean_id),
)


@pytest.mark.parametrize("key", sorted(set(CLEANERS) | {"name"}))
@settings(max_examples=300, deadline=None)
@given(cells=column)
def test_a_column_cleans_exactly_as_its_cells(key, cells):
    cleaner = CLEANERS.get(key, cleaning.text)
    assert cleaning.clean_column(cells, cleaner) == per_cell(cells, cleaner)


BASES = {
    "text": ["张三", "山西大学 机械", "", "李四"],
    "id": [make_id(seq="001"), make_id(seq="002"), "", make_id(seq="003")],
    "phone": ["13800012345", "03512345678", "", "01062345678"],
}


@pytest.mark.parametrize("base", sorted(BASES))
@pytest.mark.parametrize("defect", DEFECTS + ["", "1", "12345678901234"])
def test_any_one_defect_anywhere_cleans_exactly_as_its_cells(base, defect):
    """Each defect at the start, inside and at the end of the first, a middle and the last
    cell, under every cleaner: the places the column-wide checks could miss."""
    for index in range(len(BASES[base])):
        for where in {0, len(BASES[base][index]) // 2, len(BASES[base][index])}:
            cells = list(BASES[base])
            cells[index] = cells[index][:where] + defect + cells[index][where:]
            for key in sorted(set(CLEANERS) | {"name"}):
                cleaner = CLEANERS.get(key, cleaning.text)
                assert cleaning.clean_column(cells, cleaner) == per_cell(cells, cleaner), (key, cells)


@pytest.mark.parametrize("cells, cleaner", [
    (["张三", "李四 五", "", "王五"], cleaning.text),
    ([make_id(seq=f"{i:03d}") for i in range(1, 51)], cleaning.id_number),  # seq 000 may end in 000
    (["13800012345", "", "03512345678"], cleaning.phone),
])
def test_a_clean_column_comes_back_unchanged(cells, cleaner):
    assert cleaning._unchanged(cells, cleaner)
    assert cleaning.clean_column(cells, cleaner) == (cells, {})


@pytest.mark.parametrize("cells, cleaner", [
    (["张三", " 李四"], cleaning.text),
    (["张三", "李四 "], cleaning.text),
    (["张  三"], cleaning.text),
    (["张\u3000三"], cleaning.text),
    (["张\u200b三"], cleaning.text),
    (["a\nb"], cleaning.text),
    (["=1+1"], cleaning.text),
    (["x" * 501], cleaning.text),
    ([make_id()[:17] + "x"], cleaning.id_number),
    (["1401 0519 9503 0712 3X"], cleaning.id_number),
    (["1.1010519491231E+17"], cleaning.id_number),
    (["138-0001-2345"], cleaning.phone),
    (["123"], cleaning.phone),
    ([1.0], cleaning.text),
])
def test_a_column_with_anything_to_change_is_not_taken_as_clean(cells, cleaner):
    assert not cleaning._unchanged(cells, cleaner)
    assert cleaning.clean_column(cells, cleaner) == per_cell(cells, cleaner)


@pytest.mark.parametrize("cells", [[1.0, 2.0, -3.0, 0.0, -0.0, 1e20, 1e300], [1.0, 1.5], [float("inf")],
                                   [-float("inf"), 2.0], [1.0, 2], [True, 1.0]])
def test_numbers_clean_exactly_as_their_cells(cells):
    assert cleaning.clean_column(cells, cleaning.text) == per_cell(cells, cleaning.text)


def test_every_unicode_space_is_at_or_below_u3000():
    # _NOT_PLAIN lists the spaces it looks for up to U+3000 only.
    assert not [c for c in range(0x3001, 0x110000) if chr(c).isspace()]
