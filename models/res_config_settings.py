from odoo import fields, models

from .res_users import ENABLED_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pos_session_restriction_enabled = fields.Boolean(
        string="Enforce Session Restrictions",
        config_parameter=ENABLED_PARAM,
        help="Enforce the per-user restrictions on Points of Sale and sessions. "
        "When off, every POS user works as in standard Odoo.",
    )

    def set_values(self):
        params = self.env["ir.config_parameter"].sudo()
        was_enabled = params.get_param(ENABLED_PARAM)
        super().set_values()
        if params.get_param(ENABLED_PARAM) != was_enabled:
            # The record rules depend on the switch; their domains are cached.
            self.env.registry.clear_cache()
