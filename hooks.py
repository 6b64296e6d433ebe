from .models.pos_restriction_log import RETENTION_PARAM
from .models.pos_session import ABANDONED_AFTER_PARAM
from .models.res_users import ENABLED_PARAM, HOURS_GRACE_PARAM

PARAMS = [ENABLED_PARAM, RETENTION_PARAM, ABANDONED_AFTER_PARAM, HOURS_GRACE_PARAM]


def post_init_hook(env):
    # Set once at install: on later updates the administrator's choice stands.
    env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")


def uninstall_hook(env):
    env["ir.config_parameter"].search([("key", "in", PARAMS)]).unlink()
    # The PIN hashes live in a column no field maps (see res.users).
    env.cr.execute("ALTER TABLE res_users DROP COLUMN IF EXISTS pos_approval_pin_hash")
