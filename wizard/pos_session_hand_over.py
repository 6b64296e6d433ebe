from odoo import api, fields, models


class PosSessionHandOver(models.TransientModel):
    _name = "pos.session.hand.over"
    _description = "Hand Over a Point of Sale Session"

    session_id = fields.Many2one(
        "pos.session", required=True, readonly=True, ondelete="cascade"
    )
    holder_id = fields.Many2one(related="session_id.user_id", string="Held By")
    candidate_ids = fields.Many2many(
        "res.users", compute="_compute_candidate_ids", string="Who May Take It Over"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Hand Over To",
        required=True,
        domain="[('id', 'in', candidate_ids)]",
        help="The colleagues who may operate this register. They continue the "
        "session and close it as their own.",
    )

    @api.depends("session_id")
    def _compute_candidate_ids(self):
        for wizard in self:
            wizard.candidate_ids = wizard.session_id._pos_hand_over_candidates()

    def action_hand_over(self):
        self.ensure_one()
        self.session_id.pos_hand_over(self.user_id.id)
        return {"type": "ir.actions.act_window_close"}
