from odoo import api, fields, models

from .pos_session_event import WORKED_IN_EVENTS


class ResUsers(models.Model):
    _inherit = "res.users"

    pos_visibility_restricted = fields.Boolean(
        compute="_compute_pos_visibility_restricted",
        help="Technical field used by the record rules: whether this user only "
        "sees their visible Points of Sale.",
    )

    pos_worked_session_ids = fields.Many2many(
        "pos.session",
        string="Sessions Worked In",
        compute="_compute_pos_worked_session_ids",
        help="Technical field used by the record rules: the sessions still open "
        "that this user opened, resumed or handed over to a colleague, whoever "
        "holds them now.",
    )

    pos_outside_session_ids = fields.Many2many(
        "pos.session",
        string="Sessions Outside Their Points of Sale",
        compute="_compute_pos_outside_session_ids",
        help="Technical field used by the record rules: the sessions still open "
        "on Points of Sale outside this user's visible list that they hold or "
        "worked in.",
    )

    @api.depends("pos_view_config_ids")
    def _compute_pos_visibility_restricted(self):
        for user in self:
            user.pos_visibility_restricted = (
                bool(user.pos_view_config_ids) and user._pos_restriction_applies()
            )

    def _compute_pos_worked_session_ids(self):
        # sudo: cashiers read neither the journal nor the sessions they lost
        events = self.env["pos.session.event"].sudo()
        for user in self:
            user.pos_worked_session_ids = events.search(
                [
                    ("user_id", "=", user.id),
                    ("event", "in", WORKED_IN_EVENTS),
                    ("session_id.state", "!=", "closed"),
                ]
            ).session_id

    def _pos_visibility_domain(self, register, session):
        """What this user sees of sessions, orders, payments and their analysis
        (record rules: ``pos_visible(register, session)``), whose fields
        ``register`` and ``session`` name the register and the session: the
        visible registers', and those of the sessions they hold or worked in
        on other registers. Everything, unless their visibility is restricted.
        """
        self.ensure_one()
        if not self.pos_visibility_restricted:
            return []
        visible = self.pos_view_config_ids
        outside = self.pos_outside_session_ids
        if not outside:
            return [(register, "in", visible.ids)]
        # One condition on the register first, that PostgreSQL answers from an
        # index (a count, from the index alone); of the other registers, only
        # the records of those sessions. A record's register is its session's
        # (core computes an order's from its session).
        others = outside.config_id - visible
        return [
            (register, "in", (visible | others).ids),
            "|",
            (register, "not in", others.ids),
            (session, "in", outside.ids),
        ]

    def _compute_pos_outside_session_ids(self):
        # sudo: cashiers do not read the sessions of registers they lost
        sessions = self.env["pos.session"].sudo()
        for user in self:
            user.pos_outside_session_ids = sessions.search(
                [
                    ("config_id", "not in", user.pos_view_config_ids.ids),
                    ("state", "!=", "closed"),
                    "|",
                    ("user_id", "=", user.id),
                    ("id", "in", user.pos_worked_session_ids.ids),
                ]
            )
