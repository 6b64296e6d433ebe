def migrate(cr, version):
    # Every refusal and PIN attempt belongs to a company (issue 20): the
    # register's, else the user's. Filled before the ORM makes the column
    # required, in one statement each.
    cr.execute(
        """
        UPDATE pos_restriction_log entry
           SET company_id = users.company_id
          FROM res_users users
         WHERE entry.company_id IS NULL AND users.id = entry.user_id
        """
    )
    cr.execute(
        "ALTER TABLE pos_approval_attempt ADD COLUMN IF NOT EXISTS company_id integer"
    )
    cr.execute(
        """
        UPDATE pos_approval_attempt attempt
           SET company_id = COALESCE(
                   (SELECT company_id FROM pos_config WHERE id = attempt.config_id),
                   (SELECT company_id FROM res_users WHERE id = attempt.approver_id))
         WHERE attempt.company_id IS NULL
        """
    )
