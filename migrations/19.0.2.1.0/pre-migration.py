from odoo.addons.pos_session_restriction.hooks import fill_payment_registers


def migrate(cr, version):
    fill_payment_registers(cr)
