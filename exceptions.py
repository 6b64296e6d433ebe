from odoo.exceptions import UserError


class PosSessionRestrictionError(UserError):
    """Raised whenever a Point of Sale restriction refuses an action.

    The POS frontend recognises refusals by this class name; ``rule`` says
    which restriction refused: ``not_visible``, ``not_operable``,
    ``foreign_session`` or ``single_session``; for manager approvals,
    ``wrong_pin``, ``approval_locked`` or ``not_approver``.
    """

    def __init__(self, message, rule=None):
        super().__init__(message)
        self.rule = rule
        # Sent to the web client with the error, as ``data.context``: the POS app
        # reads the rule there to tell a register the user may not use at all.
        self.context = {"rule": rule}
