from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    # The daily purge now lets go of PIN attempts and expired approvals too
    # (issue 21): its record is noupdate, so the update leaves it as it was.
    env = api.Environment(cr, SUPERUSER_ID, {})
    cron = env.ref(
        "pos_session_restriction.ir_cron_purge_restriction_log",
        raise_if_not_found=False,
    )
    if cron:
        cron.write(
            {
                "name": "Point of Sale: purge the restriction log, PIN attempts "
                "and expired approvals",
                "model_id": env["ir.model"]._get_id("pos.restriction.record"),
                "code": "model._cron_purge_restriction_records()",
            }
        )
