from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import format_datetime

from .pos_session_event_chain import HASHED_FIELDS

CHECK_BATCH_SIZE = 5000


class PosSessionEvent(models.Model):
    """The session journal's integrity report: every sealed entry checked
    against its hash and the chain, company by company."""

    _inherit = "pos.session.event"

    def action_check_journal_integrity(self):
        """Seal what waits to be, then check the chain of each company the user
        works in: a notification says "intact since", or which entry does not
        match, and opens it."""
        if not self.env.user.has_group("point_of_sale.group_pos_manager"):
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may check the session journal."
                )
            )
        companies = self.env.companies
        self._seal_pending_entries(companies.ids)
        # A transaction of its own: this request's began before the sealing, and
        # would not see it.
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)
            # sudo: the administrator checks every entry of their companies
            journal = env[self._name].sudo()
            reports = journal._journal_integrity_reports(companies.with_env(env))
            messages = [journal._journal_integrity_message(r) for r in reports]
            broken_ids = [r["broken_entry"].id for r in reports if r["broken_entry"]]
        params = {
            "title": self.env._("Session Journal"),
            "message": " ".join(messages),
            "type": "danger" if broken_ids else "success",
            "sticky": bool(broken_ids),
        }
        if broken_ids:
            action = self.env["ir.actions.act_window"]._for_xml_id(
                "pos_session_restriction.action_pos_session_event"
            )
            action.update(domain=[("id", "in", broken_ids)], context={})
            if len(broken_ids) == 1:
                action.update(
                    res_id=broken_ids[0], view_mode="form", views=[(False, "form")]
                )
            params["next"] = action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": params,
        }

    @api.model
    def _check_journal_integrity(self, companies=None):
        """The first sealed entry of each company's journal that does not match
        its chain, or nothing when every chain is intact. ``companies``: every
        company's when None. Entries not sealed yet are not checked."""
        broken = self.browse()
        for report in self._journal_integrity_reports(companies):
            broken |= report["broken_entry"]
        return broken

    @api.model
    def _journal_integrity_reports(self, companies=None):
        if companies is None:
            self.env.cr.execute("SELECT DISTINCT company_id FROM pos_session_event")
            companies = self.env["res.company"].browse(
                company_id for (company_id,) in self.env.cr.fetchall()
            )
        return [self._journal_integrity_report(company) for company in companies]

    @api.model
    def _journal_integrity_report(self, company):
        """Walk ``company``'s chain in order. The report: ``count`` entries
        found intact, from the ``first_entry`` to the ``last_entry``; the
        ``broken_entry`` where the chain breaks, with the ``reason`` (an entry
        ``missing`` before it, the entry ``unchained`` from the one before, or
        its content ``altered``); ``pending``, the entries not sealed yet."""
        report = {
            "company": company,
            "count": 0,
            "first_entry": self.browse(),
            "last_entry": self.browse(),
            "broken_entry": self.browse(),
            "reason": False,
            "pending": self.search_count(
                [("company_id", "=", company.id), ("chain_sequence", "=", False)]
            ),
        }
        sequence, previous_hash = 0, ""
        while True:
            entries = self.search_fetch(
                [("company_id", "=", company.id), ("chain_sequence", ">", sequence)],
                [*HASHED_FIELDS, "chain_sequence", "previous_hash", "hash"],
                order="chain_sequence",
                limit=CHECK_BATCH_SIZE,
            )
            if not entries:
                return report
            for entry in entries:
                if entry.chain_sequence != sequence + 1:
                    reason = "missing"
                elif (entry.previous_hash or "") != previous_hash:
                    reason = "unchained"
                elif entry.hash != entry._journal_hash(sequence + 1, previous_hash):
                    reason = "altered"
                else:
                    reason = False
                if reason:
                    report.update(broken_entry=entry, reason=reason)
                    return report
                report["count"] += 1
                report["first_entry"] = report["first_entry"] or entry
                report["last_entry"] = entry
                sequence, previous_hash = entry.chain_sequence, entry.hash
            self.invalidate_model()

    @api.model
    def _journal_integrity_message(self, report):
        """What ``report`` says, as a sentence for an administrator."""
        company = report["company"].name
        first, entry = report["first_entry"], report["broken_entry"]
        if entry:
            reason = {
                "missing": self.env._(
                    "the entry before it (number %(number)s) was deleted",
                    number=entry.chain_sequence - 1,
                ),
                "unchained": self.env._(
                    "it no longer follows the entry before it, which was changed"
                ),
                "altered": self.env._("it was changed after it was recorded"),
            }[report["reason"]]
            message = self.env._(
                "%(company)s: entry number %(number)s (%(event)s by %(user)s on "
                "%(date)s) does not match: %(reason)s.",
                company=company,
                number=entry.chain_sequence,
                event=entry._fields["event"].convert_to_export(entry.event, entry),
                user=entry.user_id.name,
                date=format_datetime(self.env, entry.date),
                reason=reason,
            )
            if report["count"]:
                message += " " + self.env._(
                    "The chain is intact up to entry number %(number)s.",
                    number=report["last_entry"].chain_sequence,
                )
            return message
        if not first:
            message = self.env._("%(company)s: no entry yet.", company=company)
        else:
            message = self.env._(
                "%(company)s: the journal is intact since %(date)s, %(count)s entries.",
                company=company,
                date=format_datetime(self.env, first.date),
                count=report["count"],
            )
        if report["pending"]:
            message += " " + self.env._(
                "%(count)s more wait to be sealed.", count=report["pending"]
            )
        return message
