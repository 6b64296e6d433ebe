from . import pos_make_payment
from . import pos_session_hand_over
