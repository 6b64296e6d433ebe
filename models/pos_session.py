from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..exceptions import PosSessionRestrictionError

# Writing these moves a session between states, registers or cashiers.
GUARDED_SESSION_FIELDS = {"state", "user_id", "config_id"}
# The journal's event for a session entering each of these states.
JOURNALED_STATES = {"opened": "started", "closed": "closed"}


class PosSession(models.Model):
    _inherit = "pos.session"

    # The single-session check and the POS rule look up a user's sessions that are
    # not closed: without this index PostgreSQL reads all of a user's past
    # sessions, or walks the whole table when that user holds many of them.
    _user_id_not_closed_idx = models.Index("(user_id) WHERE state != 'closed'")

    pos_event_count = fields.Integer(
        compute="_compute_pos_event_count", groups="point_of_sale.group_pos_manager"
    )

    pos_worked_in = fields.Boolean(
        compute="_compute_pos_worked_in",
        help="Technical field: whether the current user opened, resumed or "
        "received this session, as its journal says.",
    )

    def _compute_pos_event_count(self):
        counts = dict(
            self.env["pos.session.event"]._read_group(
                [("session_id", "in", self.ids)], ["session_id"], ["__count"]
            )
        )
        for session in self:
            session.pos_event_count = counts.get(session, 0)

    @api.depends_context("uid")
    def _compute_pos_worked_in(self):
        worked_in = self.env["pos.session.event"]._worked_in_sessions(
            self.env.user, self
        )
        for session in self:
            session.pos_worked_in = session in worked_in

    @api.model_create_multi
    def create(self, vals_list):
        context = self.env.context
        for vals in vals_list:
            self._check_pos_rescue_flag(vals)
            config_id = vals.get("config_id") or context.get("default_config_id")
            if config_id:
                self._pos_lock_config_opening(config_id)
                user_id = vals.get("user_id") or context.get("default_user_id")
                self.env.user._check_pos_session_opening(
                    self.env["pos.config"].browse(config_id),
                    self.env["res.users"].browse(user_id or self.env.uid),
                    "open",
                )
        sessions = self
        if self.env.user._pos_restriction_applies():
            # This key skips core's one-session-per-register check.
            sessions = self.with_context(onboarding_creation=False)
        sessions = super(PosSession, sessions).create(vals_list)
        self.env["pos.session.event"]._record("opened", sessions)
        self.env["pos.approval.grant"]._bind_opened_sessions(sessions)
        return sessions

    def write(self, vals):
        self._check_pos_rescue_flag(vals)
        handed_over, receiver = self._pos_handed_over(vals)
        if "config_id" in vals or (
            GUARDED_SESSION_FIELDS & vals.keys() and not handed_over
        ):
            self._check_pos_restriction("operate")
            if {"user_id", "config_id"} & vals.keys():
                self._check_pos_restriction_reassignment(vals)
        elif handed_over:
            if "state" in vals:
                self._check_pos_restriction("operate")
            # Writing the cashier of a session hands it over: one policy decides.
            for session in handed_over:
                self.env.user._check_pos_hand_over(session, receiver)
        givers = {session: session.user_id for session in handed_over}
        event = JOURNALED_STATES.get(vals.get("state"))
        entering = event and self.filtered(lambda s: s.state != vals["state"])
        res = super().write(vals)
        if entering:
            self.env["pos.session.event"]._record(event, entering)
        for session, giver in givers.items():
            session._pos_record_hand_over(giver)
        return res

    def unlink(self):
        self.env["pos.session.event"]._record("discarded", self)
        return super().unlink()

    def action_view_pos_session_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_session_event"
        )
        action["domain"] = [("session_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_pos_hand_over(self):
        """The back office's *Hand Over*: pick the colleague who takes over."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Hand Over the Register"),
            "res_model": "pos.session.hand.over",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    def action_pos_session_open(self):
        self._check_pos_restriction("start")
        return super().action_pos_session_open()

    def _set_opening_control_data(self, cashbox_value, notes):
        self._check_pos_restriction("start")
        return super()._set_opening_control_data(cashbox_value, notes)

    def get_closing_control_data(self):
        self._check_pos_restriction("close")
        return super().get_closing_control_data()

    def update_closing_control_state_session(self, notes):
        self._check_pos_restriction("close")
        return super().update_closing_control_state_session(notes)

    def post_closing_cash_details(self, counted_cash):
        self._check_pos_restriction("close")
        return super().post_closing_cash_details(counted_cash)

    def close_session_from_ui(self, bank_payment_method_diff_pairs=None):
        self._check_pos_restriction("close")
        return super().close_session_from_ui(bank_payment_method_diff_pairs)

    def action_pos_session_closing_control(self, *args, **kwargs):
        self._check_pos_restriction("close")
        return super().action_pos_session_closing_control(*args, **kwargs)

    def action_pos_session_validate(self, *args, **kwargs):
        self._check_pos_restriction("close")
        return super().action_pos_session_validate(*args, **kwargs)

    def action_pos_session_close(self, *args, **kwargs):
        self._check_pos_restriction("close")
        return super().action_pos_session_close(*args, **kwargs)

    def delete_opening_control_session(self):
        # Anyone may discard an unstarted session of their own: nothing is lost
        # (core refuses once it has orders), and a left-over one would block them.
        others = self.exists().filtered(lambda s: s.user_id != self.env.user)
        others._check_pos_restriction("close")
        return super().delete_opening_control_session()

    def try_cash_in_out(self, *args, **kwargs):
        self.env.user._check_pos_selling(self)
        return super().try_cash_in_out(*args, **kwargs)

    def delete_cash_in_out(self, *args, **kwargs):
        self.env.user._check_pos_selling(self)
        return super().delete_cash_in_out(*args, **kwargs)

    def pos_hand_over(self, user_id):
        """Hand this open session over to the user ``user_id``, who continues
        and closes it as their own. Done by the session's holder or a Point of
        Sale administrator; the receiver must pass the policy."""
        self.ensure_one()
        actor = self.env.user
        receiver = self.env["res.users"].browse(user_id).exists()
        if self.state == "closed":
            raise UserError(
                self.env._(
                    "The session %(session)s is closed: there is nothing to hand over.",
                    session=self._pos_restriction_label(),
                )
            )
        if self.user_id != actor and not actor._pos_is_pos_administrator():
            actor._pos_refuse(
                PosSessionRestrictionError(
                    self.env._(
                        "Only %(user)s, who holds the session %(session)s, or a "
                        "Point of Sale administrator can hand it over.",
                        user=self.user_id.name,
                        session=self._pos_restriction_label(),
                    ),
                    rule="foreign_session",
                ),
                "hand_over",
                self.config_id,
                self,
            )
        if not receiver or receiver == self.user_id:
            raise UserError(
                self.env._("Choose the colleague who takes the register over.")
            )
        if receiver not in self._pos_hand_over_candidates(check_policy=False):
            raise UserError(
                self.env._(
                    "%(user)s is not a Point of Sale user of %(company)s: they "
                    "cannot take the register over.",
                    user=receiver.name,
                    company=self.config_id.company_id.name,
                )
            )
        self.write({"user_id": receiver.id})
        return True

    def pos_hand_over_candidates(self):
        """Who the register can be handed over to: ids and names only."""
        self.ensure_one()
        return [
            {"id": user.id, "name": user.name}
            for user in self._pos_hand_over_candidates()
        ]

    def _pos_hand_over_candidates(self, check_policy=True):
        """The internal Point of Sale users of this session's company, other
        than its holder, who may operate its register (``check_policy``).
        The hand-over itself asks the policy again."""
        config = self.config_id
        # sudo: cashiers may not search users by group
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("share", "=", False),
                    ("company_ids", "in", config.company_id.id),
                    (
                        "all_group_ids",
                        "in",
                        self.env.ref("point_of_sale.group_pos_user").id,
                    ),
                    ("id", "!=", self.user_id.id),
                ],
                order="name, id",
            )
            .filtered(lambda user: not user._is_superuser())
        )
        if not check_policy:
            return users
        return users.filtered(
            lambda user: not user._pos_config_rule(config)
            and not (
                user._pos_restriction_applies()
                and user._pos_restriction_settings().single_session
                and user._pos_other_open_session(config, self)
            )
        )

    def _pos_handed_over(self, vals):
        """The sessions that writing ``vals`` hands over to another cashier,
        and that cashier."""
        if not vals.get("user_id"):
            return self.browse(), self.env["res.users"]
        receiver = self.env["res.users"].browse(vals["user_id"])
        return self.filtered(lambda session: session.user_id != receiver), receiver

    def _pos_record_hand_over(self, giver):
        """Journal that ``giver`` handed this session over: in the giver's
        name, who worked in it and may go on syncing what they sold."""
        self.ensure_one()
        note = self.env._(
            "From %(giver)s to %(receiver)s, by %(actor)s",
            giver=giver.name,
            receiver=self.user_id.name,
            actor=self.env.user.name,
        )
        self.env["pos.session.event"].with_user(giver)._record(
            "handed_over", self, note
        )

    def _check_pos_restriction(self, action):
        """Raise unless the current user may ``action`` every session of ``self``."""
        for session in self:
            self.env.user._check_pos_session_access(session, action)

    def _check_pos_restriction_reassignment(self, vals):
        for session in self:
            self.env.user._check_pos_session_opening(
                self.env["pos.config"].browse(
                    vals.get("config_id", session.config_id.id)
                ),
                self.env["res.users"].browse(vals.get("user_id", session.user_id.id)),
                "operate",
                session=session,
            )

    def _check_pos_rescue_flag(self, vals):
        """Recovery sessions escape both one-session checks, core's and ours:
        restricted users may not mark one."""
        if vals.get("rescue") and self.env.user._pos_restriction_applies():
            raise AccessError(
                self.env._(
                    "Only Point of Sale administrators may mark a session as a "
                    "recovery session."
                )
            )

    def _pos_lock_config_opening(self, config_id):
        """Serialise the openings of a register, as the user's are serialised
        for one open session (see res.users._pos_lock_session_opening): core's
        one-session-per-register check counts in a snapshot that cannot see a
        rival's new session, and only the /pos/ui route locks the register."""
        self.env.cr.execute(
            "UPDATE pos_config SET write_date = write_date WHERE id = %s", [config_id]
        )

    def _pos_restriction_label(self):
        """How a refusal names the session: its number once started."""
        self.ensure_one()
        return self.name if self.name != "/" else f"#{self.id}"
