from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    # The cashiers' checks of working hours cache each schedule's work
    # intervals with its public holidays (resource.calendar._pos_work_intervals):
    # a change to a leave of no resource clears that cache. Time off of one
    # employee, which is a leave of their resource, does not.

    @api.model_create_multi
    def create(self, vals_list):
        if any(not vals.get("resource_id") for vals in vals_list):
            self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if any(not leave.resource_id for leave in self) or (
            "resource_id" in vals and not vals["resource_id"]
        ):
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        if any(not leave.resource_id for leave in self):
            self.env.registry.clear_cache()
        return super().unlink()
