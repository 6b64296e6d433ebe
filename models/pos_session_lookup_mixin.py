from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL


class PosSessionLookupMixin(models.AbstractModel):
    """Search the records of a session (orders, their analysis) by who opened
    the session, for the record rules.

    A search on ``session_id.user_id`` compiles to a join with the sessions:
    in a rule that also says "or the register is visible", the OR then spans
    two tables and PostgreSQL reads the whole table to filter it, at any size.
    ``pos_session_user_id`` compiles to ``session_id = ANY(ARRAY(SELECT id FROM
    pos_session WHERE user_id IN ...))``: PostgreSQL looks the user's sessions
    up first, once, then reads the records from the index on ``session_id``,
    combined with the indexes of the rule's other conditions. Who matches is
    the same; like the rules themselves (compiled as the superuser), the
    lookup does not apply the sessions' record rules.
    """

    _name = "pos.session.lookup.mixin"
    _description = "Point of Sale Records Searched by Their Session"

    pos_session_user_id = fields.Many2one(
        "res.users",
        string="Session Opened By",
        compute="_compute_pos_session_user_id",
        search="_search_pos_session_user_id",
        help="Technical field used by the record rules: who opened the session.",
    )

    @api.depends("session_id.user_id")
    def _compute_pos_session_user_id(self):
        for record in self:
            record.pos_session_user_id = record.session_id.user_id

    def _search_pos_session_user_id(self, operator, value):
        if operator != "in":
            return NotImplemented
        user_ids = set(value)

        def to_sql(model, alias, query):
            # Written out, not built by the ORM: the rules compile it for
            # every query of a restricted user.
            ids = tuple(user_id for user_id in user_ids if user_id)
            holders = SQL("user_id IN %s", ids) if ids else SQL("FALSE")
            if False in user_ids:
                holders = SQL("(%s OR user_id IS NULL)", holders)
            return SQL(
                "%s = ANY(ARRAY(SELECT id FROM pos_session WHERE %s))",
                model._field_to_sql(alias, "session_id", query),
                holders,
            )

        def predicate(record):
            # What the ORM checks on records it has read (record rules): in
            # memory, as it would for session_id.user_id.
            return record.session_id.user_id.id in user_ids

        return Domain.custom(to_sql=to_sql, predicate=predicate)
