import {registry} from "@web/core/registry";
import {
    SelectionField,
    selectionField,
} from "@web/views/fields/selection/selection_field";

/**
 * The name of a KPI, with its formula as a tooltip (read from another
 * field of the record, named by the `formula_field` option).
 */
export class KpiFormulaField extends SelectionField {
    static template = "crm_kpi.KpiFormulaField";
    static props = {...SelectionField.props, formulaField: {type: String}};

    get formula() {
        return this.props.record.data[this.props.formulaField] || "";
    }
}

export const kpiFormulaField = {
    ...selectionField,
    component: KpiFormulaField,
    extractProps(fieldInfo, dynamicInfo) {
        return {
            ...selectionField.extractProps(fieldInfo, dynamicInfo),
            formulaField: fieldInfo.options.formula_field,
        };
    },
};

registry.category("fields").add("crm_kpi_formula", kpiFormulaField);
