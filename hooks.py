from .models.pos_restriction_record import RETENTION_PARAM
from .models.pos_session_supervision import ABANDONED_AFTER_PARAM
from .models.res_users import ENABLED_PARAM
from .models.res_users_shift_hours import HOURS_GRACE_PARAM

PARAMS = [ENABLED_PARAM, RETENTION_PARAM, ABANDONED_AFTER_PARAM, HOURS_GRACE_PARAM]


def fill_payment_registers(cr):
    """Create and fill pos.payment's pos_config_id in one statement: the ORM
    would compute it payment by payment, for hours on a large database."""
    cr.execute("ALTER TABLE pos_payment ADD COLUMN IF NOT EXISTS pos_config_id integer")
    cr.execute(
        """
        UPDATE pos_payment payment
           SET pos_config_id = session.config_id
          FROM pos_session session
         WHERE session.id = payment.session_id
        """
    )


def pre_init_hook(env):
    fill_payment_registers(env.cr)


def post_init_hook(env):
    # Set once at install: on later updates the administrator's choice stands.
    env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")


def uninstall_hook(env):
    env["ir.config_parameter"].search([("key", "in", PARAMS)]).unlink()
    # The PIN hashes live in a column no field maps (see res.users).
    env.cr.execute("ALTER TABLE res_users DROP COLUMN IF EXISTS pos_approval_pin_hash")
