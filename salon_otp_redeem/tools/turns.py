# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One request at a time per record, for the counts that limits read.

Odoo runs a request in one REPEATABLE READ transaction: it sees the database
as it was at its first query. A lock taken later (an advisory lock) makes
two requests wait for each other, but the second one still counts from its
old snapshot and misses what the first committed: four overrides pass a
daily limit of one. Writing the record instead makes the second writer fail
with a serialization error once the first commits; Odoo retries the whole
request, which then counts afresh.
"""

from odoo.tools import SQL


def take_turn(cr, records):
    """Write `records` (in id order, so two requests never wait on each other)."""
    if records:
        cr.execute(
            SQL(
                "UPDATE %s SET write_date = write_date WHERE id = ANY(%s)",
                SQL.identifier(records._table),
                sorted(records.ids),
            )
        )


def with_turns(*recordsets):
    """A WITH clause writing `recordsets` as `take_turn` does, for the one
    statement that then counts: the turns and the count in one round trip.

    A data-modifying WITH runs to its end even where the query it opens
    reads none of it, and the count still sees the transaction's snapshot:
    a writer that committed meanwhile makes the UPDATE fail as above. Two
    requests run the same statement, so they take the rows in the same order.
    """
    ctes = [
        SQL(
            "%s AS (UPDATE %s SET write_date = write_date WHERE id = ANY(%s) RETURNING id)",
            SQL.identifier(f"turn_{index}"),
            SQL.identifier(records._table),
            sorted(records.ids),
        )
        for index, records in enumerate(recordsets)
        if records
    ]
    return SQL("WITH %s", SQL(", ").join(ctes)) if ctes else SQL()
