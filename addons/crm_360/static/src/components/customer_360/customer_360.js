import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {formatMonetary} from "@web/views/fields/formatters";

const CHANNEL_ICONS = {
    email: "fa-envelope",
    note: "fa-sticky-note",
    message: "fa-comment",
    activity: "fa-clock-o",
    call: "fa-phone",
    meeting: "fa-calendar",
    // events of the customer's documents
    quotation_sent: "fa-paper-plane",
    order_confirmed: "fa-shopping-cart",
    invoice_posted: "fa-file-text-o",
    credit_note_posted: "fa-undo",
    payment_received: "fa-money",
    installment_due: "fa-exclamation-triangle text-danger",
    claim_opened: "fa-exclamation-circle",
    claim_closed: "fa-check-circle",
    opportunity_won: "fa-trophy",
    opportunity_lost: "fa-times-circle",
};

const LIST_NAMES = {
    invoices: _t("Invoices"),
    overdue: _t("Overdue invoices"),
    balance: _t("Open receivable items"),
    unapplied: _t("Unapplied payments and credit notes"),
    overdue_items: _t("Overdue installments"),
    days_late: _t("Paid installments"),
    aging_not_due: _t("Not due"),
    aging_1_30: _t("1-30 days"),
    aging_31_60: _t("31-60 days"),
    aging_61_90: _t("61-90 days"),
    aging_over_90: _t("Over 90 days"),
    dispute: _t("Receivable in dispute"),
    claims: _t("Complaints"),
    open_orders: _t("Orders not fully invoiced"),
    household_invoices: _t("Invoices of the household"),
};

const AGING_KEYS = ["not_due", "1_30", "31_60", "61_90", "over_90"];

export class Customer360 extends Component {
    static template = "crm_360.Customer360";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        const action = this.props.action || {};
        this.partnerId =
            (action.params && action.params.partner_id) ||
            (action.context && action.context.active_id);
        this.state = useState({data: null, offset: 0});
        this.channelIcons = CHANNEL_ICONS;
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call(
            "res.partner",
            "customer_360_data",
            [[this.partnerId]],
            {timeline_offset: this.state.offset}
        );
    }

    money(value) {
        if (value === null || value === undefined) {
            return "—";
        }
        return formatMonetary(value, {currencyId: this.state.data.currency_id});
    }

    get agingBuckets() {
        const aging = this.state.data.billing.aging;
        return AGING_KEYS.map((key) => [
            LIST_NAMES[`aging_${key}`],
            aging[key],
            `aging_${key}`,
        ]);
    }

    get disputeBuckets() {
        const aging = this.state.data.billing.dispute.aging;
        return AGING_KEYS.map((key) => aging[key]);
    }

    openList(model, domainKey) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: LIST_NAMES[domainKey],
            res_model: model,
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: this.state.data.domains[domainKey],
            target: "current",
        });
    }

    openRecord(model, id) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: model,
            res_id: id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    /**
     * The amount of a timeline event in its document's currency, or "" for
     * entries without amount.
     */
    eventAmount(item) {
        if (item.amount === null || item.amount === undefined) {
            return "";
        }
        return formatMonetary(item.amount, {currencyId: item.currency_id});
    }

    async newComplaint() {
        const action = await this.orm.call("res.partner", "action_crm_360_new_claim", [
            [this.partnerId],
        ]);
        this.action.doAction(action);
    }

    async page(step) {
        const timeline = this.state.data.timeline;
        this.state.offset = Math.max(0, timeline.offset + step * timeline.limit);
        await this.load();
    }
}

registry.category("actions").add("crm_360.customer_360", Customer360);
