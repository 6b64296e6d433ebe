from odoo import api, models


class IrRule(models.Model):
    _inherit = "ir.rule"

    @api.model
    def _eval_context(self):
        context = super()._eval_context()
        context["pos_visible"] = context["user"]._pos_visibility_domain
        return context
