from odoo import models
from odoo.exceptions import UserError

from ..exceptions import PosSessionRestrictionError


class ResUsers(models.Model):
    _inherit = "res.users"

    def _check_pos_hand_over(self, session, receiver):
        """Raise unless this user may hand ``session`` over to ``receiver``:
        they hold it, take it over as the policy lets them operate it, or are
        not restricted (a Point of Sale administrator: DESIGN §7); and
        ``receiver`` may receive it (``_check_pos_receiver``).
        Every way of handing a session over asks this: ``pos_hand_over``,
        writing its cashier."""
        if session.state == "closed":
            raise UserError(
                self.env._(
                    "The session %(session)s is closed: there is nothing to hand over.",
                    session=session._pos_restriction_label(),
                )
            )
        self._check_pos("hand_over", session.config_id, session, receiver)
        self._check_pos_receiver(session.config_id, receiver, session)

    def _pos_hand_over_refusal(self, config, session, receiver):
        """The refusal this user meets handing ``session`` of ``config`` over
        to ``receiver``, if any: taking it over is operating it; giving it to
        a third person is its holder's."""
        if session.user_id == self:
            return None
        # What operating it meets comes first: it says no more of a register
        # the user may not see.
        refusal = self._pos_session_refusal(config, session)
        if refusal or receiver == self:
            return refusal
        return PosSessionRestrictionError(
            self.env._(
                "Only %(user)s, who holds the session %(session)s, or a "
                "Point of Sale administrator may hand it over.",
                user=session.sudo().user_id.name,
                session=session._pos_restriction_label(),
            ),
            rule="foreign_session",
        )

    def _check_pos_receiver(self, config, receiver, session=None):
        """Raise unless ``receiver`` may hold ``session`` of ``config``, or a
        new session there that this user opens in their name: a Point of Sale
        user of its company who may open it in their own name (visible,
        operable, one open session, working hours)."""
        if not receiver._pos_holds_sessions_of(config.company_id):
            raise UserError(
                self.env._(
                    "%(user)s is not a Point of Sale user of %(company)s: they "
                    "cannot take the register over.",
                    user=receiver.name or self.env._("This user"),
                    company=config.company_id.name,
                )
            )
        # Receiving it puts a session in their name: one open session at a time.
        if receiver._pos_restriction_applies():
            if receiver._pos_restriction_settings().single_session:
                receiver._pos_lock_session_opening()
        refusal = receiver._pos_refusal("receive", config, session, self)
        self._pos_refuse(refusal, "hand_over", config, session)

    def _pos_holds_sessions_of(self, company):
        """Whether this user may hold a session of a register of ``company``:
        an internal Point of Sale user of it, or the superuser, as in core."""
        # sudo: cashiers may not read other users' groups and companies
        user = self.sudo()
        return user._is_superuser() or bool(
            user
            and user.active
            and not user.share
            and company in user.company_ids
            and user._has_group("point_of_sale.group_pos_user")
        )

    def _pos_receiving_refusal(self, config, session, giver):
        """The refusal met when ``session`` of ``config`` (or a new session
        there) is put in this user's name by ``giver``, if any: the one they
        would meet opening it in their own name, said about them when someone
        else does."""
        refusal = self._pos_refusal("open", config, session)
        if not refusal or giver in (None, self):
            return refusal
        values = {"user": self.name, "pos": config.name}
        if refusal.rule == "not_visible":
            message = self.env._(
                "%(user)s may not see the Point of Sale '%(pos)s': you cannot "
                "hand it over to them. Choose a colleague who may operate it, or "
                "ask your manager to add it to their visible Points of Sale.",
                **values,
            )
        elif refusal.rule == "not_operable":
            message = self.env._(
                "%(user)s is not allowed to operate the Point of Sale '%(pos)s': "
                "you cannot hand it over to them. Choose a colleague who may "
                "operate it, or ask your manager to add it to their operable "
                "Points of Sale.",
                **values,
            )
        elif refusal.rule == "single_session":
            other_session = self._pos_other_open_session(config, session)
            # The register is named only to whoever may see it.
            if other_session.config_id.with_env(self.env).has_access("read"):
                message = self.env._(
                    "%(user)s already has an open session (%(session)s) on "
                    "'%(other)s': you cannot hand '%(pos)s' over to them until "
                    "they close it.",
                    session=other_session._pos_restriction_label(),
                    other=other_session.config_id.name,
                    **values,
                )
            else:
                message = self.env._(
                    "%(user)s already has an open session on another Point of "
                    "Sale: you cannot hand '%(pos)s' over to them until they "
                    "close it.",
                    **values,
                )
        elif refusal.rule == "outside_hours":
            message = self.env._(
                "%(user)s is outside their working hours: you cannot hand "
                "'%(pos)s' over to them now.",
                **values,
            )
        else:
            message = self.env._(
                "%(user)s cannot take over '%(pos)s': %(reason)s",
                reason=refusal.args[0],
                **values,
            )
        return PosSessionRestrictionError(message, rule=refusal.rule)
