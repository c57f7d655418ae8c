import {Customer360} from "@crm_360/components/customer_360/customer_360";
import {patch} from "@web/core/utils/patch";

patch(Customer360.prototype, {
    async openStatement() {
        const action = await this.orm.call(
            "res.partner",
            "action_crm_360_partner_statement",
            [[this.partnerId]]
        );
        await this.action.doAction(action);
    },
});
