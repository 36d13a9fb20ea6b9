from odoo import api, models

from ..tools import identity

#: Who reads every full number of their offices (ID-2): the office's managers and the data imports.
FULL_NUMBER_GROUPS = ("real_estate_attribution.group_site_manager", "real_estate_attribution.group_data_import")


class RealEstatePrivateNumber(models.AbstractModel):
    """A customer's mobile number is personal information (ID-2, China's personal-information law).

    A model lists the fields holding full numbers in ``_private_number_fields``; whoever is not the
    customer's holder, an office manager or the data-import group reads them masked (前三后四) in every
    read, list, form, export and chatter tracking. Searching by a full number still finds the record.
    """

    _name = "real.estate.private.number"
    _description = "Customers' Private Numbers"

    _private_number_fields = ()

    @api.model
    def _reads_every_full_number(self):
        user = self.env.user
        return self.env.su or any(user.has_group(group) for group in FULL_NUMBER_GROUPS)

    def _private_number_holder(self):
        """The user who holds the customer this record is about (the one consultant who reads the number)."""
        return self.env["res.users"]

    def _private_number_applies(self):
        """Whether this record's numbers are an office customer's (other records are left as stock has them)."""
        return True

    def _private_number_masked_ids(self):
        """Ids of the records whose numbers the current user reads masked."""
        if not self._private_number_fields or self._reads_every_full_number():
            return set()
        records = self.sudo()
        return {
            record.id
            for record in records
            if record._private_number_applies() and record._private_number_holder() != self.env.user
        }

    def _read_format(self, fnames, load="_classic_read"):
        result = super()._read_format(fnames, load=load)
        private = [name for name in fnames if name in self._private_number_fields]
        if private and result:
            masked = self.browse([values["id"] for values in result])._private_number_masked_ids()
            for values in result:
                if values["id"] in masked:
                    for name in private:
                        if isinstance(values.get(name), str):
                            values[name] = identity.mask_number(values[name])
        return result

    def export_data(self, fields_to_export):
        """Exports carry full numbers for those who read every full number; masked for anyone else."""
        result = super().export_data(fields_to_export)
        if self._reads_every_full_number():
            return result
        columns = [
            index
            for index, path in enumerate(fields_to_export)
            if path.replace(".", "/").split("/")[-1] in self._private_number_columns(path)
        ]
        for row in result["datas"]:
            for index in columns:
                if isinstance(row[index], str) and row[index]:
                    row[index] = identity.mask_number(row[index])
        return result

    @api.model
    def _private_number_columns(self, path):
        """The private fields of the model a path of an export ends on."""
        model = self
        for name in path.replace(".", "/").split("/")[:-1]:
            field = model._fields.get(name)
            if not field or not field.relational:
                return ()
            model = self.env[field.comodel_name]
        return getattr(model, "_private_number_fields", ())
