from odoo import api, fields, models

#: The office's fields of the ownership rules a report's decision reads besides this module's own settings
#: (ID-3's household rule among them).
REPORT_OFFICE_FIELDS = (
    "name",
    "active",
    "company_id",
    "is_sales_office",
    "office_tz",
    "phone_region",
    "launch_date",
    "household_includes_siblings",
)


class CrmTeam(models.Model):
    """Channel parameters of a sales office (CH-1 to CH-18), with the rulebook's defaults."""

    _inherit = "crm.team"

    report_phone_mode = fields.Selection(
        [("either", "Full or Masked"), ("full", "Full Numbers Only"), ("masked", "Masked Numbers Only")],
        string="Reported Numbers",
        default="either",
        required=True,
        help="ID-2: whether channel reports must carry full mobile numbers or masked ones (138****5678).",
    )
    report_lead_minutes = fields.Integer(
        string="Report Lead Time (minutes)",
        default=30,
        help="CH-1: a report must come at least this long before the expected arrival.",
    )
    report_validity_mode = fields.Selection(
        [("same_day", "Same Day"), ("hours", "Hours"), ("days", "Days")],
        string="Report Validity",
        default="same_day",
        required=True,
        help="CH-3: a report lapses when the customer has not visited by the end of the expected visit's "
        "day, or after the given number of hours or days.",
    )
    report_validity_amount = fields.Integer(
        string="Validity Amount",
        default=3,
        help="CH-3: the hours or days a report stays valid, when the validity is counted in hours or days.",
    )
    channel_protection_days = fields.Integer(
        string="Channel Protection (days)", default=30, help="CH-8: a confirmed channel visit protects this long."
    )
    reconfirm_window_days = fields.Integer(
        string="Re-confirmation Window (days)",
        default=7,
        help="CH-8: bringing the customer again this many days before expiry re-confirms the protection.",
    )
    confirmation_hours = fields.Integer(
        string="Confirmation Deadline (hours)",
        default=24,
        help="CH-7: a channel visit not signed by all three within this time after the visit stays natural.",
    )
    report_repeat_cap = fields.Integer(
        string="Reports per Customer and Channel",
        default=3,
        help="CH-6: how often one channel may report one customer.",
    )
    flag_min_reports = fields.Integer(
        string="Daily Reports before Review",
        default=10,
        help="CH-6: a channel with more reports than this in a day is reviewed.",
    )
    flag_min_visit_rate = fields.Integer(
        string="Minimum Visit Rate (%)",
        default=50,
        help="CH-6: under this share of visits, the channel is flagged and its contested reports of the day are void.",
    )
    preopening_validity_days = fields.Integer(
        string="Before the Opening: Report Valid (days after)",
        default=30,
        help="CH-16: a report made before the project's first opening (the office's First Opening) stays valid "
        "until this many days after the opening day, inclusive; after the opening, CH-3's validity applies.",
    )
    in_house_whole_period = fields.Boolean(
        string="In-house Channel Keeps for the Sales Period",
        default=True,
        help="CH-17: a customer the developer's own channel (自有渠道) brought in person stays the channel's for "
        "the whole sales period; when off, CH-12's period applies as for other canvassers.",
    )
    sales_period_end = fields.Date(
        help="CH-17: the end of the project's sales period (open-ended when empty).",
    )
    deposit_claim_days = fields.Integer(
        string="Claim on a Deposit (days)",
        default=3,
        help="CH-18: a customer who paid a deposit without any report may be claimed by a channel, with its formal "
        "report or evidence, within this many days of the deposit; a later claim is void.",
    )
    accompanied_protection_days = fields.Integer(
        string="Accompanied Visit Protection (days)",
        default=30,
        help="CH-12: a field canvasser who brings the customer in person protects them this long.",
    )

    _sql_constraints = [
        (
            "channel_periods_positive",
            "CHECK(channel_protection_days > 0 AND accompanied_protection_days > 0 AND report_repeat_cap > 0"
            " AND report_lead_minutes >= 0 AND reconfirm_window_days >= 0 AND preopening_validity_days >= 0"
            " AND flag_min_visit_rate BETWEEN 0 AND 100)",
            "Channel periods, caps and rates must be positive (rates between 0 and 100).",
        ),
    ]

    @api.model
    def _report_fields(self):
        """The office's fields a report's decision reads (CH-1 to CH-18): this module's settings and
        ``REPORT_OFFICE_FIELDS``. A submit reads the office with these only: a field read beyond them costs one
        more query, never a wrong value."""
        own = [
            name
            for name, field in self._fields.items()
            if field._module == "real_estate_channel" and field.store and field.prefetch is True
        ]
        return own + list(REPORT_OFFICE_FIELDS)
