"""Reading the records an API call names, and what its records need, in the fewest queries."""

#: What ``ir.sequence._next()`` reads of a sequence (a sequence by date ranges reads its ranges next).
SEQUENCE_FIELDS = (
    "implementation",
    "prefix",
    "suffix",
    "padding",
    "number_increment",
    "number_next",
    "use_date_range",
)


def existing(model, record_ids, field_names=None):
    """``model.browse(record_ids).exists()`` with the records' fields read in the same query.

    ``record_ids``: one id or a list of them. As ``exists()``: neither record rules nor ``active`` hide
    them; the caller checks access. The fields are ``field_names``, else those a first read would prefetch,
    so the call's later reads need no other query. A caller that names the few fields it reads spares
    building and decoding the others' columns; a field read beyond them costs one more query, never a wrong
    value (Odoo fetches it, with the other fields not read yet).
    """
    ids = list(record_ids) if isinstance(record_ids, (list, tuple)) else [record_ids]
    names = prefetched(model) if field_names is None else list(field_names)
    found = model.sudo().with_context(active_test=False).search_fetch([("id", "in", ids)], names)
    return found.with_env(model.env)


def prefetched(model):
    """The fields a first read of ``model`` fetches together: a search can fetch them at once."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.prefetch is True and field.is_accessible(model.env)
    ]


def accessible(model, field_names):
    """Those of ``field_names`` the environment's user may read (a field restricted to groups is left out, as a
    first read leaves it out)."""
    return [name for name in field_names if model._fields[name].is_accessible(model.env)]


def next_number(model, code, company):
    """``ir.sequence.next_by_code(code)`` for ``company`` (given, so that a caller making records in their
    office's company need not read the user's current one), with the sequence found and read in one query:
    the company's sequence first, else a shared one. ``False`` when no sequence has that code."""
    Sequence = model.env["ir.sequence"].sudo()
    sequence = Sequence.search_fetch(
        [("code", "=", code), ("company_id", "in", [company.id, False])],
        SEQUENCE_FIELDS,
        order="company_id",
        limit=1,
    )
    return sequence._next() if sequence else False


def office_company(team):
    """The company a record of the office ``team`` is made in: the office's own; else, as Odoo's defaults
    would take it, the user's current company, known without reading the user when they have only one
    company (Odoo caches each user's companies). Empty when only the user's record can tell."""
    if team.company_id:
        return team.company_id
    company_ids = team.env.user._get_company_ids()
    return team.env["res.company"].browse(company_ids if len(company_ids) == 1 else ())
