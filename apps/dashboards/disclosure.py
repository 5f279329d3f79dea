"""The observer's suppression (SECURITY.md, aggregates): decided once for a whole dashboard
page from its figures, so that the page, its chart data and its xlsx exports carry exactly the
same hidden cells, and no hidden cell can be derived from what is shown.

Every count the page publishes is a variable; the page publishes linear relations between
them, each a list of (cell, coefficient) summing to zero:

- a column's cells and its 合计 (``Table.total``);
- a row's cells and the cell that is their sum (``Table.row_sums``, e.g. 参加 = 通过 + 未通过);
- the same quantity shown in two tables (the same key, from ``Table.col_keys`` and
  ``row_keys``: e.g. a stage's 通过 in the funnel and that stage's 合计 in the by-city table);
- a group of rows and the row of another table it makes up (``Table.row_groups``: a city's
  units and the city), with a never-shown remainder (people with no unit): unknown when it
  holds people, known when it is empty.

Primary suppression hides counts of 1–4 people. Secondary suppression then solves the
relations the way an attacker would, by exact linear algebra over the unknowns (which is
stronger than substituting one relation at a time): while a hidden cell, or a never-shown
remainder of 1–4 people, is pinned to one value, a shown cell of the relations around it is
hidden too (the one that forces the fewest further cells, then the smallest), until stable."""
from fractions import Fraction

SUPPRESS_BELOW = 5
# One mark for every hidden cell: a "<5" on the further cells would be untrue, and two marks
# would tell the attacker which cells are 1–4 (bounds that help the subtraction).
SUPPRESSED = "*"
TOTAL = "total"  # row index of a table's 合计 row


def small(value) -> bool:
    # A zero is shown: it names no one, and hiding every zero would hide the shape of the
    # programme (most unit × stage cells are empty) for no protection. It stays a known
    # value for the solver. 1–4 people are a group whose members can be recognised.
    return value is not None and 0 < value < SUPPRESS_BELOW


def _key(*parts):
    merged = {}
    for part in parts:
        merged.update(part)
    return frozenset(merged.items())


def page_cells(tables):
    """{cell: value} and {cell: quantity key} of every people count the tables publish;
    a cell is (table key, row index or TOTAL, column)."""
    values, keys = {}, {}
    for t in tables:
        for r, row in t.indexed_rows():
            row_key = t.total_key if r == TOTAL else t.row_keys[r] if t.row_keys else {}
            for c in t.counts:
                if row[c] is None:
                    continue
                values[(t.key, r, c)] = row[c]
                if (r, c) in t.cell_keys:  # a cell that is another table's quantity
                    keys[(t.key, r, c)] = _key(t.cell_keys[(r, c)])
                elif c in t.col_keys:
                    keys[(t.key, r, c)] = _key(t.col_keys[c], row_key)
    return values, keys


def page_relations(tables, values, keys):
    """The relations the page publishes, and {virtual cell: value} of the never-shown
    remainders they involve."""
    relations, virtual = [], {}
    by_key = {}
    for cell, key in keys.items():
        by_key.setdefault(key, []).append(cell)
    for cells in by_key.values():  # the same quantity shown twice
        relations += [[(a, 1), (b, -1)] for a, b in zip(cells, cells[1:])]
    for t in tables:
        indexed = list(t.indexed_rows())
        for c in t.counts:
            if t.total is not None and (t.key, TOTAL, c) in values:
                relations.append([((t.key, TOTAL, c), 1)] + [
                    ((t.key, r, c), -1) for r, _ in indexed if r != TOTAL])
            if t.row_groups and c in t.col_keys:
                groups = {}
                for r, _ in indexed:
                    group = t.total_group if r == TOTAL else t.row_groups[r]
                    groups.setdefault(_key(t.col_keys[c], group), []).append((t.key, r, c))
                for key, parts in groups.items():
                    for whole in by_key.get(key, [])[:1]:
                        rest = ("remainder", t.key, key)
                        virtual[rest] = values[whole] - sum(values.get(p, 0) for p in parts)
                        relations.append([(whole, 1), (rest, -1)] + [(p, -1) for p in parts])
        for whole, parts in t.row_sums.items():
            for r, _ in indexed:
                relations.append([((t.key, r, whole), 1)] + [((t.key, r, p), -1) for p in parts])
    # A relation over cells that are not counts of this page (a None) says nothing.
    return [rel for rel in relations if all(c in values or c in virtual for c, _ in rel)], virtual


def pinned(relations, unknown, order=repr):
    """The unknowns that the relations fix to a single value, whatever the values: x is fixed
    exactly when the unit vector of x lies in the row space of the relations restricted to
    the unknowns (known cells move to the constant side)."""
    rows = []
    for rel in relations:
        row = {}
        for cell, coef in rel:
            if cell in unknown:
                row[cell] = row.get(cell, 0) + coef
        row = {c: Fraction(v) for c, v in row.items() if v}
        if row:
            rows.append(row)
    basis = []  # (pivot, row), fully reduced: a pivot appears in its own row only
    for row in rows:
        for pivot, b in basis:
            row = _eliminate(row, pivot, b)
        if not row:
            continue
        pivot = min(row, key=order)
        inv = 1 / row[pivot]
        row = {c: v * inv for c, v in row.items()}
        basis = [(p, _eliminate(b, pivot, row)) for p, b in basis] + [(pivot, row)]
    return {p for p, b in basis if len(b) == 1}


def _eliminate(row, pivot, by):
    """``row`` less the multiple of ``by`` (whose ``pivot`` is 1) that clears ``pivot``."""
    if pivot not in row:
        return row
    f, out = row[pivot], dict(row)
    for c, v in by.items():
        out[c] = out.get(c, 0) - f * v
    return {c: v for c, v in out.items() if v}


def suppress(tables):
    """The set of cells to hide on this page (primary, then secondary until stable)."""
    values, keys = page_cells(tables)
    relations, virtual = page_relations(tables, values, keys)
    hidden = {cell for cell, v in values.items() if small(v)}
    protect = {cell for cell, v in virtual.items() if small(v)}
    # An empty remainder is what an attacker would guess (most people come through a unit),
    # and the guess would be right: it counts as known. Only one with people is unknown.
    virtual = {cell for cell, v in virtual.items() if v}
    def order(cell):
        # By what the cell counts, not where it sits: the same figures are hidden alike
        # when a row is added above them (a unit given a task), in every process.
        if cell in keys:
            return repr((cell[0], cell[1] == TOTAL, sorted(map(repr, keys[cell]))))
        return repr([repr(part) if not isinstance(part, frozenset) else sorted(map(repr, part))
                     for part in cell])

    touching = {}
    for i, rel in enumerate(relations):
        for cell, _ in rel:
            touching.setdefault(cell, []).append(i)
    while True:
        unknown = hidden | virtual
        exposed = pinned(relations, unknown, order) & (hidden | protect)
        if not exposed:
            return hidden
        added, settled = set(), set()
        for cell in sorted(exposed, key=order):
            if cell in settled:
                continue  # a complement chosen this round may already cover it
            chosen = _complement(cell, relations, touching, values, unknown | added, order)
            # What the choice hides, and what it may already cover, waits for the next round.
            added |= chosen
            settled |= {c for t in chosen | {cell} for i in touching.get(t, ())
                        for c, _ in relations[i]}
        if not added - hidden:  # cannot happen with relations true of the data; never loop forever
            return hidden | {c for rel in relations for c, _ in rel if c in values}
        hidden |= added


def _complement(cell, relations, touching, values, unknown, order):
    """The shown cell in the relations around ``cell`` (reached through unknowns) whose
    hiding gives the attacker one more unknown where it is needed at the least cost, with
    its twins (the same quantity elsewhere on the page, hidden with it). Empty: none."""
    seen, todo, candidates = {cell}, [cell], set()
    while todo:
        for i in touching.get(todo.pop(), ()):
            for other, _ in relations[i]:
                if other in seen:
                    continue
                seen.add(other)
                if other in unknown:
                    todo.append(other)
                elif values.get(other):
                    # Never a zero: an attacker guesses an empty unit or stage and is right,
                    # so a hidden zero protects nothing; and a row of zeros (a unit with only
                    # a task) then changes nothing in what the rest of the page hides.
                    candidates.add(other)
        if candidates:
            break  # the nearest ring of shown cells
    if not candidates:
        return set()

    def twins_of(c):
        twins, todo = {c}, [c]
        while todo:
            for i in touching.get(todo.pop(), ()):
                if len(relations[i]) == 2:
                    for other, _ in relations[i]:
                        if other not in twins and other not in unknown:
                            twins.add(other)
                            todo.append(other)
        return twins

    def forced(c):
        # Every relation left with a single unknown once c and its twins are hidden forces
        # one more cell (a city's only unit, a column whose 合计 is the funnel's figure).
        twins = twins_of(c)
        after = unknown | twins
        return sum(1 for i in {i for t in twins for i in touching.get(t, ())}
                   if len(relations[i]) > 2
                   and sum(o in after for o, _ in relations[i]) == 1)

    # Cheapest, then smallest; a body cell before a 合计 (the page's main figures).
    return twins_of(min(candidates,
                        key=lambda c: (forced(c), values[c], c[1] == TOTAL, order(c))))
