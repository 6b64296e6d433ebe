{
    "name": "POS Session Restriction",
    "summary": "Decide per user which Points of Sale they may see and operate, "
    "and who may start, resume or close a register",
    "version": "19.0.2.4.0",
    "category": "Sales/Point of Sale",
    "website": "https://github.com/pos-session-restriction/pos_session_restriction",
    "author": "POS Session Restriction Authors",
    "maintainers": ["pos-session-restriction"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["point_of_sale"],
    "data": [
        "security/ir.model.access.csv",
        "security/pos_session_restriction_security.xml",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "views/pos_restriction_log_views.xml",
        "views/pos_session_event_views.xml",
        "views/pos_approval_grant_views.xml",
        "views/pos_held_order_views.xml",
        "views/pos_session_views.xml",
        "views/pos_order_views.xml",
        "views/res_users_views.xml",
        "views/pos_config_views.xml",
        "views/res_config_settings_views.xml",
        "views/pos_ui_refused_templates.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "pos_session_restriction/static/src/core/**/*",
        ],
        "point_of_sale._assets_pos": [
            "pos_session_restriction/static/src/core/**/*",
            "pos_session_restriction/static/src/app/**/*",
            "pos_session_restriction/static/src/held_sales/**/*",
        ],
        # The page that refuses a register: it sends what the register's app
        # kept in the browser.
        "pos_session_restriction.assets_refusal_page": [
            "pos_session_restriction/static/src/held_sales/**/*",
            "pos_session_restriction/static/src/refusal_page/**/*",
        ],
        "web.assets_tests": [
            "pos_session_restriction/static/tests/tours/**/*",
        ],
        "web.assets_unit_tests": [
            "pos_session_restriction/static/tests/unit/**/*",
        ],
        # The self-ordering app's test bundle: it exists only where
        # pos_self_order is installed.
        "pos_self_order.assets_tests": [
            "pos_session_restriction/static/tests/self_order/**/*",
        ],
    },
    "images": [
        "static/description/icon.png",
        "static/description/dashboard_view_only.png",
        "static/description/users_form.png",
        "static/description/approval_keypad.png",
        "static/description/refund_keypad.png",
        "static/description/hand_over_dialog.png",
        "static/description/supervision_board.png",
        "static/description/outside_hours.png",
        "static/description/session_journal.png",
    ],
    "pre_init_hook": "pre_init_hook",
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
