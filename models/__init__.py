from . import res_users
from . import pos_config
from . import pos_session
from . import res_config_settings
from . import pos_restriction_log
