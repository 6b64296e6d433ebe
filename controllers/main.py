from odoo import http
from odoo.http import request

from odoo.addons.point_of_sale.controllers import main

from ..exceptions import PosSessionRestrictionError


class PosController(main.PosController):
    @http.route()
    def pos_web(self, config_id=False, from_backend=False, subpath=None, **k):
        """Refuse a register the user may not operate, even by a typed URL.

        Core resumes any open session of the config under sudo without calling
        ``open_ui``, so the session it picked is checked here.
        """
        try:
            response = super().pos_web(
                config_id=config_id, from_backend=from_backend, subpath=subpath, **k
            )
            qcontext = getattr(response, "qcontext", {})
            session = request.env["pos.session"].browse(qcontext.get("pos_session_id"))
            session._check_pos_restriction("resume")
            if session:
                request.env["pos.session.event"]._record_resume(session)
        except PosSessionRestrictionError as error:
            # Keep nothing of the refused attempt, as if the error had propagated.
            request.env.cr.rollback()
            return request.render(
                "pos_session_restriction.pos_ui_refused",
                {"message": error.args[0]},
                status=403,
            )
        return response
