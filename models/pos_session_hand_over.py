from odoo import models
from odoo.exceptions import UserError


class PosSession(models.Model):
    _inherit = "pos.session"

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

    def pos_hand_over(self, user_id):
        """Hand this open session over to the user ``user_id``, who continues
        and closes it as their own. Writing its cashier asks the policy
        (res.users._check_pos_hand_over): who may hand it over, to whom."""
        self.ensure_one()
        receiver = self.env["res.users"].browse(user_id).exists()
        if not receiver or receiver == self.user_id:
            raise UserError(
                self.env._("Choose the colleague who takes the register over.")
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

    def _pos_hand_over_candidates(self):
        """The internal Point of Sale users of this session's company, other
        than its holder, whom the policy lets receive it: those the hand-over
        (_check_pos_receiver) accepts."""
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
        giver = self.env.user
        return users.filtered(
            lambda user: user._pos_holds_sessions_of(config.company_id)
            and not user._pos_refusal("receive", config, self, giver)
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
