from odoo import api, models


class PosBill(models.Model):
    _inherit = "pos.bill"

    # The coins and bills a register counts are its settings: a POS
    # administrator's, as the register's own (pos.config).

    @api.model_create_multi
    def create(self, vals_list):
        self.env.user._check_pos_configuring(self.env["pos.config"])
        return super().create(vals_list)

    @api.model
    def name_create(self, name):
        # Core creates past create() here.
        self.env.user._check_pos_configuring(self.env["pos.config"])
        return super().name_create(name)

    def write(self, vals):
        # sudo: the registers may be hidden from the user
        self.env.user._check_pos_configuring(self.sudo().pos_config_ids)
        return super().write(vals)

    def unlink(self):
        self.env.user._check_pos_configuring(self.sudo().pos_config_ids)
        return super().unlink()
