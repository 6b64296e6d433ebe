def migrate(cr, version):
    # Replaced by indexes on the register, the company and the session
    # (pos.order and pos.payment): they would only slow inserts.
    cr.execute("DROP INDEX IF EXISTS pos_order_config_id_idx")
    cr.execute("DROP INDEX IF EXISTS pos_payment_session_id_company_id_idx")
