from datetime import timedelta

from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..tools.engine import as_system
from ..tools.i18n import html_lines, lines_in_both

#: The deal flow writes as the engine: under sudo, with the engine's flag (tools/engine.py).
ENGINE = {"attribution_engine": True}


class RuleUnit(models.AbstractModel):
    """Rule family UC: units, reservation control (销控) and deals, UC-1 to UC-6 (with CS-8, CS-15).

    Every change of a unit goes through these methods, under the unit's lock, so that two holds or two
    deposits of one unit are decided one after the other: the first deposit wins (CS-15, UC-5), and the
    database refuses a second live deal or a second open hold of a unit (unique partial indexes).
    """

    _name = "real.estate.rule.unit"
    _description = "Ownership Rules: Units and Deals (UC)"

    # ------------------------------------------------------------------
    # Reservation (UC-2, UC-3)
    # ------------------------------------------------------------------
    @api.model
    def _reserve_unit(self, values):
        """UC-2: a consultant requests a hold for their own customer; the sales manager holds the unit once
        the customer handed over the subscription money or an original ID."""
        unit, lead, at = values["unit"], values["lead"], values["at"]
        self._lock_unit(unit, at)
        if unit.state != "available" or unit.reservation_id:
            raise UserError(self.env._("%(unit)s is not available: it cannot be held (UC-2).", unit=unit.name))
        owner = self._deal_customer_owner(unit, lead)
        controller = unit._may_control_units()
        if not controller and owner != self.env.user:
            raise AccessError(self.env._("A consultant requests holds for their own customers only (UC-2)."))
        hours = unit.team_id.unit_hold_hours
        vals = {
            "unit_id": unit.id,
            "lead_id": lead.id,
            "user_id": owner.id,
            "requested_by": self.env.uid,
            "requested_at": at,
            "note": values.get("note") or False,
            "hold_until": at + timedelta(hours=hours),
            "state": "requested",
        }
        if controller and values.get("handed_over"):
            vals.update(state="held", handed_over=values["handed_over"], confirmed_by=self.env.uid, confirmed_at=at)
        Reservation = self.env["real.estate.reservation"].sudo().with_context(**ENGINE)
        Reservation.flush_model()  # a hold ended in this transaction leaves the unit's one open hold free
        reservation = Reservation.create(vals)
        unit_values = {"reservation_id": reservation.id}
        if reservation.state == "held":
            unit_values.update(state="reserved", lead_id=lead.id, user_id=owner.id)
        self._write_unit(unit, unit_values)
        if reservation.state == "requested":
            self._ask_controllers(reservation)
        self._note(
            (unit, lead),
            lambda env: env._(
                "%(unit)s: a hold for %(customer)s (%(consultant)s) until %(until)s: %(state)s (UC-2, UC-3).",
                unit=unit.name,
                state=dict(reservation._fields["state"]._description_selection(env))[reservation.state],
                customer=lead.name,
                consultant=owner.name,
                until=self._unit_moment(unit.team_id, reservation.hold_until),
            ),
        )
        return reservation

    @api.model
    def _confirm_reservation(self, reservation, handed_over, at):
        """UC-2: the sales manager confirms a requested hold once the customer handed something over."""
        unit = reservation.unit_id
        self._lock_unit(unit, at)
        if reservation.state != "requested":
            raise UserError(self.env._("%(name)s is not a request waiting for confirmation.", name=reservation.name))
        if not handed_over:
            raise UserError(
                self.env._(
                    "A unit is held only once the customer handed over the subscription money or an original ID "
                    "(UC-2): say which."
                )
            )
        reservation.sudo().with_context(**ENGINE).write(
            {
                "state": "held",
                "handed_over": handed_over,
                "confirmed_by": self.env.uid,
                "confirmed_at": at,
                "hold_until": at + timedelta(hours=unit.team_id.unit_hold_hours),
            }
        )
        self._write_unit(
            unit, {"state": "reserved", "lead_id": reservation.lead_id.id, "user_id": reservation.user_id.id}
        )
        reservation.sudo().activity_ids.action_feedback()
        self._note(
            (unit, reservation.lead_id),
            lambda env: env._(
                "%(unit)s held for %(customer)s until %(until)s (UC-2, UC-3).",
                unit=unit.name,
                customer=reservation.lead_id.name,
                until=self._unit_moment(unit.team_id, reservation.hold_until),
            ),
        )
        return reservation

    @api.model
    def _release_reservation(self, reservation, at, reason, state=None):
        """UC-2, UC-3: a hold ends without a deposit (released, expired) or a request is refused."""
        if reservation.state not in ("requested", "held"):
            raise UserError(self.env._("%(name)s is no longer open.", name=reservation.name))
        unit = reservation.unit_id
        self._lock_unit(unit)
        state = state or ("released" if reservation.state == "held" else "refused")
        reservation.sudo().with_context(**ENGINE).write(
            {"state": state, "ended_by": self.env.uid, "ended_at": at, "end_reason": reason}
        )
        reservation.sudo().activity_ids.unlink()
        if unit.reservation_id == reservation and not unit.subscription_id:
            self._write_unit(unit, {"state": "available", "reservation_id": False, "lead_id": False, "user_id": False})
        self._note(
            (unit, reservation.lead_id),
            lambda env: env._(
                "%(unit)s: the hold for %(customer)s ended (%(state)s): %(reason)s (UC-2, UC-3).",
                unit=unit.name,
                customer=reservation.lead_id.name,
                state=dict(reservation._fields["state"]._description_selection(env))[state],
                reason=reason,
            ),
        )
        return reservation

    @api.model
    def _expire_reservations(self, now):
        """UC-3: the holds and requests whose hold time passed without a deposit are released."""
        lapsed = (
            self.env["real.estate.reservation"]
            .sudo()
            .search([("state", "in", ("requested", "held")), ("hold_until", "<", now)], order="hold_until, id")
        )
        for reservation in lapsed:
            self._release_reservation(
                reservation, now, self.env._("the hold time passed without a deposit"), state="expired"
            )
        return lapsed

    # ------------------------------------------------------------------
    # Subscription and signing (UC-4, UC-5, UC-6, CS-15)
    # ------------------------------------------------------------------
    @api.model
    def _subscribe_unit(self, values):
        """UC-4, UC-5, CS-15: the first deposit subscribes the unit; below the office's minimum it waits for
        the sales manager's approval; taken without a confirmed hold, it is flagged (UC-6)."""
        unit, at, amount = values["unit"], values["at"], values.get("amount")
        self._lock_unit(unit, at)
        if unit.subscription_id:
            raise UserError(
                self.env._(
                    "%(unit)s was subscribed first, on %(date)s: the first deposit wins (CS-15, UC-5). A unit "
                    "sold twice by mistake is a CS-8 dispute.",
                    unit=unit.name,
                    date=self._unit_moment(unit.team_id, unit.subscription_id.subscribed_at),
                )
            )
        if not amount:
            raise UserError(self.env._("Record the deposit's amount (UC-4)."))
        reservation = unit.reservation_id
        if reservation.state == "requested":
            raise UserError(
                self.env._(
                    "The hold of %(unit)s for %(customer)s waits for confirmation: confirm or refuse it first (UC-2).",
                    unit=unit.name,
                    customer=reservation.lead_id.name,
                )
            )
        lead = values.get("lead") or reservation.lead_id
        if reservation and lead != reservation.lead_id:
            raise UserError(
                self.env._(
                    "%(unit)s is held for another customer until %(until)s (UC-2).",
                    unit=unit.name,
                    until=self._unit_moment(unit.team_id, reservation.hold_until),
                )
            )
        owner = self._deal_customer_owner(unit, lead)
        below = amount < unit.team_id.deposit_minimum
        Subscription = self.env["real.estate.subscription"].sudo().with_context(**ENGINE)
        Subscription.flush_model()  # a deal cancelled in this transaction leaves the unit's one live deal free
        subscription = Subscription.create(
            {
                "unit_id": unit.id,
                "lead_id": lead.id,
                "user_id": owner.id,
                "reservation_id": reservation.id or False,
                "without_reservation": not reservation,
                "state": "to_approve" if below else "subscribed",
                "amount": amount,
                "payment_ref": values.get("payment_ref") or False,
                "subscribed_at": at,
                "recorded_by": self.env.uid,
            }
        )
        if reservation:
            reservation.sudo().with_context(**ENGINE).write(
                {"state": "subscribed", "ended_at": at, "ended_by": self.env.uid, "subscription_id": subscription.id}
            )
        self._write_unit(
            unit,
            {
                "state": "reserved" if below else "subscribed",
                "subscription_id": subscription.id,
                "reservation_id": False,
                "lead_id": lead.id,
                "user_id": owner.id,
            },
        )
        lead.sudo().with_context(**ENGINE).write({"unit_ref": unit.name, "deposit_at": at})
        self._announce_subscription(subscription, below)
        return subscription

    @api.model
    def _announce_subscription(self, subscription, below):
        unit, lead = subscription.unit_id, subscription.lead_id
        self._note(
            (unit, lead, subscription),
            lambda env: env._(
                "%(unit)s subscribed by %(customer)s: deposit %(amount)s recorded on %(date)s (UC-4, UC-5).",
                unit=unit.name,
                customer=lead.name,
                amount="%.2f" % subscription.amount,
                date=self._unit_moment(unit.team_id, subscription.subscribed_at),
            ),
        )
        if below:
            self._ask_controllers(
                subscription,
                lambda env: env._(
                    "Approve a deposit below the minimum of %(minimum)s (UC-4)",
                    minimum="%.2f" % unit.team_id.deposit_minimum,
                ),
            )
        if subscription.without_reservation:
            self.env["real.estate.violation"]._propose(
                {
                    "team_id": unit.team_id.id,
                    "user_id": subscription.user_id.id,
                    "kind": "ds3_no_reservation",
                    "lead_id": lead.id,
                    "subscription_id": subscription.id,
                    "date": self._office_date(unit.team_id, subscription.subscribed_at),
                    "description": " / ".join(
                        lines_in_both(
                            self.env,
                            lambda env: env._(
                                "The deposit for %(unit)s was taken without a hold confirmed by the sales manager "
                                "(UC-6).",
                                unit=unit.name,
                            ),
                        )
                    ),
                }
            )
            self._note(
                (subscription, lead),
                lambda env: env._(
                    "UC-6: the deposit for %(unit)s was taken without a hold confirmed by the sales manager; "
                    "%(consultant)s bears the consequences.",
                    unit=unit.name,
                    consultant=subscription.user_id.name,
                ),
            )

    @api.model
    def _approve_subscription(self, subscription, at):
        """UC-4: the sales manager accepts a deposit below the office's minimum: the unit is subscribed."""
        unit = subscription.unit_id
        self._lock_unit(unit, at)
        if subscription.state != "to_approve":
            raise UserError(self.env._("%(name)s has no deposit waiting for approval.", name=subscription.name))
        subscription.sudo().with_context(**ENGINE).write(
            {"state": "subscribed", "approved_by": self.env.uid, "approved_at": at}
        )
        self._write_unit(unit, {"state": "subscribed"})
        subscription.sudo().activity_ids.filtered(lambda a: "UC-4" in (a.summary or "")).action_feedback()
        self._note(
            (unit, subscription),
            lambda env: env._(
                "The deposit for %(unit)s was approved by %(user)s (UC-4).", unit=unit.name, user=env.user.name
            ),
        )
        return subscription

    @api.model
    def _sign_unit(self, values):
        """UC-5, CC-2: the contract of a subscribed unit is signed: the deal is won on its contract amount,
        which credit splits and channel commission rest on."""
        unit, at, amount = values["unit"], values["at"], values.get("contract_amount")
        self._lock_unit(unit, at)
        subscription = unit.subscription_id
        if unit.state == "signed":
            raise UserError(self.env._("%(unit)s is already signed.", unit=unit.name))
        if not subscription or subscription.state != "subscribed":
            raise UserError(
                self.env._(
                    "%(unit)s has no approved subscription: record and approve the deposit first (UC-4, UC-5).",
                    unit=unit.name,
                )
            )
        if not amount:
            raise UserError(self.env._("Record the contract amount (CC-1)."))
        subscription.sudo().with_context(**ENGINE).write(
            {
                "state": "signed",
                "contract_amount": amount,
                "contract_ref": values.get("contract_ref") or False,
                "signed_at": at,
                "signed_by": self.env.uid,
            }
        )
        self._write_unit(unit, {"state": "signed"})
        self._win_deal(subscription, at)
        self._note(
            (unit, subscription),
            lambda env: env._(
                "%(unit)s signed by %(customer)s for %(amount)s (UC-5).",
                unit=unit.name,
                customer=subscription.lead_id.name,
                amount="%.2f" % amount,
            ),
        )
        return subscription

    @api.model
    def _win_deal(self, subscription, at):
        """The customer's deal is won at the signing, on the contract amount (CS-1 to CS-17, CC-1)."""
        lead = subscription.lead_id.sudo().with_context(**ENGINE)
        protection = lead.protection_id
        if protection and protection._state_at(at) == "active":
            self._convert_protection(protection, at)
        lead.write({"deal_amount": subscription.contract_amount, "unit_ref": subscription.unit_id.name})
        lead.action_set_won()
        lead.write({"date_closed": at})

    @api.model
    def _cancel_unit(self, values):
        """UC-1: a cancelled subscription returns the unit; the credit and the commission not yet settled are
        reversed, with an audit line. A unit only held is released."""
        unit, at = values["unit"], values["at"]
        reason = values.get("reason") or ""
        self._lock_unit(unit, at)
        if not reason:
            raise UserError(self.env._("Say why the deal or the hold is cancelled."))
        subscription = unit.subscription_id
        if not subscription:
            if unit.reservation_id:
                self._release_reservation(unit.reservation_id, at, reason)
                return unit
            raise UserError(self.env._("%(unit)s has no hold or deal to cancel.", unit=unit.name))
        was_signed = subscription.state == "signed"
        subscription.sudo().with_context(**ENGINE).write(
            {"state": "cancelled", "cancelled_at": at, "cancelled_by": self.env.uid, "cancel_reason": reason}
        )
        subscription.sudo().activity_ids.unlink()
        self._write_unit(
            unit,
            {
                "state": "available",
                "subscription_id": False,
                "reservation_id": False,
                "lead_id": False,
                "user_id": False,
            },
        )
        self._reverse_deal(subscription, at, reason, was_signed)
        return unit

    @api.model
    def _reverse_deal(self, subscription, at, reason, was_signed):
        """The customer's deal is undone: no unit, no deposit, no amount; a won deal reopens and its split goes
        (other addons reverse the commission not yet settled)."""
        lead = subscription.lead_id.sudo().with_context(**ENGINE)
        values = {"unit_ref": False, "deposit_at": False}
        if was_signed:
            values.update(deal_amount=0.0, stage_id=self._reopened_stage(lead).id, date_closed=False)
            lead.share_ids.unlink()
        lead.write(values)
        owner = self._owner(lead)
        self._audit(
            [
                {
                    "lead": lead,
                    "event": "cancel",
                    "rule": "UC-1",
                    "old_user": owner,
                    "new_user": owner,
                    "at": at,
                    "source": "deal",
                    "reason": "deal_cancelled",
                    "params": {
                        "unit": subscription.unit_id.name,
                        "amount": "%.2f" % (subscription.contract_amount or subscription.amount),
                        "note": reason,
                        "signed": was_signed,
                    },
                }
            ]
        )

    @api.model
    def _reopened_stage(self, lead):
        Stage = self.env["crm.stage"].sudo()
        domain = [("is_won", "=", False), "|", ("team_id", "=", False), ("team_id", "=", lead.team_id.id)]
        return Stage.search(domain, order="sequence desc, id desc", limit=1)

    @api.model
    def _open_double_sale(self, unit, lost_lead):
        """CS-8: the unit went to A's customer while C's customer was buying it: a dispute over A's deal, in
        C's name, both parties prefilled, for C to submit."""
        if not lost_lead or lost_lead == unit.lead_id or lost_lead.team_id != unit.team_id:
            raise UserError(self.env._("Name the customer another consultant lost (CS-8)."))
        claimant = self._owner(lost_lead)
        if not claimant or claimant == unit.user_id:
            raise UserError(
                self.env._(
                    "%(customer)s is held by no other consultant: nothing to split (CS-8).", customer=lost_lead.name
                )
            )
        dispute = (
            self.env["real.estate.dispute"]
            .sudo()
            .create(
                {
                    "team_id": unit.team_id.id,
                    "lead_id": unit.lead_id.id,
                    "claimant_user_id": claimant.id,
                    "related_lead_id": lost_lead.id,
                    "kind": "double_sale",
                    "statement": self.env._(
                        "Unit %(unit)s was sold to %(customer)s while %(lost)s was buying it: %(claimant)s lost the "
                        "customer (CS-8).",
                        unit=unit.name,
                        customer=unit.lead_id.name,
                        lost=lost_lead.name,
                        claimant=claimant.name,
                    ),
                }
            )
        )
        as_system(dispute).activity_schedule(
            "mail.mail_activity_data_todo",
            summary=" / ".join(lines_in_both(self.env, lambda env: env._("Submit the CS-8 claim"))),
            user_id=claimant.id,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "real.estate.dispute",
            "res_id": dispute.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _lock_unit(self, unit, at=None):
        """Serialise every decision on one unit; replayed history comes in time order."""
        self.env["real.estate.lock"]._acquire(unit.team_id, "unit:%s" % unit.id)
        if at is not None:
            last = unit.sudo()._last_event_at()
            if last and at < last:
                raise UserError(
                    self.env._(
                        "%(unit)s: history is replayed in time order; its last event was at %(last)s UTC.",
                        unit=unit.name,
                        last=last,
                    )
                )

    @api.model
    def _deal_customer_owner(self, unit, lead):
        """The customer of a hold or a deal is an open customer of the unit's office, held by a consultant."""
        if not lead:
            raise UserError(self.env._("Name the customer (lead_id)."))
        if lead.team_id != unit.team_id or not lead.team_id.is_sales_office:
            raise UserError(
                self.env._(
                    "%(customer)s is not a customer of %(office)s.", customer=lead.name, office=unit.team_id.name
                )
            )
        if lead.stage_id.is_won or not lead.active:
            raise UserError(self.env._("%(customer)s already bought or is archived.", customer=lead.name))
        owner = self._owner(lead)
        if not owner:
            raise UserError(
                self.env._(
                    "%(customer)s is held by no consultant: register their visit first (RO-1).", customer=lead.name
                )
            )
        return owner

    @api.model
    def _write_unit(self, unit, values):
        unit.sudo().with_context(unit_notified=False, **ENGINE).write(values)

    @api.model
    def _note(self, records, render):
        """A system line on each record's chatter, in English and Chinese."""
        body = html_lines(lines_in_both(self.env, render))
        for record in records:
            if record:
                as_system(record).message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _ask_controllers(self, record, render=None, site_manager=False):
        """A to-do for the office's sales managers (or its site manager) on ``record``."""
        team = record.team_id
        users = team.user_id
        if not site_manager:  # the office's sales managers (销控), or its site manager when it has none
            sales_managers = self.env.ref("real_estate_attribution.group_sales_manager").sudo().users
            users = (
                sales_managers.filtered(lambda user: not team.company_id or team.company_id in user.company_ids)
                or users
            )
        summary = (
            " / ".join(lines_in_both(self.env, render))
            if render
            else " / ".join(
                lines_in_both(
                    self.env, lambda env: env._("Confirm the hold of %(unit)s (UC-2)", unit=record.unit_id.name)
                )
            )
        )
        for user in users[:1]:
            as_system(record).activity_schedule("mail.mail_activity_data_todo", summary=summary[:250], user_id=user.id)

    @api.model
    def _unit_moment(self, team, moment):
        """A moment as the office's local time, for the chatter and errors."""
        return self._format_moment(moment, team.office_tz) if moment else ""
