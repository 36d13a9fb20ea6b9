import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { DynamicGroupList } from "@web/model/relational_model/dynamic_group_list";
import { RelationalModel } from "@web/model/relational_model/relational_model";
import { kanbanView } from "@web/views/kanban/kanban_view";

/**
 * The grade board shows only stored grades (GR-3): a card dropped into a column whose grade
 * the server did not store (grade D awaits the manager's approval) goes back to its column.
 */
export class GradeGroupList extends DynamicGroupList {
    async moveRecord(dataRecordId, dataGroupId, refId, targetGroupId) {
        const sourceGroup = this.groups.find((group) => group.id === dataGroupId);
        const oldIndex = sourceGroup?.list.records.findIndex((rec) => rec.id === dataRecordId);
        const result = await super.moveRecord(...arguments);
        const targetGroup = this.groups.find((group) => group.id === targetGroupId);
        const record = targetGroup?.list.records.find((rec) => rec.id === dataRecordId);
        if (
            record &&
            sourceGroup &&
            targetGroup !== sourceGroup &&
            targetGroup.groupByField.name === "grade" &&
            record.data.grade !== targetGroup.value
        ) {
            targetGroup._removeRecords([record.id]);
            sourceGroup._addRecord(record, oldIndex);
            this.model.notification.add(
                _t("Grade %(grade)s needs the manager's approval: the request is sent (GR-3).", {
                    grade: targetGroup.displayName || targetGroup.value,
                }),
                { type: "warning" }
            );
        }
        return result;
    }
}

export class GradeKanbanModel extends RelationalModel {
    static DynamicGroupList = GradeGroupList;
}

export const gradeKanbanView = { ...kanbanView, Model: GradeKanbanModel };

registry.category("views").add("real_estate_grade_kanban", gradeKanbanView);
