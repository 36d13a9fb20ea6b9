"""Channel reports against the running server, over XML-RPC and HTTP (CH-4, CH-5, CH-7)."""

import io
import re
import subprocess
import tempfile
import unicodedata
import uuid
from datetime import datetime, timedelta

import requests
from PyPDF2 import PdfReader

import odoo


def _channel(admin, office, kind="distributor"):
    tag = uuid.uuid4().hex[:6]
    channel_id = admin("res.partner", "create", {"name": f"渠道{tag}", "is_company": True, "channel_kind": kind})
    agent_id = admin("res.partner", "create", {"name": f"经纪人{tag}", "parent_id": channel_id})
    admin(
        "real.estate.channel.agreement",
        "create",
        {
            "name": f"协议{tag}",
            "channel_id": channel_id,
            "team_ids": [(6, 0, [office["team_id"]])],
            "date_start": "2020-01-01",
        },
    )
    return channel_id, agent_id


def _utc(delta):
    return (datetime.utcnow() + delta).strftime("%Y-%m-%d %H:%M:%S")


def test_two_channels_report_one_customer_first_valid_second_rejected(admin, office, new_phone):
    """CH-4, CH-5: through the API, the first report is valid and the second protected_by_other."""
    first_channel, first_agent = _channel(admin, office)
    second_channel, second_agent = _channel(admin, office, "agency")
    phone = new_phone()
    vals = {
        "team_id": office["team_id"],
        "customer_name": "郑先生",
        "phone": phone,
        "expected_visit": _utc(timedelta(hours=3)),
    }
    first = admin("real.estate.report", "submit", dict(vals, channel_id=first_channel, agent_id=first_agent))
    second = admin("real.estate.report", "submit", dict(vals, channel_id=second_channel, agent_id=second_agent))
    assert (first["state"], first["reason_code"]) == ("valid", False)
    assert (second["state"], second["reason_code"]) == ("rejected", "protected_by_other")
    assert first["valid_until"] and second["valid_until"] is False
    zh = admin(
        "real.estate.report",
        "submit",
        dict(vals, channel_id=second_channel, agent_id=second_agent),
        context={"lang": "zh_CN"},
    )
    assert zh["reason_code"] == "protected_by_other"
    assert "CH-2" in zh["message"] and any("\u4e00" <= c <= "\u9fff" for c in zh["message"].replace("渠道", ""))


def test_channel_visit_pending_then_confirmed_and_pdf_prints(server, admin, office, new_phone, monkeypatch):
    """CH-7, CH-8: a channel visit returns no channel until confirmed; the confirmation prints as a PDF."""
    # Odoo answers HTML instead of PDF while its test flag is on; this request is served like production
    monkeypatch.setitem(odoo.tools.config.options, "test_enable", False)
    channel_id, agent_id = _channel(admin, office)
    admin("res.partner", "write", [agent_id], {"name": "周小杰"})
    phone = new_phone()
    report = admin(
        "real.estate.report",
        "submit",
        {
            "team_id": office["team_id"],
            "channel_id": channel_id,
            "agent_id": agent_id,
            "customer_name": "钱女士",
            "phone": phone,
            "expected_visit": _utc(timedelta(hours=1)),
        },
    )
    visit = admin(
        "real.estate.visit",
        "register",
        {
            "team_id": office["team_id"],
            "customer_name": "钱女士",
            "phone": phone,
            "report_id": report["report_id"],
        },
    )
    assert visit["owner_channel_id"] is False
    assert visit["rule"] == "CH-7"
    [confirmation_id] = admin("real.estate.visit.confirmation", "search", [("report_id", "=", report["report_id"])])

    # the confirmation prints, through wkhtmltopdf, for a logged-in manager; wkhtmltopdf loads the
    # styles from this server, not from the database's default address
    admin("ir.config_parameter", "set_param", "report.url", server.url)
    session = requests.Session()
    session.post(
        f"{server.url}/web/login",
        data={"login": "admin", "password": "admin", "csrf_token": _csrf(session, server)},
        timeout=30,
    )
    pdf = session.get(
        f"{server.url}/report/pdf/real_estate_channel.report_visit_confirmation/{confirmation_id}", timeout=120
    )
    assert pdf.status_code == 200, pdf.text[:500]
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 2, "one copy for the developer, one for the channel"
    text = _pdf_text(pdf.content)
    # the Chinese is printed (a CJK font is installed), not silently dropped
    assert text.count("钱女士") == 2, text
    assert "来访客户确认单" in text and "开发商存联" in text and "渠道存联" in text, text
    [company] = admin("res.company", "search_read", [], ["name"], limit=1)
    assert company["name"].split()[0] in text, "the company header is printed"
    # the signers' names (pdftotext reads the CJK font's text; the Latin font's glyphs carry no text map)
    assert "周小杰" in text, "the agent signs the confirmation: %s" % text
    [signers] = admin("real.estate.visit.confirmation", "read", [confirmation_id], ["consultant_id"])
    assert signers["consultant_id"][1].split()[0].rstrip("0123456789") in text
    assert "待签字" in text, "unsigned cells say the signature is awaited"

    imported = admin(
        "real.estate.visit",
        "register",
        {
            "team_id": office["team_id"],
            "customer_name": "孙先生",
            "phone": new_phone(),
            "confirmed": True,
            "report_id": admin(
                "real.estate.report",
                "submit",
                {
                    "team_id": office["team_id"],
                    "channel_id": channel_id,
                    "agent_id": agent_id,
                    "customer_name": "孙先生",
                    "phone": new_phone(),
                    "expected_visit": _utc(timedelta(hours=1)),
                },
            )["report_id"],
        },
    )
    assert imported["owner_channel_id"] is False or imported["owner_channel_id"] == channel_id


def _pdf_text(content):
    """The text of a PDF as pdftotext (poppler) reads it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        text = subprocess.run(
            ["pdftotext", "-layout", handle.name, "-"], capture_output=True, text=True, check=True
        ).stdout
    # CJK fonts map some glyphs to Kangxi radicals (⼥ for 女): read them as the characters they are
    return unicodedata.normalize("NFKC", text)


def _csrf(session, server):
    page = session.get(f"{server.url}/web/login", timeout=30).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
