from datetime import datetime

import pytz

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class ChannelPortal(CustomerPortal):
    """The agent portal (全民经纪): the channel's reports, the report form and the agent's signature (CH-7)."""

    def _report_channel(self):
        """The channel the current user is an agent of (empty for everyone else)."""
        return request.env.user.partner_id.sudo().channel_id

    def _report_tz(self):
        """The agent's time zone: the user's, else the browser's, else UTC."""
        tz = request.env.user.tz or request.cookies.get("tz")
        return tz if tz in pytz.all_timezones_set else "UTC"

    def _report_phone(self, report):
        """ID-2: the number as reported on the agent's own reports, masked on colleagues' reports."""
        return report.phone if report.agent_id == request.env.user.partner_id else report.phone_masked

    def _report_offices(self, channel):
        """CH-10: the sales offices covered by the channel's active agreements."""
        return channel.channel_agreement_ids.filtered(lambda a: a.state == "active").team_ids.sorted("name")

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        values["report_channel"] = self._report_channel()
        return values

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "report_count" in counters:
            channel = self._report_channel()
            Report = request.env["real.estate.report"]
            values["report_count"] = (
                Report.search_count([("channel_id", "=", channel.id)]) if channel and Report.has_access("read") else 0
            )
        return values

    # ------------------------------------------------------------------
    # List and form
    # ------------------------------------------------------------------
    @http.route(["/my/reports", "/my/reports/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_reports(self, page=1, **kw):
        channel = self._report_channel()
        if not channel:
            return request.redirect("/my")
        Report = request.env["real.estate.report"]
        domain = [("channel_id", "=", channel.id)]
        pager = portal_pager(url="/my/reports", total=Report.search_count(domain), page=page, step=self._items_per_page)
        reports = Report.search(domain, limit=self._items_per_page, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # found under the agent's access rules; read as superuser for the office's time zone and name
                "reports": reports.sudo(),
                "pager": pager,
                "page_name": "report",
                "default_url": "/my/reports",
                "report_phone": self._report_phone,
                "tz": self._report_tz(),
            }
        )
        return request.render("real_estate_channel.portal_my_reports", values)

    @http.route("/my/reports/new", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_report_new(self, **post):
        channel = self._report_channel()
        if not channel:
            return request.redirect("/my")
        error = ""
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    # as the agent, not sudo: access rules apply and the channel is the agent's own
                    result = request.env["real.estate.report"].submit(self._report_vals(post))
                return request.redirect("/my/reports/%s" % result["report_id"])
            except (UserError, ValidationError, AccessError) as e:
                error = e.args[0]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "report_new",
                "offices": self._report_offices(channel),
                "tz": self._report_tz(),
                "error": error,
                "form": post,
            }
        )
        return request.render("real_estate_channel.portal_report_form", values)

    def _report_vals(self, post):
        """``submit`` values from the form; the expected visit is entered in the agent's time zone."""
        try:
            team_id = int(post.get("team_id") or 0)
        except ValueError:
            team_id = 0
        if not team_id:
            raise UserError(request.env._("Choose the sales office."))
        try:
            local = datetime.fromisoformat(post.get("expected_visit") or "")
            expected = pytz.timezone(self._report_tz()).localize(local).astimezone(pytz.utc)
        except ValueError:
            raise UserError(request.env._("Enter the date and time of the expected visit.")) from None
        return {
            "team_id": team_id,
            "channel_id": self._report_channel().id,
            "agent_id": request.env.user.partner_id.id,
            "customer_name": post.get("customer_name") or "",
            "phone": post.get("phone") or "",
            "expected_visit": expected.strftime("%Y-%m-%d %H:%M:%S"),
        }

    # ------------------------------------------------------------------
    # Detail and signature
    # ------------------------------------------------------------------
    def _report_page(self, report_sudo, error=""):
        confirmation = report_sudo.confirmation_id
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "channel_report": report_sudo,
                "page_name": "report",
                "phone": self._report_phone(report_sudo),
                "tz": self._report_tz(),
                "error": error,
                "can_sign": confirmation.state == "pending"
                and not confirmation.agent_signed_at
                and confirmation._may_sign_as_agent(request.env.user),
                "can_list": confirmation.state == "pending" and confirmation._may_sign_as_agent(request.env.user),
            }
        )
        return request.render("real_estate_channel.portal_my_report", values)

    @http.route("/my/reports/<int:report_id>", type="http", auth="user", website=True)
    def portal_my_report(self, report_id, **kw):
        try:
            report_sudo = self._document_check_access("real.estate.report", report_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._report_page(report_sudo)

    @http.route("/my/reports/<int:report_id>/sign", type="http", auth="user", website=True, methods=["POST"])
    def portal_report_sign(self, report_id, **kw):
        """CH-7: the agent signs the visit confirmation."""
        try:
            report_sudo = self._document_check_access("real.estate.report", report_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_sudo.confirmation_id and not report_sudo.confirmation_id.agent_signed_at:
            confirmation = request.env["real.estate.visit.confirmation"].browse(report_sudo.confirmation_id.id)
            try:
                with request.env.cr.savepoint():
                    confirmation.action_sign_agent()
            except (UserError, AccessError) as e:
                return self._report_page(report_sudo, error=e.args[0])
        return request.redirect("/my/reports/%s" % report_id)

    @http.route("/my/reports/<int:report_id>/companion", type="http", auth="user", website=True, methods=["POST"])
    def portal_report_companion(self, report_id, **kw):
        """CH-15: the agent lists a new customer who came with the reported one, before the confirmation is
        complete; a mistyped mobile returns the page with the error and lists nothing."""
        try:
            report_sudo = self._document_check_access("real.estate.report", report_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        confirmation = report_sudo.confirmation_id
        if confirmation:
            try:
                with request.env.cr.savepoint():
                    request.env["real.estate.visit.companion"].create(
                        {
                            "confirmation_id": confirmation.id,
                            "name": (kw.get("companion_name") or "").strip(),
                            "phone": kw.get("companion_phone") or "",
                        }
                    )
            except (UserError, AccessError, ValidationError) as e:
                return self._report_page(report_sudo, error=e.args[0])
        return request.redirect("/my/reports/%s" % report_id)

    # ------------------------------------------------------------------
    # Claims on deposits (CH-18)
    # ------------------------------------------------------------------
    @http.route("/my/deposit-claims", type="http", auth="user", website=True)
    def portal_my_deposit_claims(self, **kw):
        """CH-18: the channel's claims on deposits and their decisions."""
        channel = self._report_channel()
        if not channel:
            return request.redirect("/my")
        claims = request.env["real.estate.deposit.claim"].search([("channel_id", "=", channel.id)])
        values = self._prepare_portal_layout_values()
        values.update({"claims": claims.sudo(), "page_name": "deposit_claim", "tz": self._report_tz()})
        return request.render("real_estate_channel.portal_my_deposit_claims", values)

    @http.route("/my/deposit-claims/new", type="http", auth="user", website=True, methods=["GET", "POST"])
    def portal_deposit_claim_new(self, **post):
        """CH-18: the agent claims a customer who paid a deposit without a report, with evidence; a refusal
        returns the form with what was entered."""
        channel = self._report_channel()
        if not channel:
            return request.redirect("/my")
        error = ""
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    request.env["real.estate.deposit.claim"].create(self._deposit_claim_vals(post, channel))
                return request.redirect("/my/deposit-claims")
            except (UserError, ValidationError, AccessError) as e:
                error = e.args[0]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "deposit_claim_new",
                "offices": self._report_offices(channel),
                "reports": request.env["real.estate.report"].search([("channel_id", "=", channel.id)], limit=200),
                "error": error,
                "form": post,
            }
        )
        return request.render("real_estate_channel.portal_deposit_claim_form", values)

    def _deposit_claim_vals(self, post, channel):
        """The claim's values from the form; the evidence files are uploaded as the agent's own."""
        try:
            team_id = int(post.get("team_id") or 0)
            report_id = int(post.get("report_id") or 0)
        except ValueError:
            team_id = report_id = 0
        if not team_id:
            raise UserError(request.env._("Choose the sales office."))
        files = request.httprequest.files.getlist("evidence_files")
        attachments = request.env["ir.attachment"].sudo()
        for upload in files:
            if upload and upload.filename:
                attachments |= attachments.create(
                    {"name": upload.filename, "raw": upload.read(), "res_model": "real.estate.deposit.claim"}
                )
        return {
            "team_id": team_id,
            "channel_id": channel.id,
            "agent_id": request.env.user.partner_id.id,
            "customer_name": (post.get("customer_name") or "").strip(),
            "phone": post.get("phone") or "",
            "report_id": report_id or False,
            "evidence": post.get("evidence") or "",
            "attachment_ids": [(6, 0, attachments.ids)],
        }
