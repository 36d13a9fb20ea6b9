from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.models import NewId


class RealEstateApiIds(models.AbstractModel):
    """The records an XML-RPC call names are given by their ids: positive integers, nothing else.

    Odoo's RPC layer browses whatever a caller sends as ids (strings, booleans, None, zero,
    dictionaries) and the first query fails with a traceback. A model with this mixin refuses
    such ids at once with a ValidationError, before any method of the model runs.

    A caller's ids arrive as a list (or a single value); the ORM's own browses of empty
    many2one values (``None``) come as generators and tuples, and keep working.
    """

    _name = "real.estate.api.ids"
    _description = "Checked Record Ids"

    def browse(self, ids=None):
        try:
            records = super().browse(ids)
        except TypeError:
            records = None
        from_caller = isinstance(ids, (list, str, bool, int, float, dict))
        if records is None or not all(_is_record_id(record_id, from_caller) for record_id in records._ids):
            raise ValidationError(self.env._("Give the records as a list of their positive integer ids."))
        return records

    def ensure_one(self):
        """A button of one record called on several (or none) is refused cleanly, not with a ValueError."""
        if len(self._ids) != 1:
            raise ValidationError(self.env._("This applies to exactly one record."))
        return self

    @api.model
    def _check_vals_list(self, vals_list):
        """A create receives a dictionary of values, or a list of them."""
        if not isinstance(vals_list, list) or not all(isinstance(vals, dict) for vals in vals_list):
            raise ValidationError(self.env._("Expected a dictionary of field values."))


def _is_record_id(record_id, from_caller):
    """A positive integer or a new record's id; the ORM itself also browses empty values (None, False)."""
    if record_id.__class__ is int:
        return record_id > 0
    if isinstance(record_id, NewId):
        return True
    return not from_caller and (record_id is None or record_id is False)
