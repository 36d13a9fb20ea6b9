from odoo.exceptions import ValidationError

from .common import AttributionCase


class TestChineseExplanations(AttributionCase):
    """Explanations and errors read in the user's language (English and Chinese)."""

    def test_explanation_follows_the_reader_language(self):
        """RO-1: the same decision explained in English and in Chinese."""
        result = self.register()
        visit = self.Visit.browse(result["visit_id"])
        english = visit.with_context(lang="en_US").explanation
        chinese = visit.with_context(lang="zh_CN").explanation
        self.assertIn("duty rotation (RO-1)", english)
        self.assertIn("RO-1", chinese)
        self.assertIn("轮排", chinese)
        self.assertNotIn("duty rotation", chinese)

    def test_errors_in_chinese(self):
        """ID-1: a malformed number is refused in the user's language."""
        with self.assertRaisesRegex(ValidationError, "不是有效的手机号码"):
            self.Visit.with_context(lang="zh_CN").with_user(self.li).register(
                {"team_id": self.team.id, "customer_name": "王伟", "phone": "12345"}
            )
