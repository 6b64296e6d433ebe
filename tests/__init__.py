from . import test_open
from . import test_closing
from . import test_visibility
from . import test_controller
from . import test_tours
from . import test_restriction_log
from . import test_i18n
from . import test_attacks
