from werkzeug.exceptions import BadRequest, Forbidden

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.misc import hmac

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
            return self._pos_render_refusal(
                error.args[0], config_id, error.context.get("approval_action")
            )
        return response

    @http.route(
        "/pos_session_restriction/approve", type="http", auth="user", methods=["POST"]
    )
    def pos_approve(
        self,
        config_id="",
        approval_action="",
        approval_token="",
        approver_id="",
        pin="",
        **k,
    ):
        """The refusal page's *Manager approval*: on success, go to the register.
        The action approved is the one the page showed, signed for this user
        and register: a changed or missing one is a bad request."""
        config = request.env["pos.config"]
        if str(config_id).isdigit():
            config = config.browse(int(config_id)).exists()
        if not (
            config
            and config.has_access("read")
            and consteq(
                str(approval_token), self._pos_approval_token(config, approval_action)
            )
        ):
            return request.render(
                "pos_session_restriction.pos_ui_refused",
                {
                    "message": request.env._(
                        "This approval request is not valid. Open the register "
                        "again to ask a manager for an approval."
                    ),
                    "approval_error": True,
                },
                status=400,
            )
        try:
            config.pos_request_approval(
                approval_action,
                int(approver_id) if approver_id.isdigit() else False,
                pin,
            )
        except UserError as error:
            request.env.cr.rollback()
            return self._pos_render_refusal(
                error.args[0], config_id, approval_action, approval_error=True
            )
        return request.redirect(f"/pos/ui/{config.id}")

    @http.route(
        "/pos_session_restriction/keep_browser_sales",
        type="jsonrpc",
        auth="user",
        methods=["POST"],
    )
    def pos_keep_browser_sales(self, stores=None, **k):
        """The refusal page sends the paid sales its register's app never
        sent: each is recorded as the app would have, or held for an
        administrator. Answers which the browser no longer holds alone."""
        if not isinstance(stores, dict):
            raise BadRequest()
        env = request.env
        if not env.user.has_group("point_of_sale.group_pos_user"):
            raise Forbidden()
        kept = env["pos.order"]._pos_keep_browser_sales(stores)
        messages = []
        if kept["recorded"]:
            messages.append(
                env._(
                    "%(count)s sale(s) this register had not sent yet are now "
                    "recorded in their session.",
                    count=len(kept["recorded"]),
                )
            )
        if kept["held"]:
            messages.append(
                env._(
                    "%(count)s sale(s) this register had not sent yet are safe on "
                    "the server, in Held Sales, where a Point of Sale administrator "
                    "records them in a session or cancels them.",
                    count=len(kept["held"]),
                )
            )
        if kept["left"]:
            messages.append(
                env._(
                    "%(count)s sale(s) could not be kept on the server and are "
                    "in this browser only: do not clear its data, and call a Point "
                    "of Sale administrator.",
                    count=kept["left"],
                )
            )
        return {"held": kept["held"], "message": " ".join(messages)}

    def _pos_render_refusal(
        self, message, config_id, approval_action=False, approval_error=False
    ):
        """The page that tells why the register is refused, offering a
        manager's approval when one may lift the refusal."""
        values = {"message": message, "approval_error": approval_error}
        config = request.env["pos.config"]
        if str(config_id).isdigit():
            config = config.browse(int(config_id)).exists()
            # Where the register's app keeps, in this browser, what it has
            # not sent yet (point_of_sale's data_service.js: databaseName).
            values["browser_database"] = f"point-of-sale-{int(config_id)}-{request.db}"
        if approval_action and config and config.has_access("read"):
            grants = request.env["pos.approval.grant"]
            actions = dict(grants._fields["action"]._description_selection(request.env))
            values["approval"] = {
                "config_id": config.id,
                "action": approval_action,
                "token": self._pos_approval_token(config, approval_action),
                "action_label": actions.get(approval_action, ""),
                "approvers": config.pos_approvers(),
            }
        return request.render(
            "pos_session_restriction.pos_ui_refused", values, status=403
        )

    def _pos_approval_token(self, config, approval_action):
        """The signature of an approval the refusal page offers: this user,
        this register, this action."""
        return hmac(
            request.env(su=True),
            "pos_session_restriction.approval",
            (request.env.uid, config.id, str(approval_action)),
        )
