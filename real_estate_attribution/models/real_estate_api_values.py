import math
from datetime import date, datetime

from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: The range a date typed by a person or sent by a system may fall in.
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: PostgreSQL integer range.
INT_LIMIT = 2**31 - 1
#: One2many / many2many commands and their arity (command, id, values).
X2MANY_COMMANDS = {0: 3, 1: 3, 2: 2, 3: 2, 4: 2, 5: 1, 6: 3}


class RealEstateApiValues(models.AbstractModel):
    """Values written by people and systems are checked before the ORM sees them.

    A create or write with an unknown field, a value of the wrong type or a date out of range is
    refused with a ValidationError that names the field, and writes nothing: no caller gets a traceback.
    """

    _name = "real.estate.api.values"
    _inherit = ["real.estate.api.ids"]
    _description = "Checked Values"

    @api.model_create_multi
    def create(self, vals_list):
        self._check_vals_list(vals_list)
        if not self.env.su:
            self.check_access("create")  # the access rights first: a refusal is an AccessError
            for vals in vals_list:
                self._check_api_values(vals)
                self._check_api_required(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.check_access("write")  # the access rights first: a refusal is an AccessError
            self._check_api_values(vals)
        return super().write(vals)

    @api.model
    def _check_api_values(self, vals):
        if not isinstance(vals, dict):
            raise ValidationError(self.env._("Expected a dictionary of field values."))
        for name, value in vals.items():
            field = self._fields.get(name) if isinstance(name, str) else None
            if field is None:
                raise ValidationError(self.env._("Unknown field: %(field)s.", field=str(name)[:80]))
            if field.required and field.type != "boolean" and (value is False or value is None):
                raise ValidationError(
                    self.env._("%(field)s is required.", field=field.get_description(self.env)["string"])
                )
            if not self._api_value_fits(field, value):
                raise ValidationError(
                    self.env._(
                        "%(field)s: %(value)s is not a valid value.",
                        field=field.get_description(self.env)["string"],
                        value=repr(value)[:80],
                    )
                )

    @api.model
    def _check_api_required(self, vals):
        """A record is created with every required field, given or by default (the database would refuse it
        with a traceback)."""
        values = self._add_missing_default_values(dict(vals))
        for name, field in self._fields.items():
            if field.required and field.store and not field.compute and field.type != "boolean":
                if values.get(name) in (None, False):
                    raise ValidationError(
                        self.env._("%(field)s is required.", field=field.get_description(self.env)["string"])
                    )

    @api.model
    def _api_value_fits(self, field, value):
        if value is False or value is None:
            return value is False if field.type == "boolean" else not field.required
        kind = field.type
        if kind == "many2one":
            return self._api_record_exists(field, value)
        if kind in ("char", "text", "html"):
            return isinstance(value, str) and len(value) <= 100_000
        if kind == "selection":
            return isinstance(value, str) and value in self._api_selection_keys(field)
        if kind == "boolean":
            return isinstance(value, bool)
        if kind == "integer":
            return isinstance(value, int) and not isinstance(value, bool) and -INT_LIMIT <= value <= INT_LIMIT
        if kind in ("float", "monetary"):
            return (
                isinstance(value, (int, float))
                and not isinstance(value, bool)
                and math.isfinite(value)
                and abs(value) < 1e15
            )
        if kind in ("date", "datetime"):
            return self._api_date_fits(field, value)
        if kind in ("one2many", "many2many"):
            return self._api_commands_fit(field, value)
        if kind == "json":
            return isinstance(value, (dict, list))
        return True

    @api.model
    def _api_record_exists(self, field, value):
        """A many2one names an existing record (the database would refuse it with a traceback)."""
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= INT_LIMIT:
            return False
        return bool(self.env[field.comodel_name].sudo().browse(value).exists())

    @api.model
    def _api_selection_keys(self, field):
        selection = field.selection
        if callable(selection) or isinstance(selection, str):
            return {key for key, _label in field._description_selection(self.env)}
        return {key for key, _label in selection}

    @api.model
    def _api_date_fits(self, field, value):
        if isinstance(value, str):
            try:
                value = (fields.Datetime.to_datetime if field.type == "datetime" else fields.Date.to_date)(value)
            except (ValueError, TypeError):
                return False
        return isinstance(value, (date, datetime)) and FIRST_YEAR <= value.year <= LAST_YEAR

    @api.model
    def _api_commands_fit(self, field, value):
        if not isinstance(value, (list, tuple)):
            return False
        comodel = self.env[field.comodel_name]
        for command in value:
            if isinstance(command, int) and not isinstance(command, bool) and field.type == "many2many":
                continue  # a plain list of ids
            if not isinstance(command, (list, tuple)) or not command:
                return False
            code = command[0]
            if not isinstance(code, int) or isinstance(code, bool) or code not in X2MANY_COMMANDS:
                return False
            if len(command) < X2MANY_COMMANDS[code]:
                return False
            if code in (1, 2, 3, 4) and (not isinstance(command[1], int) or isinstance(command[1], bool)):
                return False
            if code in (0, 1):
                if not isinstance(command[2], dict):
                    return False
                if hasattr(comodel, "_check_api_values"):
                    comodel._check_api_values(command[2])
            if code == 6 and not (
                isinstance(command[2], (list, tuple))
                and all(isinstance(i, int) and not isinstance(i, bool) for i in command[2])
            ):
                return False
        return True
