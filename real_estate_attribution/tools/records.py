"""Reading one record an API call names, in one query."""


def existing(model, record_id):
    """``model.browse(record_id).exists()`` with the record's fields read in the same query.

    As ``exists()``: neither record rules nor ``active`` hide it; the caller checks access. The
    fields are those a first read would prefetch, so the call's later reads need no other query.
    """
    found = model.sudo().with_context(active_test=False).search_fetch([("id", "=", record_id)], prefetched(model))
    return found.with_env(model.env)


def prefetched(model):
    """The fields a first read of ``model`` fetches together: a search can fetch them at once."""
    return [
        name
        for name, field in model._fields.items()
        if field.store and field.prefetch is True and field.is_accessible(model.env)
    ]
