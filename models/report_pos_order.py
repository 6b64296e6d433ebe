from odoo import models


class ReportPosOrder(models.Model):
    _name = "report.pos.order"
    _inherit = ["report.pos.order", "pos.session.lookup.mixin"]
