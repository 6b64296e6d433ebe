from odoo import fields, models


class PosSession(models.Model):
    _inherit = "pos.session"

    pos_review_count = fields.Integer(
        string="Orders to Review",
        compute="_compute_pos_review_count",
        groups="point_of_sale.group_pos_manager",
        help="Paid orders of this session recorded without the manager's "
        "approval their cashier's settings ask for: a refund, a discount over "
        "the limit or a price typed by hand.",
    )

    def _compute_pos_review_count(self):
        counts = dict(
            self.env["pos.order"]._read_group(
                [("session_id", "in", self.ids), ("pos_needs_review", "=", True)],
                ["session_id"],
                ["__count"],
            )
        )
        for session in self:
            session.pos_review_count = counts.get(session, 0)

    def action_view_pos_review_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "point_of_sale.action_pos_pos_form"
        )
        action["domain"] = [("session_id", "=", self.id)]
        action["context"] = {"search_default_pos_needs_review": 1}
        return action
