from odoo.tests import tagged

from .common import ChannelCase


@tagged("post_install", "-at_install")
class TestAuditChainWithChannels(ChannelCase):
    """DI-3: the ownership log's hash chain covers the channels and survives this addon's install."""

    def setUp(self):
        super().setUp()
        self.Log = self.env["real.estate.ownership.log"].sudo()

    def test_di3_entries_sealed_before_the_channel_addon_still_verify(self):
        """DI-3: the demo offices' entries, sealed when only the attribution addon was installed, verify."""
        self.Log._seal()
        offices = self.Log.search([]).team_id
        self.assertTrue(offices, "the demo data logs ownership changes")
        for office in offices:
            result = self.Log._verify_chain(office)
            self.assertTrue(result["ok"], result["message"])

    def test_di3_an_entry_without_channel_hashes_as_without_the_addon(self):
        """DI-3: the channel columns count only when set, so adding them changed no earlier hash."""
        values = ["1", "2", "assign", "RO-1"]
        self.assertEqual(
            self.Log._chain_payload(values, [("old_channel_id", None), ("new_channel_id", None)]),
            self.Log._chain_payload(values, []),
        )
        self.assertNotEqual(
            self.Log._chain_payload(values, [("old_channel_id", None), ("new_channel_id", "7")]),
            self.Log._chain_payload(values, []),
        )

    def test_di3_a_channel_written_into_a_sealed_entry_breaks_the_chain(self):
        """DI-3: setting or clearing a channel on a sealed entry outside the rules is found."""
        lead = self.env["crm.lead"].browse(self.register()["lead_id"])
        self.env.flush_all()
        self.Log._seal(self.team.ids)
        entry = self.Log.search([("lead_id", "=", lead.id)], order="seal_seq", limit=1)
        self.assertTrue(self.Log._verify_chain(self.team)["ok"])
        self.env.cr.execute(
            "UPDATE real_estate_ownership_log SET new_channel_id = %s WHERE id = %s", [self.dist.id, entry.id]
        )
        result = self.Log._verify_chain(self.team)
        self.assertFalse(result["ok"])
        self.assertEqual(result["first_bad_id"], entry.id)
