"""CH-14 re-read (18.0.1.1.0): the old-brings-new window now runs from the old customer's deposit or last
visit (``crm.team.old_customer_days``, in real_estate_attribution), no longer from the new customer's referral.
The office keeps its number of days."""


def migrate(cr, version):
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'crm_team' AND column_name = 'referral_deposit_days'
        """
    )
    if cr.fetchone():
        cr.execute(
            "UPDATE crm_team SET old_customer_days = referral_deposit_days WHERE referral_deposit_days IS NOT NULL"
        )
