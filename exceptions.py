from odoo.exceptions import UserError


class PosSessionRestrictionError(UserError):
    """Raised whenever a Point of Sale restriction refuses an action.

    The POS frontend recognises refusals by this class name.
    """
