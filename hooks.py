from .models.res_users import ENABLED_PARAM


def post_init_hook(env):
    # Set once at install: on later updates the administrator's choice stands.
    env["ir.config_parameter"].set_param(ENABLED_PARAM, "True")
