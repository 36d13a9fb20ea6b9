from datetime import timedelta

from freezegun import freeze_time

from .common import T0, AttributionCase, orm_reads


class TestAttributionQueries(AttributionCase):
    """Issue 12: ``attribution`` reads each table once for the whole batch, with the fields its verdicts read."""

    def test_attribution_of_many_reads_each_table_once(self):
        """PR-1, PR-3, ID-3: customers held, in the pool and in a household are explained with one read of
        their files, one of their protections, one of their households' members and one of the holders'
        names, however many they are."""
        self.make_roster([self.li, self.wang])
        held = [self.register(at=T0 + timedelta(minutes=n), phone="1381234%04d" % n)["lead_id"] for n in range(4)]
        Lead = self.env["crm.lead"].with_user(self.manager)
        child = Lead.create({"name": "王小明", "team_id": self.team.id, "phone": "13600002222"})
        sister = Lead.create({"name": "王芳", "team_id": self.team.id, "phone": "13600003333"})
        self.env["real.estate.household"].with_user(self.manager).create(
            {
                "name": "王家",
                "team_id": self.team.id,
                "member_ids": [
                    (0, 0, {"lead_id": held[0], "relation": "head"}),
                    (0, 0, {"lead_id": child.id, "relation": "child"}),
                    (0, 0, {"lead_id": sister.id, "relation": "sibling"}),
                ],
            }
        )
        leads = Lead.browse([*held, child.id, sister.id])
        self.env.invalidate_all()
        with freeze_time(T0 + timedelta(hours=1)), orm_reads() as tables:
            answers = leads.attribution()
        by_lead = {answer["lead_id"]: answer for answer in answers}
        self.assertEqual(by_lead[child.id]["rule"], "ID-3")
        self.assertEqual(by_lead[child.id]["owner_user_id"], by_lead[held[0]]["owner_user_id"])
        self.assertFalse(by_lead[sister.id]["owner_user_id"])  # siblings count only if the office says so
        self.assertTrue(all(by_lead[lead_id]["owner_user_id"] for lead_id in held))
        self.assertTrue(all(answer["explanation"] for answer in answers))
        self.assertEqual(tables["crm_lead"], 1, tables)
        self.assertEqual(tables["real_estate_protection"], 1, tables)
        self.assertLessEqual(tables["real_estate_household_member"], 2, tables)
        self.assertLessEqual(tables["res_users"], 2, tables)  # the holders, and the caller's own record
        self.assertEqual(tables["res_partner"], 1, tables)
