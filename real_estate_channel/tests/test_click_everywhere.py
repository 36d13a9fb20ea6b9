"""Odoo's own clickbot over every menu, view and filter of the Sales Office app, as each role, in both languages.

The clickbot (``web/static/src/webclient/clickbot``) opens each menu of the app, switches to each of
its views and applies each filter; a server error, an error dialog or a client error fails it.
"""

from odoo.tests import HttpCase, tagged

APP = "real_estate_attribution.menu_sales_office_root"
CLICKBOT = "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('%s');" % APP
#: The demo's user of each role (README): admin, consultant, team leader, site manager, sales manager, channel
#: manager, director.
ROLES = {
    "admin": "admin",
    "consultant": "lina",
    "team_leader": "sunli",
    "site_manager": "zhaomin",
    "sales_manager": "qianxiao",
    "channel_manager": "huangyong",
    "director": "zhouhong",
}


@tagged("post_install", "-at_install", "click_everywhere")
class TestClickEverywhere(HttpCase):
    allow_end_on_form = True

    def click_everywhere(self, role, lang):
        login = ROLES[role]
        user = self.env["res.users"].search([("login", "=", login)])
        self.assertTrue(user, "the demo user %s (%s) exists" % (login, role))
        user.lang = lang
        self.browser_js(
            "/odoo",
            CLICKBOT,
            "odoo.isReady === true",
            login=login,
            timeout=900,
            success_signal="clickbot test succeeded",
        )

    def test_admin_en(self):
        self.click_everywhere("admin", "en_US")

    def test_admin_zh(self):
        self.click_everywhere("admin", "zh_CN")

    def test_consultant_en(self):
        self.click_everywhere("consultant", "en_US")

    def test_consultant_zh(self):
        self.click_everywhere("consultant", "zh_CN")

    def test_team_leader_en(self):
        self.click_everywhere("team_leader", "en_US")

    def test_team_leader_zh(self):
        self.click_everywhere("team_leader", "zh_CN")

    def test_sales_manager_zh(self):
        """The sales manager (销控) works in Chinese: the units' screens and their own home."""
        self.click_everywhere("sales_manager", "zh_CN")

    def test_site_manager_en(self):
        self.click_everywhere("site_manager", "en_US")

    def test_site_manager_zh(self):
        self.click_everywhere("site_manager", "zh_CN")

    def test_channel_manager_en(self):
        self.click_everywhere("channel_manager", "en_US")

    def test_channel_manager_zh(self):
        self.click_everywhere("channel_manager", "zh_CN")

    def test_director_en(self):
        self.click_everywhere("director", "en_US")

    def test_director_zh(self):
        self.click_everywhere("director", "zh_CN")
