# shellcheck shell=bash
# shellcheck disable=SC2034  # sourced: scripts/run-tests reads what it sets
# The POS family run of scripts/run-tests --family (README, "With the POS family"):
# the modules it installs beside the addon, and the tests it runs. Sourced by
# scripts/run-tests; sets PSR_FAMILY_MODULES and PSR_FAMILY_TAGS.
#
# The addon depends on point_of_sale only: these modules are installed for the tests.
# Installing them also installs their bridges (pos_hr_restaurant, pos_restaurant_loyalty,
# pos_sale_loyalty, pos_self_order_sale, pos_online_payment_self_order).
PSR_FAMILY_MODULES=pos_hr,pos_restaurant,pos_self_order,pos_loyalty,pos_sale,pos_online_payment

# The addon's tests that need the family (tagged psr_family, not standard; their tours
# cover each module in Chromium), then a subset of each module's own Python tests that
# exercise sessions, orders and payments with the addon installed. Not their tours: on a
# busy machine they race and time out; nor those whose coverage the addon's tests or
# another test of the subset give, as each class costs seconds of set-up (CONTRIBUTING.md says
# more, and why each test is here).
family_tests=(
    psr_family/pos_session_restriction
    # pos_restaurant
    /pos_restaurant:TestPosRestaurantFlow.test_floor_plans_archive
    # pos_self_order
    /pos_self_order:TestSelfOrderController
    /pos_self_order:TestSelfOrderCommon.test_self_order_config_default_user
    # pos_loyalty
    /pos_loyalty:TestPOSLoyaltyHistory.test_duplicate_coupon_confirm
    /pos_loyalty:TestUnlinkReward
    # pos_sale
    /pos_sale:TestPoSSale.test_order_sales_count
    /pos_sale:TestPoSSale.test_untaxed_invoiced_amount
    /pos_sale:TestPoSSale.test_amount_to_invoice
    # pos_online_payment
    /pos_online_payment:TestUi.test_1_online_payment_with_cashier
    /pos_online_payment:TestUi.test_1_online_payment_without_cashier
    /pos_online_payment:TestUi.test_2_online_payments_with_cashier
    /pos_online_payment:TestUi.test_invalid_access_token
)
PSR_FAMILY_TAGS=$(IFS=,; echo "${family_tests[*]}")
unset family_tests
