"""Reading the records an API call names, in one query."""


def existing(model, record_ids):
    """``model.browse(record_ids).exists()`` with the records' fields read in the same query.

    ``record_ids``: one id or a list of them. As ``exists()``: neither record rules nor ``active`` hide
    them; the caller checks access. The fields are those a first read would prefetch, so the call's
    later reads need no other query.
    """
    ids = list(record_ids) if isinstance(record_ids, (list, tuple)) else [record_ids]
    found = model.sudo().with_context(active_test=False).search_fetch([("id", "in", ids)], prefetched(model))
    return found.with_env(model.env)


def prefetched(model):
    """The fields a first read of ``model`` fetches together: a search can fetch them at once."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.prefetch is True and field.is_accessible(model.env)
    ]
