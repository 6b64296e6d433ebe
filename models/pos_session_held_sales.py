from odoo import fields, models


class PosSession(models.Model):
    _inherit = "pos.session"

    pos_held_order_ids = fields.One2many(
        "pos.held.order",
        "session_id",
        string="Held Sales",
        groups="point_of_sale.group_pos_manager",
    )
    pos_held_count = fields.Integer(
        string="Held Sales Waiting",
        compute="_compute_pos_held_count",
        groups="point_of_sale.group_pos_manager",
        help="Paid sales sent for this session that the server held for an "
        "administrator to place or cancel.",
    )

    def _compute_pos_held_count(self):
        counts = dict(
            self.env["pos.held.order"]._read_group(
                [("session_id", "in", self.ids), ("state", "=", "held")],
                ["session_id"],
                ["__count"],
            )
        )
        for session in self:
            session.pos_held_count = counts.get(session, 0)

    def get_closing_control_data(self):
        data = super().get_closing_control_data()
        data["pos_held_sales"] = self._pos_held_sales_summary()
        return data

    def action_view_pos_held_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pos_session_restriction.action_pos_held_order"
        )
        action["domain"] = [("session_id", "=", self.id)]
        return action

    def _pos_held_sales_summary(self):
        """The sales sent for this session and held, which its closing
        figures leave out until an administrator places them."""
        self.ensure_one()
        # sudo: the cashier closing the register is told of them, not shown them
        held = (
            self.env["pos.held.order"]
            .sudo()
            .search([("session_id", "=", self.id), ("state", "=", "held")])
        )
        return {"count": len(held), "amount": sum(held.mapped("amount_paid"))}
